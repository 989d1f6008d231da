// Loading event kinds, schema versions, ordering strategies and clock skew: what a valid file
// becomes, and where each bad one is pointed at (file, line, column, key, allowed values).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/scenario_loader.h"
#include "models/scenario.h"

namespace deliverysim {
namespace {

using ::testing::HasSubstr;

// Lines: 1-6 header and topic, 7-11 producer shop, 12-17 group billing. Text appended to it
// starts on line 18.
constexpr std::string_view kBase =
    "name: test\n"
    "duration: 10s\n"
    "topics:\n"
    "  - name: orders\n"
    "    partitions: 3\n"
    "producers:\n"
    "  - name: shop\n"
    "    topic: orders\n"
    "    rate: 100/s\n"
    "    keys: 10\n"
    "    events: [created, updated, cancelled]\n"
    "consumers:\n"
    "  - group: billing\n"
    "    topic: orders\n"
    "    instances: 2\n"
    "    processing: const(1ms)\n"
    "    commit: after-processing\n";

std::string Append(std::string_view text) { return std::string(kBase) + std::string(text); }

std::string Replace(std::string_view from, std::string_view to) {
  std::string text(kBase);
  const std::size_t at = text.find(from);
  if (at == std::string::npos) return text;
  return text.replace(at, from.size(), to);
}

app::Result<models::Scenario> Load(const std::string& text) {
  return app::LoadScenarioText(text, "test.yaml");
}

models::Scenario Loaded(const std::string& text) {
  auto loaded = Load(text);
  if (!loaded.ok()) ADD_FAILURE() << loaded.error().ToString();
  return loaded.ok() ? loaded.value() : models::Scenario{};
}

TEST(EventOrderingLoader, EventsBecomeTheProducersScriptOfInternedKinds) {
  const models::Scenario scenario = Loaded(std::string(kBase));
  const std::vector<std::string> names = {"", "created", "updated", "cancelled"};
  EXPECT_EQ(scenario.event_types, names);
  const std::vector<models::EventType> script = {1, 2, 3};
  EXPECT_EQ(scenario.producers[0].event_script, script);
}

TEST(EventOrderingLoader, AGroupKeepsNoEntitiesAndReadsBothVersionsUnlessTold) {
  const models::ConsumerGroupConfig group = Loaded(std::string(kBase)).consumers[0];
  EXPECT_FALSE(group.keeps_entities);
  EXPECT_TRUE(group.reads_schema_v1);
  EXPECT_TRUE(group.reads_schema_v2);
}

TEST(EventOrderingLoader, PrecedenceIsKeptStrongestFirst) {
  const models::ConsumerGroupConfig group =
      Loaded(Append("    ordering: precedence\n    precedence: [cancelled, created]\n"))
          .consumers[0];
  EXPECT_TRUE(group.keeps_entities);
  EXPECT_EQ(group.ordering, models::OrderingStrategy::kPrecedence);
  const std::vector<models::EventType> precedence = {3, 1};
  EXPECT_EQ(group.precedence, precedence);
}

TEST(EventOrderingLoader, SchemaAndSchemaVersionsAndClockSkew) {
  const models::Scenario scenario = Loaded(
      Replace("    keys: 10\n", "    keys: 10\n    schema: { v2_at: 4s, change: breaking }\n") +
      "    schema_versions: [2]\n"
      "faults:\n  - { clock: shop, at: 2s, behind: 500ms }\n");
  EXPECT_EQ(scenario.producers[0].schema_change, models::SchemaChange::kBreaking);
  EXPECT_EQ(scenario.producers[0].schema_v2_at, 4 * sim::kSecond);
  EXPECT_FALSE(scenario.consumers[0].reads_schema_v1);
  EXPECT_TRUE(scenario.consumers[0].reads_schema_v2);
  ASSERT_EQ(scenario.clock_skews.size(), 1u);
  EXPECT_EQ(scenario.clock_skews[0].producer, "shop");
  EXPECT_EQ(scenario.clock_skews[0].at, 2 * sim::kSecond);
  EXPECT_EQ(scenario.clock_skews[0].offset, -500 * sim::kMillisecond);
}

struct BadInput {
  const char* label;
  std::string text;
  int line;
  int column;
  std::string key;
  std::vector<std::string> words;
};

void PrintTo(const BadInput& input, std::ostream* out) { *out << input.label; }

class EventOrderingLoaderRejects : public ::testing::TestWithParam<BadInput> {};

TEST_P(EventOrderingLoaderRejects, NamingFileLineColumnKeyAndReason) {
  const BadInput& input = GetParam();
  const auto loaded = Load(input.text);
  ASSERT_FALSE(loaded.ok()) << "accepted:\n" << input.text;
  EXPECT_EQ(loaded.error().file, "test.yaml");
  EXPECT_EQ(loaded.error().line, input.line);
  EXPECT_EQ(loaded.error().column, input.column);
  EXPECT_EQ(loaded.error().key, input.key);
  for (const std::string& word : input.words) EXPECT_THAT(loaded.error().message, HasSubstr(word));
}

const std::vector<BadInput> kBad = {
    {"UnknownOrdering",
     Append("    ordering: newest\n"),
     18,
     15,
     "consumers[0].ordering",
     {"unknown value 'newest'; allowed: apply, version, precedence, last-writer-wins"}},
    {"PrecedenceWithoutItsStrategy",
     Append("    precedence: [cancelled]\n"),
     18,
     17,
     "consumers[0].precedence",
     {"goes with ordering: precedence"}},
    {"PrecedenceStrategyWithoutAList",
     Append("    ordering: precedence\n"),
     13,
     5,
     "consumers[0]",
     {"missing required key 'precedence'"}},
    {"PrecedenceNamingAnUndeclaredKind",
     Append("    ordering: precedence\n    precedence: [cancelled, refunded]\n"),
     19,
     29,
     "consumers[0].precedence[1]",
     {"no producer's events name 'refunded'; allowed: created, updated, cancelled"}},
    {"PrecedenceListingAKindTwice",
     Append("    ordering: precedence\n    precedence: [created, created]\n"),
     19,
     27,
     "consumers[0].precedence[1]",
     {"listed twice"}},
    {"EmptyEvents",
     Replace("[created, updated, cancelled]", "[]"),
     11,
     13,
     "producers[0].events",
     {"at least one event kind"}},
    {"UnknownSchemaChange",
     Replace("    keys: 10\n", "    keys: 10\n    schema: { v2_at: 4s, change: minor }\n"),
     11,
     34,
     "producers[0].schema.change",
     {"allowed: additive, breaking"}},
    {"SchemaWithoutItsTime",
     Replace("    keys: 10\n", "    keys: 10\n    schema: { change: additive }\n"),
     11,
     13,
     "producers[0].schema",
     {"missing required key 'v2_at'"}},
    {"UnknownSchemaVersion",
     Append("    schema_versions: [1, 3]\n"),
     18,
     26,
     "consumers[0].schema_versions[1]",
     {"unknown value '3'; allowed: 1, 2"}},
    {"SchemaVersionTwice",
     Append("    schema_versions: [2, 2]\n"),
     18,
     26,
     "consumers[0].schema_versions[1]",
     {"version listed twice"}},
    {"ClockOfAnUnknownProducer",
     Append("faults:\n  - { clock: shp, at: 1s, ahead: 1s }\n"),
     19,
     14,
     "faults[0].clock",
     {"no producer called 'shp'; allowed: shop"}},
    {"ClockWithBothDirections",
     Append("faults:\n  - { clock: shop, at: 1s, ahead: 1s, behind: 1s }\n"),
     19,
     14,
     "faults[0].clock",
     {"one of 'ahead: D' or 'behind: D'"}},
    {"ClockWithAnUnknownKey",
     Append("faults:\n  - { clock: shop, at: 1s, late: 1s }\n"),
     19,
     28,
     "faults[0].late",
     {"allowed: clock, at, ahead, behind"}},
};

INSTANTIATE_TEST_SUITE_P(Cases, EventOrderingLoaderRejects, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(EventOrderingLoader, QueueBrokersHaveNoOrderingKey) {
  const auto loaded = Load(
      "name: q\nduration: 1s\nbroker:\n  kind: queue\n  queues: [ { name: work } ]\n"
      "  exchanges: [ { name: x, type: fanout } ]\n  bindings: [ { exchange: x, queue: work } ]\n"
      "consumers:\n  - { group: g, queue: work, instances: 1, processing: const(1ms), "
      "ordering: version }\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().key, "consumers[0].ordering");
  EXPECT_THAT(loaded.error().message, HasSubstr("unknown key"));
}

TEST(EventOrderingLoader, QueueBrokersHaveNoProducerClocks) {
  const auto loaded = Load(
      "name: q\nduration: 1s\nbroker:\n  kind: queue\n  queues: [ { name: work } ]\n"
      "  exchanges: [ { name: x, type: fanout } ]\n  bindings: [ { exchange: x, queue: work } ]\n"
      "producers:\n  - { name: shop, exchange: x, rate: 10/s }\n"
      "faults:\n  - { clock: shop, at: 1s, ahead: 1s }\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().key, "faults[0].clock");
  EXPECT_THAT(loaded.error().message, HasSubstr("belongs to 'kind: log' brokers"));
}

}  // namespace
}  // namespace deliverysim
