// What a producer writes on an event: its kind from the per-entity script, its schema version.
#include "models/event_stamp.h"

#include <gtest/gtest.h>

namespace deliverysim::models {
namespace {

TEST(EventStamp, AProducerWithoutAScriptWritesUntypedEvents) {
  EXPECT_EQ(ScriptedEventType(ProducerConfig{}, 0), kUntypedEvent);
}

TEST(EventStamp, TheScriptGivesEachSequenceItsKindAndRepeatsItsLastPastTheEnd) {
  ProducerConfig config;
  config.event_script = {4, 5, 6};
  EXPECT_EQ(ScriptedEventType(config, 0), 4);
  EXPECT_EQ(ScriptedEventType(config, 2), 6);
  EXPECT_EQ(ScriptedEventType(config, 9), 6);
}

TEST(EventStamp, SchemaVersionTwoStartsAtTheChangeTime) {
  ProducerConfig config;
  config.schema_change = SchemaChange::kAdditive;
  config.schema_v2_at = 5 * sim::kSecond;
  EXPECT_EQ(SchemaVersionAt(config, 5 * sim::kSecond - 1), 1);
  EXPECT_EQ(SchemaVersionAt(config, 5 * sim::kSecond), 2);
}

TEST(EventStamp, AProducerWithoutAChangeStaysAtVersionOne) {
  EXPECT_EQ(SchemaVersionAt(ProducerConfig{}, sim::kForever - 1), 1);
}

}  // namespace
}  // namespace deliverysim::models
