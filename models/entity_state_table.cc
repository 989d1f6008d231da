#include "models/entity_state_table.h"

#include <cassert>

namespace deliverysim::models {

EntityStateTable::EntityStateTable(OrderingStrategy strategy,
                                   const std::vector<EventType>& precedence,
                                   const ProducerClocks& clocks,
                                   const std::vector<std::uint32_t>& keys_per_producer)
    : strategy_(strategy), clocks_(clocks) {
  for (std::size_t i = 0; i < precedence.size(); ++i) {
    const EventType kind = precedence[i];
    if (kind >= rank_of_kind_.size()) rank_of_kind_.resize(kind + 1, -1);
    rank_of_kind_[kind] = static_cast<int>(precedence.size() - i);
  }
  for (std::uint32_t keys : keys_per_producer) rows_.emplace_back(keys);
}

int EntityStateTable::Rank(EventType kind) const {
  return kind < rank_of_kind_.size() ? rank_of_kind_[kind] : -1;
}

bool EntityStateTable::Wins(const EntityState& incoming, const EntityState& current) const {
  switch (strategy_) {
    case OrderingStrategy::kApply: return true;
    case OrderingStrategy::kVersion: return incoming.version > current.version;
    case OrderingStrategy::kPrecedence: {
      const int incoming_rank = Rank(incoming.kind), current_rank = Rank(current.kind);
      if (incoming_rank != current_rank) return incoming_rank > current_rank;
      return incoming.version > current.version;
    }
    case OrderingStrategy::kLastWriterWins: return incoming.timestamp > current.timestamp;
  }
  return true;
}

bool EntityStateTable::Offer(const Record& record) {
  assert(record.key != kNoKey);
  // A service's events (keyed by their flow) are no producer's entity: applied, not tracked.
  if (record.id.producer >= rows_.size() || record.key >= rows_[record.id.producer].size()) {
    return true;
  }
  Row& row = rows_[record.id.producer][record.key];
  const EntityState incoming{record.sequence, record.event_type,
                             clocks_.Timestamp(record.id.producer, record.intent_time)};
  if (row.present && !Wins(incoming, {row.version, row.kind, row.timestamp})) {
    ++dropped_;
    return false;
  }
  row = Row{incoming.timestamp, incoming.version, incoming.kind, true};
  return true;
}

std::optional<EntityState> EntityStateTable::Find(std::uint32_t producer, std::uint32_t key) const {
  if (producer >= rows_.size() || key >= rows_[producer].size()) return std::nullopt;
  const Row& row = rows_[producer][key];
  if (!row.present) return std::nullopt;
  return EntityState{row.version, row.kind, row.timestamp};
}

}  // namespace deliverysim::models
