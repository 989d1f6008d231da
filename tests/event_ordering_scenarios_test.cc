// The bundled event-order and schema-version scenarios give the outcomes their headers state.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

std::map<std::string, models::GroupResult> Groups(const models::RunResult& result) {
  std::map<std::string, models::GroupResult> groups;
  for (const models::GroupResult& g : result.groups) groups[g.group] = g;
  return groups;
}

std::uint64_t Intended(const models::RunResult& result, const std::string& producer) {
  for (const models::ProducerResult& p : result.producers) {
    if (p.name == producer) return p.intended;
  }
  ADD_FAILURE() << "no producer " << producer;
  return 0;
}

TEST(EventOrderScenarios, VersionMatchesEveryOrderWhileApplyDoesNot) {
  auto groups = Groups(RunScenario(BundledScenario("event-order-version.yaml")));
  const models::GroupResult& apply = groups.at("projection-apply");
  const models::GroupResult& version = groups.at("projection-version");
  for (const auto* g : {&apply, &version}) {
    EXPECT_EQ(g->lost, 0u);
    EXPECT_EQ(g->duplicate_effects, 0u);
    EXPECT_GT(g->out_of_order, 0u);
    EXPECT_EQ(g->entities, 50u);
  }
  EXPECT_EQ(version.entities_matching, 50u);
  EXPECT_EQ(version.entities_diverged, 0u);
  EXPECT_GT(apply.entities_diverged, 0u);
}

TEST(EventOrderScenarios, KeyPartitioningKeepsEvenApplyOnTheOrderedStream) {
  models::Scenario scenario = BundledScenario("event-order-version.yaml");
  scenario.producers[0].partitioner = models::Partitioner::kDefault;
  auto groups = Groups(RunScenario(scenario));
  EXPECT_EQ(groups.at("projection-apply").out_of_order, 0u);
  EXPECT_EQ(groups.at("projection-apply").entities_matching, 50u);
  EXPECT_EQ(groups.at("projection-version").entities_matching, 50u);
}

TEST(EventOrderScenarios, VersionStillMatchesEveryOrderWhenACrashRedoesABatch) {
  models::Scenario scenario = BundledScenario("event-order-version.yaml");
  scenario.crashes.push_back(
      {"projection-version-2", 5 * sim::kSecond, models::CrashStep::kAfterEffect, sim::kSecond});
  const models::GroupResult version = Groups(RunScenario(scenario)).at("projection-version");
  EXPECT_GT(version.duplicate_effects, 0u);  // the redone batch offers older events again
  EXPECT_EQ(version.lost, 0u);
  EXPECT_EQ(version.entities_matching, 50u);
}

TEST(EventOrderScenarios, PrecedenceMakesACancellationFinal) {
  auto groups = Groups(RunScenario(BundledScenario("event-order-precedence.yaml")));
  const models::GroupResult& precedence = groups.at("projection-precedence");
  EXPECT_EQ(precedence.entities, 20u);
  EXPECT_EQ(precedence.entities_matching, 10u);
  EXPECT_EQ(precedence.entities_diverged, 10u);
  EXPECT_EQ(groups.at("projection-version").entities_matching, 20u);
  EXPECT_GT(groups.at("projection-apply").entities_diverged, 0u);
}

TEST(EventOrderScenarios, LastWriterWinsFollowsAClockThatFellBehind) {
  const models::RunResult result = RunScenario(BundledScenario("event-order-clock-skew.yaml"));
  auto groups = Groups(result);
  const models::GroupResult& lww = groups.at("projection-lww");
  EXPECT_EQ(lww.lost, 0u);
  EXPECT_EQ(lww.out_of_order, 0u);
  EXPECT_EQ(lww.entities, 40u);
  EXPECT_EQ(lww.entities_matching, 20u);
  EXPECT_EQ(lww.entities_diverged, 20u);
  // Intents every 5 ms from 5 ms: 999 of them before 5 s; every later slow-clock one drops.
  EXPECT_EQ(lww.events_dropped, Intended(result, "slow-clock") - 999);
  EXPECT_EQ(groups.at("projection-version").entities_matching, 40u);
  EXPECT_EQ(groups.at("projection-version").events_dropped, 0u);
}

TEST(EventOrderScenarios, AClockThatRunsAheadHarmsNoLastWriter) {
  models::Scenario scenario = BundledScenario("event-order-clock-skew.yaml");
  std::erase_if(scenario.clock_skews,
                [](const models::ClockSkewFault& skew) { return skew.producer == "slow-clock"; });
  ASSERT_EQ(scenario.clock_skews.size(), 1u);
  const models::GroupResult lww = Groups(RunScenario(scenario)).at("projection-lww");
  EXPECT_EQ(lww.entities_matching, 40u);
  EXPECT_EQ(lww.events_dropped, 0u);
}

TEST(EventOrderScenarios, SchemaChangesAreReadAsOlderOrDeadLettered) {
  const models::RunResult result = RunScenario(BundledScenario("schema-versions.yaml"));
  auto groups = Groups(result);
  // Intents every 10 ms from 10 ms to 10 s: 1000 per producer, 499 before 5 s.
  ASSERT_EQ(Intended(result, "catalog"), 1000u);
  ASSERT_EQ(Intended(result, "pricing"), 1000u);
  const models::GroupResult& legacy = groups.at("legacy");
  EXPECT_EQ(legacy.read_as_older_version, 501u);
  EXPECT_EQ(legacy.dead_lettered_unreadable, 501u);
  EXPECT_EQ(legacy.dead_lettered, 501u);
  EXPECT_EQ(legacy.lost, 0u);
  const models::GroupResult& upgraded = groups.at("upgraded");
  EXPECT_EQ(upgraded.read_as_older_version, 0u);
  EXPECT_EQ(upgraded.dead_lettered_unreadable, 0u);
  EXPECT_EQ(upgraded.lost, 0u);
  const models::GroupResult& v2_only = groups.at("v2-only");
  EXPECT_EQ(v2_only.read_as_older_version, 0u);
  EXPECT_EQ(v2_only.dead_lettered_unreadable, 499u);
  EXPECT_EQ(v2_only.lost, 0u);
  for (const auto& [name, g] : groups) EXPECT_TRUE(g.has_schema_versions) << name;
}

TEST(EventOrderScenarios, AnUnreadableEventIsNeverProcessed) {
  RecordingTrace trace;
  RunScenario(BundledScenario("schema-versions.yaml"), &trace);
  std::set<std::int64_t> processed;  // pricing's messages whose effect ran in legacy
  for (const TraceEvent& e : trace.Of("effect")) {
    if (e.Text("component").rfind("legacy-", 0) == 0 && e.Number("producer") == 1) {
      processed.insert(e.Number("message"));
    }
  }
  const auto dead = trace.Of("dead-letter-unreadable");
  ASSERT_FALSE(dead.empty());
  for (const TraceEvent& e : dead) {
    if (e.Text("component").rfind("legacy-", 0) != 0) continue;
    EXPECT_EQ(e.Number("producer"), 1);  // pricing, whose change breaks
    EXPECT_EQ(e.Number("schema_version"), 2);
    EXPECT_EQ(processed.count(e.Number("message")), 0u);
  }
}

}  // namespace
}  // namespace deliverysim::testing
