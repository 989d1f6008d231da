// Consumer groups as members come and go: each change of membership is a new generation, a
// commit for a partition that moved away is refused, and its new owner redoes the work done
// since the last accepted commit. Expected values are read off the trace by the rules Kafka
// documents, independently of the metrics' own bookkeeping.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

// Two instances of billing over four partitions, committing after each batch of up to 50.
// billing-1 leaves at 2 s, having finished and committed its batch, and rejoins 2 s later.
std::string TwoInstances(const std::string& faults) {
  return R"(
name: group
duration: 8s
drain: 5s
broker: { initial_rebalance_delay: 50ms }
topics: [ { name: orders, partitions: 4 } ]
network: { latency: const(1ms) }
producers: [ { name: shop, topic: orders, rate: 200/s, keys: 100 } ]
consumers:
  - { group: billing, topic: orders, instances: 2, processing: const(4ms), max_poll_records: 50,
      commit: after-processing, session_timeout: 1s, auto_offset_reset: earliest }
faults: [)" +
         faults + "]\n";
}

// scenarios/rebalance-rejoin.yaml is TwoInstances with billing-1 leaving at 2 s and rejoining
// 2 s later.
TEST(ConsumerGroup, CommitsForPartitionsGivenUpAreRefusedAndTheirWorkRedone) {
  RecordingTrace trace;
  const auto result = RunScenario(BundledScenario("rebalance-rejoin.yaml"), &trace);

  // Generations: both members (1), billing-2 alone after the leave (2), both again (3).
  const std::vector<TraceEvent> rebalances = trace.Of("rebalance");
  ASSERT_EQ(rebalances.size(), 3u);
  for (std::size_t i = 0; i < rebalances.size(); ++i) {
    EXPECT_EQ(rebalances[i].Number("generation"), static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(rebalances[1].Number("members"), 1);
  EXPECT_EQ(rebalances[2].Number("members"), 2);
  const sim::Time rejoined = rebalances[2].at;

  // The partitions billing-1 processes after it rejoined are the ones billing-2 gave up.
  std::set<std::int64_t> given_up;
  for (const TraceEvent& effect : trace.Of("effect")) {
    if (effect.Text("component") == "billing-1" && effect.at > rejoined) {
      given_up.insert(effect.Number("partition"));
    }
  }
  ASSERT_FALSE(given_up.empty());

  // billing-2's last accepted commit on each of them, and its refused ones.
  std::map<std::int64_t, std::int64_t> last_accepted;
  std::uint64_t refused = 0;
  for (const TraceEvent& event : trace.events) {
    if (event.kind != "commit" && event.kind != "commit-refused") continue;
    if (event.Text("consumer") != "billing-2" || !given_up.count(event.Number("partition"))) {
      continue;
    }
    if (event.kind == "commit") {
      last_accepted[event.Number("partition")] = event.Number("offset");
    } else {
      ++refused;
      EXPECT_GT(event.at, rejoined);
    }
  }
  EXPECT_GT(refused, 0u);

  // Every record billing-2 processed on them at or past that commit is processed again.
  std::uint64_t redone = 0;
  for (const TraceEvent& effect : trace.Of("effect")) {
    const std::int64_t partition = effect.Number("partition");
    if (effect.Text("component") == "billing-2" && given_up.count(partition) &&
        effect.Number("offset") >= last_accepted[partition]) {
      ++redone;
    }
  }
  EXPECT_GT(redone, 0u);
  EXPECT_EQ(result.groups[0].duplicate_effects, redone);
  EXPECT_EQ(result.groups[0].lost, 0u);
  EXPECT_EQ(result.groups[0].rebalances, 3u);
}

TEST(ConsumerGroup, AGracefulLeaveCommitsFirstSoNothingIsRedone) {
  // billing-1 leaves for good: it finishes its batch and commits before telling the
  // coordinator, so billing-2 starts its partitions exactly where billing-1 stopped.
  RecordingTrace trace;
  const auto result =
      RunScenario(ParseScenario(TwoInstances("{ leave: billing-1, at: 2s }")), &trace);
  EXPECT_EQ(result.groups[0].duplicate_effects, 0u);
  EXPECT_EQ(result.groups[0].lost, 0u);
  ASSERT_EQ(trace.Of("leave").size(), 1u);
  for (const TraceEvent& effect : trace.Of("effect")) {
    if (effect.Text("component") == "billing-1") {
      EXPECT_LT(effect.at, trace.Of("leave")[0].at);
    }
  }
  // The coordinator rebalances as the leave arrives, not a session timeout later.
  EXPECT_EQ(trace.Of("rebalance").back().at, trace.Of("leave")[0].at + sim::kMillisecond);
}

TEST(ConsumerGroup, ScaleOutAtATimeAddsAMemberAndANewGeneration) {
  // billing-2 is declared but starts at 3 s: until then billing-1 owns all four partitions.
  RecordingTrace trace;
  const auto result =
      RunScenario(ParseScenario(TwoInstances("{ join: billing-2, at: 3s }")), &trace);
  std::set<std::int64_t> before_join;
  bool billing2_worked = false;
  for (const TraceEvent& effect : trace.Of("effect")) {
    const bool billing2 = effect.Text("component") == "billing-2";
    if (effect.at < 3 * sim::kSecond) {
      EXPECT_FALSE(billing2);
      before_join.insert(effect.Number("partition"));
    } else {
      billing2_worked = billing2_worked || billing2;
    }
  }
  EXPECT_EQ(before_join, (std::set<std::int64_t>{0, 1, 2, 3}));
  EXPECT_TRUE(billing2_worked);
  const std::vector<TraceEvent> rebalances = trace.Of("rebalance");
  ASSERT_EQ(rebalances.size(), 2u);
  EXPECT_EQ(rebalances[0].Number("members"), 1);
  EXPECT_EQ(rebalances[1].Number("members"), 2);
  EXPECT_EQ(result.groups[0].lost, 0u);
}

}  // namespace
}  // namespace deliverysim::testing
