// Retention deletes whole segments whether or not anyone consumed them, and a consumer whose
// position fell below the log start applies auto_offset_reset. Expected values are worked out
// from the segment arithmetic in the comments.
#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

// One partition; 100 records a second, record k intended at (k+1) x 10 ms and appended 1 ms
// later; segments of 100 records, so segment s last grows at (s+1) s + 1 ms. Retention is
// checked every 500 ms. The billing group joins only at 5 s.
std::string LateGroup(const std::string& topic_extra, const std::string& group_extra) {
  return R"(
name: retention
duration: 8s
drain: 2s
broker: { initial_rebalance_delay: 50ms, retention_check_interval: 500ms }
topics: [ { name: orders, partitions: 1, segment_records: 100)" +
         topic_extra + R"( } ]
network: { latency: const(1ms) }
producers: [ { name: shop, topic: orders, rate: 100/s, linger: 0ms } ]
consumers:
  - { group: billing, topic: orders, instances: 1, processing: const(10us),
      commit: after-processing)" +
         group_extra + R"( }
faults: [ { join: billing-1, at: 5s } ]
)";
}

TEST(Retention, TimeRetentionDeletesSegmentsNobodyReadAndTheyCountAsLost) {
  // At the 5.0 s check, segment s is gone when 5.0 s - ((s+1) s + 1 ms) > 2 s: segments 0 and 1
  // (records 0-199); segment 2 (3.001 s) stays. The group starts at the new log start, 200, and
  // reads everything from there before the 5.5 s check deletes segment 2. Intended: 800 (10 ms to 8
  // s).
  RecordingTrace trace;
  const auto result = RunScenario(
      ParseScenario(LateGroup(", retention: 2s", ", auto_offset_reset: earliest")), &trace);
  EXPECT_EQ(result.groups[0].intended, 800u);
  EXPECT_EQ(result.groups[0].lost, 200u);
  EXPECT_EQ(result.groups[0].duplicate_effects, 0u);
  ASSERT_FALSE(trace.Of("retention-delete").empty());
  // Segment 0 (last append 1.001 s) first goes at the 3.5 s check: 3.5 - 1.001 > 2.
  EXPECT_EQ(trace.Of("retention-delete")[0].at, 3500 * sim::kMillisecond);
  EXPECT_EQ(trace.Of("retention-delete")[0].Number("log_start"), 100);
}

TEST(Retention, SizeRetentionKeepsTheNewestRecordsOnly) {
  // Time retention far away; at most 250 records beyond a deleted segment. At 5.0 s the log
  // ends at 499 (records appended by 5.0 s): segment 0 goes (499 - 100 >= 250), segment 1
  // goes (499 - 200 >= 250), segment 2 stays (499 - 300 < 250). Again 200 lost.
  const auto result = RunScenario(ParseScenario(
      LateGroup(", retention: 1000h, retention_records: 250", ", auto_offset_reset: earliest")));
  EXPECT_EQ(result.groups[0].lost, 200u);
}

TEST(Retention, LatestResetSkipsToTheLogEnd) {
  // The group starts at the log end as it joins: everything before 5.05 s is never read.
  // Record k is appended at (k+1) x 10 ms + 1 ms; the first fetch reaches the broker at
  // 5.053 s (join at 5.001, assignment at 5.051 + 1 ms, fetch 1 ms later), where the log end
  // is 504 (records 0-503 appended by 5.041 s), so 504 are lost.
  const auto result =
      RunScenario(ParseScenario(LateGroup(", retention: 2s", ", auto_offset_reset: latest")));
  EXPECT_EQ(result.groups[0].lost, 504u);
}

TEST(Retention, ResetNoneStopsTheInstanceWithAnError) {
  // An existing group that had committed offset 0 finds it deleted at 5 s: with
  // auto_offset_reset none the client raises an error and the instance stops, so nothing is
  // processed and the report names the error.
  const auto result = RunScenario(ParseScenario(
      LateGroup(", retention: 2s", ", auto_offset_reset: none, existing_group: true")));
  EXPECT_EQ(result.groups[0].lost, 800u);
  ASSERT_EQ(result.groups[0].errors.size(), 1u);
  EXPECT_NE(result.groups[0].errors[0].find("billing-1 stopped at"), std::string::npos);
  EXPECT_NE(result.groups[0].errors[0].find("position 0 is below the log start 200"),
            std::string::npos);
}

TEST(Retention, ResetNoneWithoutACommittedOffsetStopsAtOnce) {
  // Kafka raises NoOffsetForPartitionException: a new group has nothing to fall back on.
  const auto result =
      RunScenario(ParseScenario(LateGroup(", retention: 2s", ", auto_offset_reset: none")));
  ASSERT_EQ(result.groups[0].errors.size(), 1u);
  EXPECT_NE(result.groups[0].errors[0].find("no committed offset"), std::string::npos);
}

}  // namespace
}  // namespace deliverysim::testing

namespace deliverysim::testing {
namespace {

TEST(RetentionScenario, SlowConsumerLosesExactlyWhatItsResetsSkipped) {
  // Nothing else can lose a record here (no faults), so the lost count is the sum of the
  // offsets each reset jumped over.
  RecordingTrace trace;
  const auto result = RunScenario(BundledScenario("retention-slow-consumer.yaml"), &trace);
  std::uint64_t skipped = 0;
  for (const TraceEvent& reset : trace.Of("offset-reset")) {
    skipped += static_cast<std::uint64_t>(reset.Number("to") - reset.Number("from"));
  }
  EXPECT_GT(skipped, 0u);
  EXPECT_EQ(result.groups[0].lost, skipped);
  EXPECT_EQ(result.groups[0].duplicate_effects, 0u);
}

TEST(RetentionScenario, WithResetNoneTheSlowConsumerStopsAndSaysWhy) {
  auto scenario = BundledScenario("retention-slow-consumer.yaml");
  scenario.consumers[0].auto_offset_reset = models::OffsetReset::kNone;
  scenario.consumers[0].existing_group = true;
  const auto result = RunScenario(scenario);
  ASSERT_EQ(result.groups[0].errors.size(), 1u);
  EXPECT_NE(result.groups[0].errors[0].find("auto_offset_reset is none"), std::string::npos);
}

}  // namespace
}  // namespace deliverysim::testing
