// The run's notable events kept in memory, for the timeline, the HTML page and `explain`.
//
//   TimelineRecorder recorder(scenario, MessageSelection::Messages({{0, 17}}));
//   models::Simulation(scenario, &recorder).Run();
//   for (const TimelineEvent& e : recorder.events()) ...
//
// The recorder keeps only what its selection asks for: the events of the selected messages,
// the commits on the partitions those messages went to, and the crashes, restarts and
// rebalances; with a window, everything inside the window. Memory is therefore bounded by the
// selection, not by the length of the run.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "app/result.h"
#include "models/scenario.h"
#include "sim/time.h"
#include "sim/trace.h"

namespace deliverysim::app {

// The trace kinds of docs/OUTPUT.md that the timeline draws.
enum class EventKind {
  kIntent,
  kSend,
  kAcked,
  kGiveUp,
  kAppend,
  kLinkLoss,
  kLinkDuplicate,
  kDeliver,
  kEffect,
  kEffectSkipped,
  kDeadLetteredUnreadable,  // count: the schema version the group's code could not read
  kCommit,
  kCommitRefused,
  kCrashAtStep,
  kCrash,
  kRestart,
  kRebalance,
  // Queue brokers (docs/OUTPUT.md, "A queue broker's run").
  kEnqueue,            // an exchange routed the message to a queue, or a dead letter arrived
  kDispatch,           // the broker sent a delivery to a consumer
  kConsumerAck,        // the broker took a consumer's ack (a Service Bus completion)
  kConsumerNack,       // the broker took a nack or reject; `requeue` says which
  kRequeue,            // the message went back to its queue
  kDeadLetter,         // it left its queue for the dead-letter exchange or sub-queue
  kDiscard,            // it left its queue with no dead-letter exchange to take it
  kLockExpired,        // a Service Bus lock ran out
  kLostInRestart,      // a broker restart did not keep it
  kUnroutable,         // no binding matched; dropped
  kReturned,           // no binding matched; returned to the mandatory publisher
  kDuplicateDetected,  // a Service Bus queue dropped a repeated send
  kHandlerRetry,       // a handler tries the failing message again after `delay`
  kPoisonCrash,        // the message killed the instance that started on it
};

// A message: its producer's index in the scenario and that producer's running number.
struct MessageRef {
  std::int64_t producer = -1;  // -1: no message
  std::int64_t number = -1;

  bool valid() const { return producer >= 0; }
  friend auto operator<=>(const MessageRef&, const MessageRef&) = default;
};

struct TimelineEvent {
  sim::Time at = 0;
  EventKind kind = EventKind::kIntent;
  // Who it happened at: the producer or consumer instance, the link ("a->b") for link events,
  // the group for a rebalance, the topic for an append.
  std::string component;
  MessageRef message;           // invalid for events about no message
  std::int64_t partition = -1;  // -1: none
  std::int64_t offset = -1;     // -1: none
  std::int64_t key = -1;        // intents: the key (-1: none)
  std::int64_t count = 0;       // send: attempt; give-up: attempts; intent: sequence;
                                // rebalance: generation
  std::string detail;           // crash-at-step: the step; link events: the packet type;
                                // dead letters and discards: the reason
  // Queue brokers: the queue, the dead letter's source queue, the delivery's flags, and a
  // handler retry's wait. `component` names the consumer, or the exchange for routing events.
  std::string queue;
  std::string dead_lettered_from;
  bool redelivered = false;
  bool requeue = false;
  std::int64_t returns = 0;  // dead letters and discards: times it came back unsettled
  sim::Time delay = 0;
};

// Which messages and which stretch of simulated time to keep.
struct MessageSelection {
  // Inclusive ranges of message numbers; producer -1 means every producer.
  struct Range {
    std::int64_t producer = -1;
    std::int64_t first = 0;
    std::int64_t last = 0;
  };
  std::vector<Range> ranges;        // empty: every message (then keep the window narrow)
  std::optional<std::int64_t> key;  // only messages with this key
  sim::Time from = 0;
  sim::Time until = sim::kForever;
  bool has_window = false;  // a window was asked for: keep everything inside it

  static MessageSelection Messages(const std::vector<MessageRef>& messages);
  bool SelectsNumber(MessageRef message) const;
  bool InWindow(sim::Time at) const { return at >= from && at <= until; }
};

// "17" (the first producer's message 17), "order-service:17", "10..20", "order-service:10..20".
[[nodiscard]] Result<MessageSelection::Range> ParseMessageRange(const std::string& text,
                                                                const models::Scenario& scenario);
// "30s..31s", "30s..", "..500ms" (durations as in scenario files).
[[nodiscard]] Result<Done> ParseWindow(const std::string& text, MessageSelection& selection);

// Simulated time as seconds to the microsecond: "30.005807".
std::string FormatSeconds(sim::Time at);

// How a message is named to users: "#17", or "order-service#17" when there are several
// producers.
std::string MessageName(const models::Scenario& scenario, MessageRef message);

// More events than any diagram or story can show; a wide window stops being recorded here.
inline constexpr std::size_t kMaxRecordedEvents = 100'000;

class TimelineRecorder : public sim::TraceSink {
 public:
  // `scenario` must outlive the recorder.
  TimelineRecorder(const models::Scenario& scenario, MessageSelection selection);

  void Record(sim::Time at, std::string_view kind,
              std::initializer_list<sim::TraceField> fields) override;

  // In simulated-time order, as recorded; at most kMaxRecordedEvents.
  const std::vector<TimelineEvent>& events() const { return events_; }
  // Events the selection asked for beyond kMaxRecordedEvents, counted and not kept.
  std::size_t dropped() const { return dropped_; }
  const MessageSelection& selection() const { return selection_; }

 private:
  bool KeepsMessage(const TimelineEvent& event);
  bool KeepsContext(const TimelineEvent& event);
  // Whether the group of `instance` has not yet committed past a kept message on its topic.
  bool AwaitsCommit(const std::string& instance) const;

  const models::Scenario& scenario_;
  MessageSelection selection_;
  std::set<MessageRef> chosen_by_key_;
  // (topic index, partition) -> the highest offset a kept message was appended at. Commits
  // there matter until the committing group's offset has passed it.
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> last_selected_offset_;
  // (group, topic, partition) -> the group's committed offset, as the kept commits moved it.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::int64_t> committed_;
  std::vector<TimelineEvent> events_;
  std::size_t dropped_ = 0;
};

// The topic a consumer instance reads, by the instance's name ("billing-2"); -1 if none.
std::int64_t TopicOfInstance(const models::Scenario& scenario, const std::string& instance);
// A trace's key field as a key, or -1 for none. The producer writes a keyless message's key as
// 4294967295 (models::kNoKey) rather than the -1 docs/OUTPUT.md promises; both mean none.
std::int64_t NormalisedKey(std::int64_t key);
// The group index of a consumer instance; -1 if none.
std::int64_t GroupOfInstance(const models::Scenario& scenario, const std::string& instance);
// [producer][group]: whether the group is meant to process the producer's messages. On a log
// it reads the producer's topic; on a queue broker its queue is among those the producer's
// exchange routes to, as GroupMetrics counts them (a dead-letter queue's group reads none).
std::vector<std::vector<bool>> GroupsReading(const models::Scenario& scenario);

}  // namespace deliverysim::app
