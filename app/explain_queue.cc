#include "app/explain_queue.h"

#include <fmt/format.h>

#include <deque>
#include <map>
#include <set>

#include "app/explain_outcome.h"
#include "app/report_table.h"
#include "app/timeline_queue_diagram.h"

namespace deliverysim::app {

namespace {

// What one group did with the message.
struct QueueGroupStory {
  int effects = 0;
  int skipped = 0;
  bool enqueued = false;
  std::string ended;  // how it left the group's queue unprocessed: dead letter, discard, loss
  bool dead_lettered = false;
  std::vector<std::string> duplicate_causes;
};

class QueueStory {
 public:
  QueueStory(const models::Scenario& scenario, MessageRef message)
      : scenario_(scenario),
        message_(message),
        producer_(scenario.producers[message.producer]),
        service_bus_(scenario.broker_kind == models::BrokerKind::kServiceBus),
        reads_(GroupsReading(scenario)[message.producer]),
        groups_(scenario.consumers.size()) {}

  void Add(const TimelineEvent& e);
  std::string Finish() const;

 private:
  void OnPublishing(const TimelineEvent& e);
  void OnSend(const TimelineEvent& e, const std::string& target);
  void OnPublishLink(const TimelineEvent& e);
  void OnRouting(const TimelineEvent& e);
  void OnDispatch(const TimelineEvent& e);
  void OnHandler(const TimelineEvent& e);
  void OnConsumerReply(const TimelineEvent& e);
  void OnReturned(const TimelineEvent& e);
  void OnLeftQueue(const TimelineEvent& e);
  // Why a copy that is not a redelivery came: a republish put a second copy in the queue.
  std::string CopyCause(const std::string& queue) const;
  void OnCrash(const TimelineEvent& e);
  void Say(sim::Time at, const std::string& sentence) {
    lines_.push_back(fmt::format("At {} s {}", FormatSeconds(at), sentence));
  }
  // The group consuming `queue`, or -1.
  std::int64_t GroupOfQueue(const std::string& queue) const;
  std::string LostReason(std::size_t group) const;
  const models::QueueConsumerConfig* ConsumerConfig(const std::string& instance) const;

  const models::Scenario& scenario_;
  const MessageRef message_;
  const models::ProducerConfig& producer_;
  const bool service_bus_;
  const std::vector<bool> reads_;
  std::vector<std::string> lines_;
  std::vector<QueueGroupStory> groups_;

