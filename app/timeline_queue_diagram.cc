#include "app/timeline_queue_diagram.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "app/report_table.h"
#include "app/timeline_lanes.h"

namespace deliverysim::app {

namespace {

const models::QueueConfig* FindQueue(const models::Scenario& scenario, const std::string& name) {
  for (const models::QueueConfig& queue : scenario.queue_broker.queues) {
    if (queue.name == name) return &queue;
  }
  return nullptr;
}

class QueueBuilder {
 public:
  QueueBuilder(const models::Scenario& scenario, const MessageSelection& selection)
      : scenario_(scenario),
        service_bus_(scenario.broker_kind == models::BrokerKind::kServiceBus),
        everything_(selection.has_window) {}

  void Add(const TimelineEvent& e);
  TimelineDiagram Finish(std::size_t max_rows) {
    TimelineDiagram diagram = AssembleDiagram(rows_, max_rows);
    diagram.queue_broker = true;
    return diagram;
  }

 private:
  void OnPublishing(const TimelineEvent& e);
  // A message reaching a queue: routed there, or dead-lettered there.
  void OnArrival(const TimelineEvent& e);
  // Marks on a queue or exchange lane: requeued, discarded, lost, unroutable, duplicate.
  void OnQueueMark(const TimelineEvent& e);
  void OnConsuming(const TimelineEvent& e);
  void OnEffect(const TimelineEvent& e);
  void OnCrashOrRestart(const TimelineEvent& e);
  void OnControlPacket(const TimelineEvent& e);

  std::optional<LaneKey> ProducerLane(std::int64_t producer) const;
  std::optional<LaneKey> ExchangeLane(const std::string& name) const;
  std::optional<LaneKey> QueueLane(const std::string& name, bool dead_letter_sub_queue) const;
  std::optional<LaneKey> ConsumerLane(const std::string& instance) const;
  // Where a producer's messages go: its exchange, or on Service Bus its queue.
  std::optional<LaneKey> PublishLane(std::int64_t producer) const;
  std::string Name(MessageRef m) const { return MessageName(scenario_, m); }
  void Emit(const TimelineEvent& e, std::optional<LaneKey> from, std::optional<LaneKey> to,
            RowStyle style, std::string label);

