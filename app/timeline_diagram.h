// A sequence diagram of recorded events: one lane per component (producers, partitions,
// consumer instances) and one row per event, drawn as an arrow between two lanes or a mark on
// one. The terminal and HTML renderers both draw a TimelineDiagram.
//
//   TimelineDiagram diagram = BuildTimeline(scenario, recorder.events(), recorder.selection());
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "app/timeline_events.h"
#include "models/scenario.h"

namespace deliverysim::app {

enum class RowStyle {
  kIntent,           // mark on the producer
  kSend,             // producer -> partition
  kAppend,           // mark on the partition
  kAck,              // partition -> producer
  kGiveUp,           // mark on the producer
  kLinkLoss,         // a packet lost on its way: arrow cut halfway
  kLinkDuplicate,    // mark on the sender
  kDeliver,          // partition -> consumer
  kRedeliver,        // partition -> consumer, an offset the group had been handed before
  kEffect,           // mark on the consumer
  kDuplicateEffect,  // mark on the consumer: the message's effect ran again in its group
  kEffectSkipped,    // mark on the consumer: the inbox knew the id
  kDeadLettered,     // mark on the consumer: unreadable schema version, dead-lettered
  kCommit,           // consumer -> partition
  kCommitRefused,    // consumer -> partition, refused
  kCrash,            // mark on the component
  kRestart,          // mark on the component
  kRebalance,        // across the diagram, no lane
  // Queue brokers. A publish is a kSend to the exchange (to the queue on Service Bus), a
  // publisher confirm a kAck, a delivery a kDeliver or, with the redelivered flag, kRedeliver.
  kRoute,             // exchange -> queue
  kProcess,           // mark on the consumer: its handler starts on the message
  kHandlerRetry,      // mark on the consumer: the handler will try again after a wait
  kConsumerAck,       // consumer -> queue: ack (Service Bus: complete)
  kNack,              // consumer -> queue: nack with requeue (abandon) or reject
  kRequeue,           // mark on the queue: back in it, at its old position
  kLockExpired,       // mark on the consumer: its lock ran out
  kDeadLetter,        // queue -> dead-letter queue, with the reason
  kDiscard,           // mark on the queue: dropped, no dead-letter exchange
  kUnroutable,        // mark on the exchange: no queue matched (dropped or returned)
  kLostInRestart,     // mark on the queue: a broker restart did not keep it
  kDuplicateDropped,  // mark on the queue: duplicate detection dropped a repeated send
  kBrokerCrash,       // on every lane: the broker went down
  kBrokerRestart,     // on every lane: the broker came back
};

struct TimelineRow {
  sim::Time at = 0;
  int from = -1;  // lane index; -1: none (a rebalance)
  int to = -1;    // lane index; equal to `from` for a mark
  RowStyle style = RowStyle::kIntent;
  std::string label;  // short words for the row: "send #17 attempt 2"
  MessageRef message;
  std::int64_t key = -1;
};

struct TimelineDiagram {
  std::vector<std::string> lanes;
  std::vector<TimelineRow> rows;
  std::size_t rows_left_out = 0;  // rows past `max_rows`
  bool queue_broker = false;      // lanes are exchanges and queues rather than partitions
};

// Lanes come in scenario order: producers, then each topic's partitions ("orders/3"), then
// consumer instances; for a queue broker, producers, exchanges, queues (a Service Bus queue's
// dead-letter sub-queue beside its queue), then consumer instances (timeline_queue_diagram.h).
// Crashes and restarts are drawn when they cut a selected message's work (the component had it in
// hand, unacknowledged or uncommitted), or, with a window, always. Commits are drawn when they move
// a group's committed offset past a selected message.
TimelineDiagram BuildTimeline(const models::Scenario& scenario,
                              const std::vector<TimelineEvent>& events,
                              const MessageSelection& selection, std::size_t max_rows = 400);

// Whether a row is a fault or a repeat, drawn to stand out.
bool IsAlarm(RowStyle style);
// A one-word name for the style, used as a CSS class and in tests: "redeliver".
const char* RowStyleName(RowStyle style);
// The glyph of a mark ('o' for styles that are arrows), the same in the terminal and the page.
char MarkGlyph(RowStyle style);
// The character an arrow of this style is drawn with: '-', or '=' for a redelivery, '.' for a
// nack or reject, ':' for a dead letter.
char ArrowLine(RowStyle style);

}  // namespace deliverysim::app