  bool publish_lost_ = false;
  bool unroutable_ = false;
  std::int64_t gave_up_after_ = 0;
  bool poison_ = false;
  std::int64_t handler_attempts_ = 0;
  bool confirm_lost_ = false;
  bool publish_duplicated_ = false;
  std::map<std::string, std::string> held_;          // instance -> queue, delivered unsettled
  std::map<std::string, std::string> return_cause_;  // queue -> why it came back
  std::map<std::string, int> copies_;                // queue -> copies the queue took in
  // Per instance: why each delivery it has not started on came ("": the first copy's first
  // delivery), in delivery order; and why the one in its handler came.
  std::map<std::string, std::deque<std::string>> pending_causes_;
  std::map<std::string, std::string> handler_cause_;
  std::set<std::string> in_queues_;  // queues holding it now
};

std::int64_t QueueStory::GroupOfQueue(const std::string& queue) const {
  for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
    if (scenario_.consumers[g].topic == queue) return static_cast<std::int64_t>(g);
  }
  return -1;
}

const models::QueueConsumerConfig* QueueStory::ConsumerConfig(const std::string& instance) const {
  const std::int64_t group = GroupOfInstance(scenario_, instance);
  return group < 0 ? nullptr : &scenario_.consumers[group].queue;
}

void QueueStory::Add(const TimelineEvent& e) {
  const bool mine = e.message == message_;
  if (e.kind == EventKind::kCrash) {
    OnCrash(e);
    return;
  }
  if (!mine) return;
  switch (e.kind) {
    case EventKind::kIntent:
    case EventKind::kSend:
    case EventKind::kAcked:
    case EventKind::kGiveUp:
    case EventKind::kLinkLoss:
    case EventKind::kLinkDuplicate: OnPublishing(e); break;
    case EventKind::kEnqueue:
    case EventKind::kUnroutable:
    case EventKind::kReturned:
    case EventKind::kDuplicateDetected: OnRouting(e); break;
    case EventKind::kDispatch: OnDispatch(e); break;
    case EventKind::kDeliver:
    case EventKind::kHandlerRetry:
    case EventKind::kEffect:
    case EventKind::kEffectSkipped: OnHandler(e); break;
    case EventKind::kPoisonCrash: poison_ = true; break;
    case EventKind::kConsumerAck:
    case EventKind::kConsumerNack: OnConsumerReply(e); break;
    case EventKind::kRequeue:
    case EventKind::kLockExpired: OnReturned(e); break;
    case EventKind::kDeadLetter:
    case EventKind::kDiscard:
    case EventKind::kLostInRestart: OnLeftQueue(e); break;
    default: break;
  }
}

void QueueStory::OnPublishing(const TimelineEvent& e) {
  const std::string target = service_bus_ ? fmt::format("queue {}", producer_.routing_key)
                                          : fmt::format("exchange {}", producer_.exchange);
  switch (e.kind) {
    case EventKind::kIntent:
      Say(e.at, fmt::format("{} intended message {} for {} ({}, sequence {} of its key).",
                            producer_.name, MessageName(scenario_, message_), target,
                            e.key < 0 ? "no key" : fmt::format("key {}", e.key), e.count));
      break;
    case EventKind::kSend: OnSend(e, target); break;
    case EventKind::kAcked:
      Say(e.at, fmt::format("{} received the broker's {}.", producer_.name,
                            service_bus_ ? "acknowledgement" : "confirm"));
      break;
    case EventKind::kGiveUp:
      gave_up_after_ = e.count;
      Say(e.at,
          fmt::format("{} gave up on it after {} sends (max_attempts).", producer_.name, e.count));
      break;
    default: OnPublishLink(e);
  }
}

void QueueStory::OnSend(const TimelineEvent& e, const std::string& target) {
  const char* sent = service_bus_ ? "sent" : "published";
  if (e.count == 1) {
    const bool told = producer_.acks != 0 || service_bus_;
    Say(e.at, fmt::format("{} {} it to {}{}.", producer_.name, sent, target,
                          told ? ""
                               : " without publisher confirms, so it would never learn of a "
                                 "loss"));
    return;
  }
  Say(e.at, fmt::format("{} {} it again (attempt {}): no {} had come within request_timeout ({}), "
                        "and retry_backoff ({}) had passed.",
                        producer_.name, sent, e.count, service_bus_ ? "acknowledgement" : "confirm",
                        FormatDuration(producer_.request_timeout),
                        FormatDuration(producer_.retry_backoff)));
}

void QueueStory::OnPublishLink(const TimelineEvent& e) {
  const bool request = e.detail == "produce";
  const char* publish = service_bus_ ? "send" : "publish";
  const char* confirm = service_bus_ ? "acknowledgement" : "confirm";
  if (e.kind == EventKind::kLinkDuplicate) {
    publish_duplicated_ = publish_duplicated_ || request;
    Say(e.at,
        fmt::format("the link {} duplicated the {}.", e.component, request ? publish : confirm));
  } else if (request) {
    publish_lost_ = true;
    Say(e.at, fmt::format("the {} was lost on the link {}.", publish, e.component));
  } else {
    confirm_lost_ = true;
    Say(e.at, fmt::format("the broker's {} was lost on the link {}, so {} could not know the "
                          "broker had it.",
                          confirm, e.component, producer_.name));
  }
}

void QueueStory::OnRouting(const TimelineEvent& e) {
  switch (e.kind) {
    case EventKind::kEnqueue: {
      in_queues_.insert(e.queue);
      ++copies_[e.queue];
      const std::int64_t group = GroupOfQueue(e.queue);
      if (group >= 0) groups_[group].enqueued = true;
      if (!e.dead_lettered_from.empty()) {
        Say(e.at, fmt::format("the dead-letter exchange {} routed it to queue {}.", e.component,
                              e.queue));
      } else if (service_bus_) {
        Say(e.at, fmt::format("queue {} accepted it.", e.queue));
      } else {
        Say(e.at, fmt::format("exchange {} routed it to queue {}.", e.component, e.queue));
      }
      break;
    }
    case EventKind::kDuplicateDetected: {
      const std::int64_t group = GroupOfQueue(e.queue);
      const models::QueueConfig* queue = nullptr;
      for (const auto& q : scenario_.queue_broker.queues) {
        if (q.name == e.queue) queue = &q;
      }
      Say(e.at,
          fmt::format("queue {} had accepted this message id within its duplicate "
                      "detection window ({}), so it dropped this copy.",
                      e.queue, FormatDuration(queue ? queue->duplicate_detection_window : 0)));
      if (group >= 0) groups_[group].enqueued = true;
      break;
    }
    default:
      unroutable_ = true;
      Say(e.at, fmt::format("exchange {} matched no binding for routing key '{}', so the broker "
                            "{}.",
                            e.component, producer_.routing_key,
                            e.kind == EventKind::kReturned
                                ? fmt::format("returned it to {} (mandatory)", producer_.name)
                                : std::string("dropped it (unroutable)")));
  }
}

std::string QueueStory::CopyCause(const std::string& queue) const {
  const auto copies = copies_.find(queue);
  if (copies == copies_.end() || copies->second < 2) return "";
  std::string how = "a republish after no confirm came in time";
  if (service_bus_) how = "a repeated send after no acknowledgement came in time";
  if (publish_duplicated_) how = "the link duplicating the publish";
  if (confirm_lost_) {
    how = fmt::format("a {} after the {} was lost on its link",
                      service_bus_ ? "repeated send" : "republish",
                      service_bus_ ? "acknowledgement" : "confirm");
  }
  return fmt::format("copy {} of the message, which {} put in queue {}", copies->second, how,
                     queue);
}

void QueueStory::OnDispatch(const TimelineEvent& e) {
  held_[e.component] = e.queue;
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  const models::QueueConsumerConfig* config = ConsumerConfig(e.component);
  if (config && config->ack == models::AckMode::kAuto) in_queues_.erase(e.queue);
  if (!e.redelivered) {
    pending_causes_[e.component].push_back(CopyCause(e.queue));
    Say(e.at, fmt::format("the broker delivered it from queue {} to {} (group {}).", e.queue,
                          e.component, group < 0 ? "?" : scenario_.consumers[group].group));
    return;
  }
  const std::string cause = return_cause_.count(e.queue) ? return_cause_[e.queue] : "";
  pending_causes_[e.component].push_back(cause.empty() ? "a redelivery" : "a redelivery " + cause);
  Say(e.at, fmt::format("the broker delivered it again from queue {} to {}, with the redelivered "
                        "flag set{}.",
                        e.queue, e.component, cause.empty() ? "" : ": " + cause));
}

void QueueStory::OnHandler(const TimelineEvent& e) {
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  if (group < 0) return;
  QueueGroupStory& story = groups_[group];
  switch (e.kind) {
    case EventKind::kDeliver: {
      handler_attempts_ = 1;
      std::deque<std::string>& pending = pending_causes_[e.component];
      handler_cause_[e.component] = pending.empty() ? "" : pending.front();
      if (!pending.empty()) pending.pop_front();
      Say(e.at, fmt::format("{}'s handler started on it.", e.component));
      break;
    }
    case EventKind::kHandlerRetry: {
      handler_attempts_ = e.count;
      const auto& retry = scenario_.consumers[group].queue.retry;
      Say(e.at,
          fmt::format("{}'s handler failed on it (attempt {}{}); its retry policy waits {} "
                      "before attempt {}.",
                      e.component, e.count - 1,
                      retry.max_attempts == 0 ? "" : fmt::format(" of {}", retry.max_attempts),
                      FormatDuration(e.delay), e.count));
      break;
    }
    case EventKind::kEffectSkipped:
      ++story.skipped;
      Say(e.at, fmt::format("{}'s inbox already held the id, so the side effect was skipped.",
                            e.component));
      break;
    default:
      ++story.effects;
      if (story.effects == 1) {
        Say(e.at, fmt::format("{} ran the side effect.", e.component));
        break;
      }
      Say(e.at, fmt::format("{} ran the side effect AGAIN: a duplicate effect.", e.component));
      const std::string& cause = handler_cause_[e.component];
      story.duplicate_causes.push_back(
          cause.empty() ? fmt::format("{} was handed it again and processed it", e.component)
                        : fmt::format("{} processed {}", e.component, cause));
  }
}

void QueueStory::OnConsumerReply(const TimelineEvent& e) {
  held_.erase(e.component);
  if (e.kind == EventKind::kConsumerAck) {
    in_queues_.erase(e.queue);
    Say(e.at, fmt::format("{} {} it, and the broker removed it from queue {}.", e.component,
                          service_bus_ ? "completed" : "acknowledged", e.queue));
    return;
  }
  const char* nacked = service_bus_ ? "abandoned" : "nacked with requeue";
  if (e.requeue) {
    return_cause_[e.queue] = fmt::format("after {} {} it", e.component, nacked);
    Say(e.at, fmt::format("{} {} it.", e.component, nacked));
  } else if (handler_attempts_ > 1) {
    Say(e.at, fmt::format("{} rejected it without requeue: its handler had failed {} times, all "
                          "the attempts its retry policy allows.",
                          e.component, handler_attempts_));
  } else {
    Say(e.at, fmt::format("{} rejected it without requeue: its handler failed.", e.component));
  }
}

void QueueStory::OnReturned(const TimelineEvent& e) {
  if (e.kind == EventKind::kRequeue) {
    Say(e.at,
        fmt::format("queue {} took it back at its old position, marked redelivered.", e.queue));
    return;
  }
  return_cause_[e.queue] = fmt::format("after the lock {} held ran out", e.component);
  Say(e.at, fmt::format("the lock {} held on it expired before a completion, so it became "
                        "visible in queue {} again and its delivery count rose.",
                        e.component, e.queue));
}

void QueueStory::OnLeftQueue(const TimelineEvent& e) {
  in_queues_.erase(e.queue);
  const std::int64_t group = GroupOfQueue(e.queue);
  QueueGroupStory* story = group >= 0 ? &groups_[group] : nullptr;
  const std::string reason = DeadLetterReason(scenario_, e, handler_attempts_);
  if (e.kind == EventKind::kDeadLetter) {
    if (story) {
      story->dead_lettered = true;
      story->ended = fmt::format("queue {} dead-lettered it at {} s: {}", e.queue,
                                 FormatSeconds(e.at), reason);
    }
    Say(e.at,
        fmt::format("queue {} dead-lettered it{}: {}.", e.queue,
                    service_bus_ ? fmt::format(" to {}/$DeadLetterQueue", e.queue) : "", reason));
  } else if (e.kind == EventKind::kDiscard) {
    if (story) {
      story->ended = fmt::format("queue {} discarded it ({}) for want of a dead-letter exchange",
                                 e.queue, reason);
    }
    Say(e.at, fmt::format("queue {} discarded it ({}): it has no dead-letter exchange.", e.queue,
                          reason));
  } else {
    if (story) story->ended = "the broker restart did not keep it";
    Say(e.at, fmt::format("the broker's restart lost it from queue {}: a transient message or "
                          "queue does not survive one.",
                          e.queue));
  }
}

void QueueStory::OnCrash(const TimelineEvent& e) {
  if (e.component == models::kBrokerName) {
    if (in_queues_.empty() && held_.empty()) return;
    for (const auto& [instance, queue] : held_) {
      return_cause_[queue] = fmt::format("after the broker's crash at {} s", FormatSeconds(e.at));
    }
    held_.clear();
    pending_causes_.clear();  // consumers drop the deliveries of a lost connection
    Say(e.at, "the broker crashed while it held the message: every connection closed.");
    return;
  }
  // A crashed instance's unstarted deliveries died with it.
  pending_causes_.erase(e.component);
  const auto held = held_.find(e.component);
  if (held == held_.end()) return;
  const std::string queue = held->second;
  held_.erase(held);
  const std::string how = poison_ ? " as soon as its handler started on this poison message" : "";
  poison_ = false;
  const models::QueueConsumerConfig* config = ConsumerConfig(e.component);
  if (config && config->ack == models::AckMode::kAuto) {
    Say(e.at, fmt::format("{} crashed{} while holding it; under automatic acknowledgement the "
                          "broker had already forgotten it.",
                          e.component, how));
    return;
  }
  return_cause_[queue] =
      fmt::format("after the crash of {} at {} s", e.component, FormatSeconds(e.at));
  Say(e.at, fmt::format("{} crashed{} while holding it unsettled; {}.", e.component, how,
                        service_bus_
                            ? "its lock stays until it runs out"
                            : "its connection closed, so the broker returns it to queue " + queue));
}

std::string QueueStory::LostReason(std::size_t group) const {
  const QueueGroupStory& story = groups_[group];
  if (!story.ended.empty()) return story.ended;
  const std::string& queue = scenario_.consumers[group].topic;
  if (!story.enqueued) {
    if (gave_up_after_ > 0) {
      return fmt::format("the producer gave up after {} sends", gave_up_after_);
    }
    if (unroutable_) return "no binding matched its routing key";
    if (publish_lost_ && producer_.acks == 0) {
      return "the publish was lost on its link, and without confirms nothing republishes it";
    }
    return fmt::format("it never reached queue {}", queue);
  }
  const models::QueueConsumerConfig& config = scenario_.consumers[group].queue;
  if (config.ack == models::AckMode::kAuto) {
    return fmt::format(
        "it left queue {} under automatic acknowledgement, and the instance that "
        "had it never ran its effect",
        queue);
  }
  return fmt::format("it is in queue {}, but no instance processed it before the drain ended",
                     queue);
}

std::string QueueStory::Finish() const {
  std::string out;
  for (const std::string& line : lines_) out += line + "\n";
  for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
    const QueueGroupStory& story = groups_[g];
    if (!reads_[g] && !story.enqueued) continue;
    const std::string name =
        fmt::format("{} (queue {})", scenario_.consumers[g].group, scenario_.consumers[g].topic);
    if (story.effects == 0 && story.dead_lettered) {
      out += fmt::format("Outcome for group {}: DEAD-LETTERED, its side effect never ran: {}.\n",
                         name, story.ended);
    } else {
      out += OutcomeLine({name, story.effects, story.skipped, story.duplicate_causes,
                          story.effects == 0 ? LostReason(g) : "",
                          story.dead_lettered ? story.ended : ""});
    }
  }
  return out;
}

}  // namespace

std::string ExplainQueueMessage(const models::Scenario& scenario,
                                const std::vector<TimelineEvent>& events, MessageRef message) {
  QueueStory story(scenario, message);
  for (const TimelineEvent& event : events) story.Add(event);
  return story.Finish();
}

}  // namespace deliverysim::app