  const models::Scenario& scenario_;
  const bool service_bus_;
  const bool everything_;
  std::vector<PendingRow> rows_;
  std::map<MessageRef, std::int64_t> keys_;
  std::set<std::pair<std::int64_t, MessageRef>> effects_;  // (group, message)
  // Per consumer instance: the selected messages delivered to it and not yet settled.
  std::map<std::string, std::set<MessageRef>> open_;
  std::map<std::string, MessageRef> poisoned_;  // instance -> the message that is killing it
  std::set<std::string> restart_wanted_;
  std::map<MessageRef, std::int64_t> handler_attempts_;
  // A RabbitMQ dead letter's reason, kept for the arrows to the queues its exchange routes to.
  std::map<MessageRef, std::string> dead_letter_reason_;
};

std::optional<LaneKey> QueueBuilder::ProducerLane(std::int64_t producer) const {
  if (producer < 0 || producer >= static_cast<std::int64_t>(scenario_.producers.size())) {
    return std::nullopt;
  }
  return LaneKey{0, producer, 0, scenario_.producers[producer].name};
}

std::optional<LaneKey> QueueBuilder::ExchangeLane(const std::string& name) const {
  const auto& exchanges = scenario_.queue_broker.exchanges;
  for (std::size_t e = 0; e < exchanges.size(); ++e) {
    // Service Bus's hidden exchange has no name and no lane: senders address queues.
    if (exchanges[e].name == name && !name.empty()) {
      return LaneKey{1, static_cast<std::int64_t>(e), 0, name};
    }
  }
  return std::nullopt;
}

std::optional<LaneKey> QueueBuilder::QueueLane(const std::string& name,
                                               bool dead_letter_sub_queue) const {
  const auto& queues = scenario_.queue_broker.queues;
  for (std::size_t q = 0; q < queues.size(); ++q) {
    if (queues[q].name != name) continue;
    // Azure names a queue's dead-letter sub-queue QUEUE/$DeadLetterQueue.
    return LaneKey{2, static_cast<std::int64_t>(q), dead_letter_sub_queue ? 1 : 0,
                   dead_letter_sub_queue ? name + "/$DeadLetterQueue" : name};
  }
  return std::nullopt;
}

std::optional<LaneKey> QueueBuilder::ConsumerLane(const std::string& instance) const {
  const std::int64_t group = GroupOfInstance(scenario_, instance);
  if (group < 0) return std::nullopt;
  const auto number = std::stoll(instance.substr(scenario_.consumers[group].group.size() + 1));
  return LaneKey{3, group, number, instance};
}

std::optional<LaneKey> QueueBuilder::PublishLane(std::int64_t producer) const {
  const models::ProducerConfig& config = scenario_.producers[producer];
  return service_bus_ ? QueueLane(config.routing_key, false) : ExchangeLane(config.exchange);
}

void QueueBuilder::Emit(const TimelineEvent& e, std::optional<LaneKey> from,
                        std::optional<LaneKey> to, RowStyle style, std::string label) {
  // A lane the scenario does not know (a component outside it) leaves nothing to draw on.
  if (!from && style != RowStyle::kBrokerCrash && style != RowStyle::kBrokerRestart) return;
  PendingRow pending;
  pending.row.at = e.at;
  pending.row.style = style;
  pending.row.label = std::move(label);
  pending.row.message = e.message;
  if (e.message.valid() && keys_.count(e.message)) pending.row.key = keys_.at(e.message);
  pending.from = std::move(from);
  pending.to = to ? std::move(to) : pending.from;
  rows_.push_back(std::move(pending));
}

void QueueBuilder::Add(const TimelineEvent& e) {
  switch (e.kind) {
    case EventKind::kIntent:
    case EventKind::kSend:
    case EventKind::kAcked:
    case EventKind::kGiveUp:
    case EventKind::kLinkLoss:
    case EventKind::kLinkDuplicate:
      if (e.message.valid()) {
        OnPublishing(e);
      } else {
        OnControlPacket(e);
      }
      break;
    case EventKind::kEnqueue:
    case EventKind::kDeadLetter: OnArrival(e); break;
    case EventKind::kDiscard:
    case EventKind::kRequeue:
    case EventKind::kLostInRestart:
    case EventKind::kUnroutable:
    case EventKind::kReturned:
    case EventKind::kDuplicateDetected: OnQueueMark(e); break;
    case EventKind::kDispatch:
    case EventKind::kDeliver:
    case EventKind::kHandlerRetry:
    case EventKind::kConsumerAck:
    case EventKind::kConsumerNack:
    case EventKind::kLockExpired: OnConsuming(e); break;
    case EventKind::kEffect:
    case EventKind::kEffectSkipped: OnEffect(e); break;
    case EventKind::kPoisonCrash: poisoned_[e.component] = e.message; break;
    case EventKind::kCrash:
    case EventKind::kRestart: OnCrashOrRestart(e); break;
    default: break;
  }
}

void QueueBuilder::OnPublishing(const TimelineEvent& e) {
  const MessageRef m = e.message;
  const auto producer = ProducerLane(m.producer);
  const auto target = PublishLane(m.producer);
  const char* verb = service_bus_ ? "send" : "publish";
  switch (e.kind) {
    case EventKind::kIntent: {
      keys_[m] = e.key;
      const std::string key = e.key < 0 ? "no key" : fmt::format("key {}", e.key);
      Emit(e, producer, std::nullopt, RowStyle::kIntent,
           fmt::format("{} intended ({}, seq {})", Name(m), key, e.count));
      break;
    }
    case EventKind::kSend:
      Emit(e, producer, target, RowStyle::kSend,
           e.count > 1 ? fmt::format("{} {} again (attempt {})", verb, Name(m), e.count)
                       : fmt::format("{} {}", verb, Name(m)));
      break;
    case EventKind::kAcked:
      Emit(e, target, producer, RowStyle::kAck,
           fmt::format("{} {}", service_bus_ ? "ack" : "confirm", Name(m)));
      break;
    case EventKind::kGiveUp:
      Emit(e, producer, std::nullopt, RowStyle::kGiveUp,
           fmt::format("{} given up after {} sends", Name(m), e.count));
      break;
    default: {
      const bool request = e.detail == "produce";
      const std::string what = request ? verb : (service_bus_ ? "ack" : "confirm");
      if (e.kind == EventKind::kLinkLoss) {
        Emit(e, request ? producer : target, request ? target : producer, RowStyle::kLinkLoss,
             fmt::format("{} of {} LOST on link", what, Name(m)));
      } else {
        Emit(e, request ? producer : target, std::nullopt, RowStyle::kLinkDuplicate,
             fmt::format("{} of {} duplicated on link", what, Name(m)));
      }
    }
  }
}

void QueueBuilder::OnArrival(const TimelineEvent& e) {
  const MessageRef m = e.message;
  const auto queue = QueueLane(e.queue, false);
  if (e.kind == EventKind::kDeadLetter) {
    const std::string reason = DeadLetterReason(scenario_, e, handler_attempts_[m]);
    if (service_bus_) {
      Emit(e, queue, QueueLane(e.queue, true), RowStyle::kDeadLetter,
           fmt::format("DEAD-LETTER {}: {}", Name(m), reason));
    } else {
      // Drawn with the arrows to the queues its dead-letter exchange routes it to.
      dead_letter_reason_[m] = reason;
    }
  } else if (!e.dead_lettered_from.empty()) {
    Emit(e, QueueLane(e.dead_lettered_from, false), queue, RowStyle::kDeadLetter,
         fmt::format("DEAD-LETTER {} to {} via {}: {}", Name(m), e.queue, e.component,
                     dead_letter_reason_[m]));
  } else if (!service_bus_) {
    // On Service Bus the send's arrow already ends at the queue.
    Emit(e, ExchangeLane(e.component), queue, RowStyle::kRoute,
         fmt::format("route {} to {}", Name(m), e.queue));
  }
}

void QueueBuilder::OnQueueMark(const TimelineEvent& e) {
  const MessageRef m = e.message;
  const auto queue = QueueLane(e.queue, false);
  switch (e.kind) {
    case EventKind::kDiscard:
      Emit(e, queue, std::nullopt, RowStyle::kDiscard,
           fmt::format("DISCARDED {}: {}, and no dead-letter exchange", Name(m),
                       DeadLetterReason(scenario_, e, handler_attempts_[m])));
      break;
    case EventKind::kRequeue:
      Emit(e, queue, std::nullopt, RowStyle::kRequeue,
           fmt::format("{} requeued at its old position", Name(m)));
      break;
    case EventKind::kLostInRestart: {
      const models::QueueConfig* config = FindQueue(scenario_, e.queue);
      Emit(e, queue, std::nullopt, RowStyle::kLostInRestart,
           fmt::format(
               "LOST {} in the broker restart: {}", Name(m),
               config && !config->durable ? "the queue is transient" : "the message is transient"));
      break;
    }
    case EventKind::kUnroutable:
    case EventKind::kReturned:
      Emit(e, ExchangeLane(e.component), std::nullopt, RowStyle::kUnroutable,
           fmt::format("{} {}: no binding matched{}",
                       e.kind == EventKind::kReturned ? "RETURNED" : "UNROUTABLE", Name(m),
                       e.kind == EventKind::kReturned ? " (mandatory)" : ", dropped"));
      break;
    default:
      Emit(e, queue, std::nullopt, RowStyle::kDuplicateDropped,
           fmt::format("repeat of {} dropped (duplicate detection)", Name(m)));
  }
}

void QueueBuilder::OnConsuming(const TimelineEvent& e) {
  const MessageRef m = e.message;
  const auto consumer = ConsumerLane(e.component);
  const auto queue = QueueLane(e.queue, false);
  switch (e.kind) {
    case EventKind::kDispatch:
      open_[e.component].insert(m);
      Emit(e, queue, consumer, e.redelivered ? RowStyle::kRedeliver : RowStyle::kDeliver,
           e.redelivered
               ? fmt::format("REDELIVER {} to {} (redelivered flag)", Name(m), e.component)
               : fmt::format("deliver {} to {}", Name(m), e.component));
      break;
    case EventKind::kDeliver:
      handler_attempts_[m] = 1;
      Emit(e, consumer, std::nullopt, RowStyle::kProcess, fmt::format("process {}", Name(m)));
      break;
    case EventKind::kHandlerRetry:
      handler_attempts_[m] = e.count;
      Emit(e, consumer, std::nullopt, RowStyle::kHandlerRetry,
           fmt::format("{} failed (attempt {}); retry in {}", Name(m), e.count - 1,
                       FormatDuration(e.delay)));
      break;
    case EventKind::kConsumerAck:
      open_[e.component].erase(m);
      Emit(e, consumer, queue, RowStyle::kConsumerAck,
           fmt::format("{} {}", service_bus_ ? "complete" : "ack", Name(m)));
      break;
    case EventKind::kConsumerNack: {
      open_[e.component].erase(m);
      const char* what = e.requeue ? (service_bus_ ? "ABANDON" : "NACK, requeue,")
                                   : (service_bus_ ? "DEAD-LETTER request for" : "REJECT");
      Emit(e, consumer, queue, RowStyle::kNack, fmt::format("{} {}", what, Name(m)));
      break;
    }
    default: {
      const models::QueueConfig* config = FindQueue(scenario_, e.queue);
      Emit(e, consumer, std::nullopt, RowStyle::kLockExpired,
           fmt::format("LOCK on {} EXPIRED after {}", Name(m),
                       FormatDuration(config ? config->lock_duration : 0)));
    }
  }
}

void QueueBuilder::OnEffect(const TimelineEvent& e) {
  const MessageRef m = e.message;
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  // Under automatic acknowledgement the broker forgot the message when it sent it.
  if (group >= 0 && scenario_.consumers[group].queue.ack == models::AckMode::kAuto) {
    open_[e.component].erase(m);
  }
  const auto consumer = ConsumerLane(e.component);
  if (e.kind == EventKind::kEffectSkipped) {
    Emit(e, consumer, std::nullopt, RowStyle::kEffectSkipped,
         fmt::format("inbox knows {}: effect skipped", Name(m)));
  } else if (!effects_.insert({group, m}).second) {
    Emit(e, consumer, std::nullopt, RowStyle::kDuplicateEffect,
         fmt::format("DUPLICATE effect of {}", Name(m)));
  } else {
    Emit(e, consumer, std::nullopt, RowStyle::kEffect, fmt::format("effect of {}", Name(m)));
  }
}

void QueueBuilder::OnCrashOrRestart(const TimelineEvent& e) {
  if (e.component == models::kBrokerName) {
    const bool crash = e.kind == EventKind::kCrash;
    Emit(e, std::nullopt, std::nullopt, crash ? RowStyle::kBrokerCrash : RowStyle::kBrokerRestart,
         crash ? "BROKER CRASH: every connection closes" : "broker restarted");
    return;
  }
  const auto lane = ConsumerLane(e.component);
  std::optional<LaneKey> producer;
  for (std::size_t p = 0; p < scenario_.producers.size(); ++p) {
    if (scenario_.producers[p].name == e.component) {
      producer = ProducerLane(static_cast<std::int64_t>(p));
    }
  }
  const auto drawn_on = lane ? lane : producer;
  if (e.kind == EventKind::kRestart) {
    if (everything_ || restart_wanted_.erase(e.component) > 0) {
      Emit(e, drawn_on, std::nullopt, RowStyle::kRestart, fmt::format("restart {}", e.component));
    }
    return;
  }
  std::set<MessageRef>& open = open_[e.component];
  const auto poison = poisoned_.find(e.component);
  const bool poisoned = poison != poisoned_.end();
  if (!everything_ && open.empty() && !poisoned) return;
  std::string label = fmt::format("CRASH {}", e.component);
  if (poisoned) label += fmt::format(": poison {} killed it", Name(poison->second));
  // The poison message is in hand by definition; name another one held, if any.
  for (const MessageRef& held : open) {
    if (poisoned && held == poison->second) continue;
    label += fmt::format(", holding {}", Name(held));
    break;
  }
  if (poisoned) poisoned_.erase(poison);
  open.clear();
  restart_wanted_.insert(e.component);
  Emit(e, drawn_on, std::nullopt, RowStyle::kCrash, std::move(label));
}

void QueueBuilder::OnControlPacket(const TimelineEvent& e) {
  // Subscriptions, deliveries and acknowledgements lost or duplicated, drawn on the client's
  // lane; the recorder keeps them only inside a window.
  const auto arrow = e.component.find("->");
  if (arrow == std::string::npos) return;
  const std::string sender = e.component.substr(0, arrow);
  const std::string client = sender == models::kBrokerName ? e.component.substr(arrow + 2) : sender;
  Emit(e, ConsumerLane(client), std::nullopt,
       e.kind == EventKind::kLinkLoss ? RowStyle::kLinkLoss : RowStyle::kLinkDuplicate,
       fmt::format("{} packet {} on {}", e.detail,
                   e.kind == EventKind::kLinkLoss ? "LOST" : "duplicated", e.component));
}

}  // namespace

std::string DeadLetterReason(const models::Scenario& scenario, const TimelineEvent& e,
                             std::int64_t handler_attempts) {
  const models::QueueConfig* config = FindQueue(scenario, e.queue);
  if (e.detail == "delivery-limit") {
    return fmt::format("delivery limit exceeded (returned {} times, delivery_limit {})", e.returns,
                       config ? config->delivery_limit : 0);
  }
  if (e.detail == "MaxDeliveryCountExceeded") {
    return fmt::format("MaxDeliveryCountExceeded (delivery count {}, max_delivery_count {})",
                       e.returns, config ? config->max_delivery_count : 0);
  }
  if (e.detail == "rejected" && handler_attempts > 1) {
    return fmt::format("rejected when its {} handler attempts ran out", handler_attempts);
  }
  return e.detail;
}

TimelineDiagram BuildQueueTimeline(const models::Scenario& scenario,
                                   const std::vector<TimelineEvent>& events,
                                   const MessageSelection& selection, std::size_t max_rows) {
  QueueBuilder builder(scenario, selection);
  for (const TimelineEvent& event : events) builder.Add(event);
  return builder.Finish(max_rows);
}

}  // namespace deliverysim::app
