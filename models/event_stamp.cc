#include "models/event_stamp.h"

#include <algorithm>

namespace deliverysim::models {

EventType ScriptedEventType(const ProducerConfig& config, std::uint32_t sequence) {
  if (config.event_script.empty()) return kUntypedEvent;
  const std::size_t last = config.event_script.size() - 1;
  return config.event_script[std::min<std::size_t>(sequence, last)];
}

std::uint8_t SchemaVersionAt(const ProducerConfig& config, sim::Time intent_time) {
  const bool moved =
      config.schema_change != SchemaChange::kNone && intent_time >= config.schema_v2_at;
  return moved ? 2 : 1;
}

}  // namespace deliverysim::models
