// A queue consumer group whose handler attempts fail at random (`consumers[].failure` p) as the
// retry chain of models/retry_chain.h: each attempt fails independently with probability p, and
// the group's on_poison action says how many attempts a message gets before it is given up,
// into a dead-letter queue if the broker has one for it:
//
//   on_poison        attempts n                                      given up by
//   retry            retry.max_attempts, in the handler              a reject
//   reject           1                                               the reject
//   requeue          RabbitMQ quorum queue: delivery_limit + 1       the broker's delivery limit
//                    (the limit counts returns, not deliveries);
//                    classic queue, or no limit: unlimited
//   abandon          Service Bus: max_delivery_count                 the broker
//   (Service Bus)
//
// so P(dead-lettered) = p^n with a dead-letter queue, and P(lost) = p^n without. The links
// must be lossless (request_loss = ack_loss = 0 in the chain).
//
//   FailingHandlerMapping m = MapFailingHandler(scenario, scenario.consumers[0]);
//   if (m.why.empty()) m.check.prediction.dead_lettered;  // p^n
#pragma once

#include <string>

#include "models/retry_chain.h"
#include "models/scenario.h"

namespace deliverysim::models {

struct DeadLetterCheck {
  std::string group;
  std::string path;  // how a failed attempt is repeated and given up, in words
  RetryOdds policy;
  bool unlimited = false;
  RetryPrediction prediction;
};

struct FailingHandlerMapping {
  DeadLetterCheck check;  // valid when `why` is empty
  std::string why;        // otherwise: the first assumption the group breaks
  std::string caveat;     // an assumption the chain meets only approximately; may be empty
};

// REQUIRES: `group` is a group of `scenario`, whose broker is kQueue or kServiceBus, and
// group.queue.failure > 0.
FailingHandlerMapping MapFailingHandler(const Scenario& scenario, const ConsumerGroupConfig& group);

}  // namespace deliverysim::models
