#include "models/failing_handler_chain.h"

#include <algorithm>

#include "models/topic_pattern.h"

namespace deliverysim::models {

namespace {

bool Routes(const QueueBrokerConfig& broker, const std::string& exchange, const std::string& key) {
  const auto found = std::find_if(broker.exchanges.begin(), broker.exchanges.end(),
                                  [&](const ExchangeConfig& e) { return e.name == exchange; });
  if (found == broker.exchanges.end()) return false;
  return std::any_of(broker.bindings.begin(), broker.bindings.end(), [&](const BindingConfig& b) {
    if (b.exchange != exchange) return false;
    switch (found->type) {
      case ExchangeType::kFanout: return true;
      case ExchangeType::kDirect: return b.key == key;
      case ExchangeType::kTopic: return TopicMatches(b.key, key);
    }
    return false;
  });
}

// Whether the queue's dead letters reach a queue, as one answer for every producer's messages;
// `why` is set when the answer differs between producers.
bool HasDeadLetterQueue(const Scenario& s, const QueueConfig& queue, std::string& why) {
  if (s.broker_kind == BrokerKind::kServiceBus) return true;  // every queue has its sub-queue
  if (queue.dead_letter_exchange.empty()) return false;
  bool any = false, all = true;
  for (const ProducerConfig& p : s.producers) {
    const std::string& key =
        queue.dead_letter_routing_key.empty() ? p.routing_key : queue.dead_letter_routing_key;
    const bool routed = Routes(s.queue_broker, queue.dead_letter_exchange, key);
    any = any || routed;
    all = all && routed;
  }
  if (any && !all) why = "some producers' dead letters reach a queue and others' are discarded";
  return any;
}

// The first link that loses or duplicates packets, or "" when every link is lossless.
std::string LossyLink(const Scenario& s) {
  for (const LinkConfig& link : s.network.links) {
    if (link.loss > 0 || link.duplicate > 0) {
      return "link " + link.from + " -> " + link.to + " loses or duplicates packets";
    }
  }
  for (const LinkFault& fault : s.link_faults) {
    if (fault.loss > 0 || fault.duplicate > 0) {
      return "a fault on " + fault.from + " -> " + fault.to + " loses or duplicates packets";
    }
  }
  return "";
}

// "" when the group's failing attempts are independent trials of one message, else why not.
std::string ChainTrouble(const Scenario& s, const ConsumerGroupConfig& g) {
  const QueueConsumerConfig& q = g.queue;
  for (const ProducerConfig& p : s.producers) {
    if (p.poison > 0) {
      return "producer " + p.name + " sends poison messages, which fail every attempt";
    }
  }
  if (q.ack == AckMode::kAuto) {
    return "with automatic acknowledgement a failed attempt is gone: nothing is retried or "
           "dead-lettered";
  }
  if (q.on_poison == PoisonAction::kCrash) {
    return "on_poison: crash: a failed attempt kills the instance, and its closed connection "
           "returns every message it holds, attempted or not";
  }
  if (!s.crashes.empty()) {
    return "the scenario has crashes, which return messages without a failed attempt";
  }
  if (const std::string lossy = LossyLink(s); !lossy.empty()) {
    return lossy + "; the chain is set for lossless links (request and acknowledgement loss 0)";
  }
  return "";
}

// Fills the attempts and the path of `check` from the on_poison action.
void SetAttempts(const Scenario& s, const QueueConfig& queue, const QueueConsumerConfig& q,
                 DeadLetterCheck& check) {
  const bool service_bus = s.broker_kind == BrokerKind::kServiceBus;
  std::uint32_t attempts = 1;
  switch (q.on_poison) {
    case PoisonAction::kRetry:
      attempts = q.retry.max_attempts;
      check.path = "retried in the handler, then rejected";
      break;
    case PoisonAction::kReject:
      check.path = service_bus ? "dead-lettered by the handler" : "rejected by the handler";
      break;
    case PoisonAction::kRequeue:
      if (service_bus) {
        attempts = queue.max_delivery_count;
        check.path = "abandoned; max_delivery_count " + std::to_string(attempts) + " deliveries";
      } else if (queue.type == QueueType::kQuorum && queue.delivery_limit > 0) {
        // RabbitMQ counts returns: "returned more times than the limit" allows limit + 1.
        attempts = queue.delivery_limit + 1;
        check.path = "requeued; the quorum queue's delivery_limit " +
                     std::to_string(queue.delivery_limit) + " allows " + std::to_string(attempts) +
                     " deliveries";
      } else {
        attempts = 0;
        check.path = "requeued with no delivery limit";
      }
      break;
    case PoisonAction::kCrash: break;  // refused by ChainTrouble
  }
  check.unlimited = attempts == 0;
  check.policy.max_attempts = attempts;
}

}  // namespace

FailingHandlerMapping MapFailingHandler(const Scenario& s, const ConsumerGroupConfig& g) {
  FailingHandlerMapping out;
  out.why = ChainTrouble(s, g);
  if (!out.why.empty()) return out;
  const auto queue = std::find_if(s.queue_broker.queues.begin(), s.queue_broker.queues.end(),
                                  [&](const QueueConfig& q) { return q.name == g.topic; });
  DeadLetterCheck& check = out.check;
  check.group = g.group;
  check.policy.failure = g.queue.failure;
  check.policy.dead_letter_queue = HasDeadLetterQueue(s, *queue, out.why);
  if (!out.why.empty()) return out;
  SetAttempts(s, *queue, g.queue, check);
  if (check.unlimited) {
    if (check.policy.failure >= 1) {
      out.why = "every attempt fails and nothing limits them: each message loops forever";
      return out;
    }
    check.prediction = SolveUnlimitedRetries(check.policy);
  } else if (check.policy.max_attempts > kMaxChainAttempts) {
    out.why = "more than " + std::to_string(kMaxChainAttempts) + " attempts; treat it as unlimited";
    return out;
  } else {
    check.prediction = SolveRetryChain(check.policy);
  }
  if (s.broker_kind == BrokerKind::kServiceBus) {
    out.caveat =
        "a lock that runs out while a message is processed or waits between retries returns "
        "it and counts a delivery the chain does not; keep both within lock_duration (" +
        std::to_string(queue->lock_duration / sim::kMillisecond) + " ms)";
  } else if (s.drain == 0) {
    out.caveat =
        "with no drain, messages still being retried at the end are neither "
        "processed nor dead-lettered";
  }
  return out;
}

}  // namespace deliverysim::models
