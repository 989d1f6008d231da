// What a producer's application writes on each event besides its key and sequence: the event's
// kind, from the producer's per-entity script, and the schema version it is serialised with.
//
//   record.event_type = ScriptedEventType(config, record.sequence);
//   record.schema_version = SchemaVersionAt(config, engine.now());
#pragma once

#include <cstdint>

#include "models/message.h"
#include "models/scenario.h"
#include "sim/time.h"

namespace deliverysim::models {

// The kind of an entity's event at `sequence`: the script's entry there, its last entry past
// its end, and kUntypedEvent when the producer has no script.
EventType ScriptedEventType(const ProducerConfig& config, std::uint32_t sequence);

// 2 for an intent at or after the producer's move to schema version 2, else 1.
std::uint8_t SchemaVersionAt(const ProducerConfig& config, sim::Time intent_time);

}  // namespace deliverysim::models
