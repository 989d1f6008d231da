// The entity table of a consumer group that keeps entity state: the service's own database,
// shared by the group's instances as the inbox is. Each entity (a producer's key) has one row,
// written from the last event the group's ordering strategy let through.
//
// Invariants:
//   1. A row exists once an event of its entity was offered; it never goes away.
//   2. A row holds the version (the producer's sequence), the kind and the producer timestamp of
//      one event of its entity: the last one applied.
//   3. Keyless events belong to no entity and are never offered.
//
// Entities are per producer: two producers' key 7 are two entities, because each producer
// numbers its own keys' sequences. TODO: several producers writing one entity (a shared key
// space with one version counter) is not modelled, so last-writer-wins shows only one
// producer's clock jumping, never two writers racing.
//
//   EntityStateTable table(OrderingStrategy::kVersion, {}, clocks, keys_per_producer);
//   table.Offer(record);  // applied, or dropped as stale
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/message.h"
#include "models/producer_clocks.h"
#include "models/scenario.h"
#include "sim/time.h"

namespace deliverysim::models {

struct EntityState {
  std::uint32_t version = 0;
  EventType kind = kUntypedEvent;
  sim::Time timestamp = 0;  // the producer's clock when it stamped the event
};

class EntityStateTable {
 public:
  // `precedence` ranks event kinds, strongest first (kPrecedence only); a kind it leaves out
  // ranks below every listed one. `keys_per_producer` is indexed by producer, 0 for producers
  // whose events the group never sees; `clocks` must outlive the table.
  EntityStateTable(OrderingStrategy strategy, const std::vector<EventType>& precedence,
                   const ProducerClocks& clocks,
                   const std::vector<std::uint32_t>& keys_per_producer);

  // The handler writes `record`'s event into its entity's row if the strategy lets it through,
  // and returns whether it did. REQUIRES: record.key != kNoKey.
  // Events outside the table (a service's, whose key is their flow) are applied untracked.
  bool Offer(const Record& record);

  // The row of entity (producer, key), or nothing when no event of it was offered.
  std::optional<EntityState> Find(std::uint32_t producer, std::uint32_t key) const;

  // Events the strategy dropped, summed over entities.
  std::uint64_t dropped() const { return dropped_; }

 private:
  // EntityState's fields and a presence flag in 16 bytes: the table has a row for every key
  // of every producer of the group's topic.
  struct Row {
    sim::Time timestamp = 0;
    std::uint32_t version = 0;
    EventType kind = kUntypedEvent;
    bool present = false;
  };
  static_assert(sizeof(Row) <= 16);

  // Whether an event `incoming` replaces the row's current state under the strategy.
  bool Wins(const EntityState& incoming, const EntityState& current) const;
  int Rank(EventType kind) const;

  OrderingStrategy strategy_;
  std::vector<int> rank_of_kind_;  // by EventType; higher is stronger; -1 for unlisted kinds
  const ProducerClocks& clocks_;
  std::vector<std::vector<Row>> rows_;  // per producer, by key
  std::uint64_t dropped_ = 0;
};

}  // namespace deliverysim::models
