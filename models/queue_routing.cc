#include "models/queue_routing.h"

#include <algorithm>

#include "models/topic_pattern.h"

namespace deliverysim::models {

std::vector<std::uint32_t> RouteQueues(const QueueBrokerConfig& config, const std::string& exchange,
                                       const std::string& routing_key) {
  const auto found =
      std::find_if(config.exchanges.begin(), config.exchanges.end(),
                   [&](const ExchangeConfig& candidate) { return candidate.name == exchange; });
  std::vector<std::uint32_t> queues;
  if (found == config.exchanges.end()) return queues;
  for (const BindingConfig& binding : config.bindings) {
    if (binding.exchange != exchange) continue;
    bool match = false;
    switch (found->type) {
      case ExchangeType::kFanout: match = true; break;
      case ExchangeType::kDirect: match = binding.key == routing_key; break;
      case ExchangeType::kTopic: match = TopicMatches(binding.key, routing_key); break;
    }
    if (!match) continue;
    for (std::uint32_t q = 0; q < config.queues.size(); ++q) {
      if (config.queues[q].name == binding.queue) queues.push_back(q);
    }
  }
  std::sort(queues.begin(), queues.end());
  queues.erase(std::unique(queues.begin(), queues.end()), queues.end());
  return queues;
}

}  // namespace deliverysim::models
