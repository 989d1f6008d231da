// Which queues an exchange routes a message to, from the scenario's exchanges and bindings alone.
// The queue broker routes every publish and dead letter through it, and the teaching views use
// it to know which consumer groups a producer's messages are meant for.
//
//   std::vector<std::uint32_t> queues =
//       RouteQueues(scenario.queue_broker, "orders", "order.placed");  // indices of queues
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/scenario.h"

namespace deliverysim::models {

// Indices into `config.queues`, ascending and without repeats (a queue bound twice to one
// exchange gets one copy, as in RabbitMQ); empty when nothing matches or no exchange has that
// name. direct: the binding key equals `routing_key`; fanout: every bound queue; topic: the
// binding key is a pattern (topic_pattern.h).
std::vector<std::uint32_t> RouteQueues(const QueueBrokerConfig& config, const std::string& exchange,
                                       const std::string& routing_key);

}  // namespace deliverysim::models
