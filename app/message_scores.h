// Finds the messages worth showing: those processed more than once, lost, or processed out of
// their key's order. A MessageScorer watches a whole run through the trace, keeping a few
// counters per message and group (about 6 bytes each, plus 16 per message for its key), and
// ranks the messages afterwards.
//
// TODO: memory grows with the messages of the run: a run of 10^8 messages needs a few GB for
// --timeline without --messages and for explain --worst. A bounded top-k would fix it.
//
//   MessageScorer scorer(scenario);
//   models::Simulation(scenario, &scorer).Run();
//   std::optional<MessageRef> worst = scorer.Worst();
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "app/timeline_events.h"
#include "models/scenario.h"
#include "sim/trace.h"

namespace deliverysim::app {

// What happened to one message in one consumer group.
struct MessageFate {
  std::uint16_t effects = 0;       // side-effect executions
  std::uint16_t redeliveries = 0;  // deliveries of an offset the group had delivered before
  bool out_of_order = false;       // its effect ran after a later message of its key
  bool dead_lettered = false;      // a queue broker moved it from the group's queue to a DLQ
};

class MessageScorer : public sim::TraceSink {
 public:
  // `scenario` must outlive the scorer.
  explicit MessageScorer(const models::Scenario& scenario);

  void Record(sim::Time at, std::string_view kind,
              std::initializer_list<sim::TraceField> fields) override;

  // The fate of `message` in group `group`. REQUIRES: the message was intended.
  MessageFate Fate(MessageRef message, std::size_t group) const;
  // Duplicate effects summed over the groups that read its topic.
  std::uint64_t DuplicateEffects(MessageRef message) const;
  // True when some group reading its topic (or, on a queue broker, a queue it was routed to)
  // never ran its effect and did not dead-letter it.
  bool Lost(MessageRef message) const;
  // True when some group's queue dead-lettered it.
  bool DeadLettered(MessageRef message) const;

  // The message with the most duplicate effects (ties: the one redelivered most, then the
  // earliest); if none was processed twice, the earliest lost one; then the earliest
  // dead-lettered; then the earliest processed out of order. On a queue broker a redelivery is
  // a delivery with the redelivered flag. Nothing when every message was processed exactly once, in
  // order.
  std::optional<MessageRef> Worst() const;
  // Up to `count` messages in the order Worst ranks them; when fewer went wrong, the first
  // messages intended fill the list, so a clean run still has something to show.
  std::vector<MessageRef> Telling(std::size_t count) const;

 private:
  struct Ranked;
  std::vector<Ranked> Rank() const;
  bool Reads(std::size_t group, std::int64_t producer) const;
  void OnDeadLetter(std::int64_t producer, std::int64_t number, std::string_view queue);

  const models::Scenario& scenario_;
  const bool queue_broker_;
  std::vector<std::vector<bool>> reads_;  // [producer][group], from GroupsReading
  // fates_[producer][message * groups + group]
  std::vector<std::vector<MessageFate>> fates_;
  // Per message: its key and sequence (key -1: none).
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> keys_;
  // (group, topic, partition) -> the highest offset the group delivered there.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::int64_t> delivered_;
  // (group, producer, key) -> the highest sequence whose effect ran.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::int64_t> processed_;
};

}  // namespace deliverysim::app
