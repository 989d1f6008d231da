// Crashes and group changes at awkward moments: each test is a history that once went wrong.
#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

using sim::kMillisecond;
using sim::kSecond;

// One producer at `rate`, one group of `instances` over `partitions`, 1 ms links; the caller
// adds the group's settings and the faults.
std::string System(const std::string& rate, int partitions, int instances,
                   const std::string& group_settings, const std::string& rest) {
  return "name: t\nseed: 1\nduration: 2s\ndrain: 10s\n"
         "broker: { initial_rebalance_delay: 10ms }\n"
         "topics: [ { name: orders, partitions: " +
         std::to_string(partitions) +
         " } ]\n"
         "producers: [ { name: shop, topic: orders, rate: " +
         rate +
         ", keys: 5 } ]\n"
         "consumers:\n  - { group: billing, topic: orders, instances: " +
         std::to_string(instances) +
         ", auto_offset_reset: earliest, session_timeout: 200ms,\n      " + group_settings +
         " }\nnetwork:\n  latency: const(1ms)\n" + rest;
}

TEST(ConsumerFaults, AMemberThatMissedAGenerationRereadsAPartitionThatCameBack) {
  // billing-2 is down until 2 s, so billing-1 owns both partitions; billing-2 rejoins (p1 moves
  // to it) and crashes at 3 s (p1 moves back). Busy with 50-record batches of 100 ms records,
  // billing-1 misses the middle assignment; it must not resume p1 from its old position,
  // which would process again what billing-2 had committed and processed.
  auto scenario = ParseScenario(System(
      "200/s", 2, 2, "processing: const(100ms), commit: before-processing, max_poll_records: 50",
      "faults:\n  - { crash: billing-2, at: 0, restart_after: 2s }\n"
      "  - { crash: billing-2, at: 3s }\n"));
  scenario.duration = 10 * kSecond;
  scenario.drain = 20 * kSecond;
  const auto billing = RunScenario(scenario).groups.at(0);
  EXPECT_EQ(billing.duplicate_effects, 0u);
  EXPECT_GE(billing.rebalances, 3u);
}

TEST(ConsumerFaults, AJoinThatArrivesAfterTheSessionExpiredDoesNotRaiseTheDead) {
  // billing-2's join takes 300 ms to arrive; it crashes at 100 ms and its session (100 ms)
  // expires at 200 ms. The late join must not make it a member that owns partitions forever.
  auto scenario =
      ParseScenario(System("100/s", 2, 2, "processing: const(1ms), commit: after-processing",
                           "  links: [ { link: billing-2 -> broker, latency: const(300ms) } ]\n"
                           "faults: [ { crash: billing-2, at: 100ms } ]\n"));
  scenario.consumers[0].session_timeout = 100 * kMillisecond;
  const auto billing = RunScenario(scenario).groups.at(0);
  EXPECT_EQ(billing.lost, 0u);
  EXPECT_EQ(billing.rebalances, 1u);  // billing-1 alone, from the first assignment on
}

TEST(ConsumerFaults, AMidProcessingCrashDueAfterTheDurationNeverStrikes) {
  // The record handed over at 1.606 s would be cut at 1.606 + 0.75 s, after the 2 s duration.
  RecordingTrace trace;
  RunScenario(ParseScenario(
                  System("10/s", 1, 1, "processing: const(1500ms), commit: after-processing",
                         "faults: [ { crash: billing-1, step: mid-processing, after: 1.5s } ]\n")),
              &trace);
  EXPECT_TRUE(trace.Of("crash").empty());
}

TEST(ConsumerFaults, AMidProcessingCrashPrecedesAnInstantEffect) {
  RecordingTrace trace;
  RunScenario(ParseScenario(System("10/s", 1, 1, "processing: const(0), commit: after-processing",
                                   "faults: [ { crash: billing-1, step: mid-processing, after: 1s, "
                                   "restart_after: 100ms } ]\n")),
              &trace);
  const auto crashes = trace.Of("crash");
  ASSERT_EQ(crashes.size(), 1u);
  // The record handed over at the crash's instant must not have had its effect then.
  for (const TraceEvent& effect : trace.Of("effect")) {
    EXPECT_NE(effect.at, crashes[0].at) << "offset " << effect.Number("offset");
  }
}

TEST(ConsumerFaults, ABeforeCommitCrashWaitsForACommitWithSomethingInIt) {
  // One record a second, a timer commit every 100 ms from 100 ms on. After 1.5 s the first
  // tick with something new to commit is 2.1 s (the record handed over at 2.002 s).
  RecordingTrace trace;
  auto scenario = ParseScenario(System(
      "1/s", 1, 1, "processing: const(1ms), commit: auto-commit-timer, auto_commit_interval: 100ms",
      "faults: [ { crash: billing-1, step: before-commit, after: 1.5s, "
      "restart_after: 100ms } ]\n"));
  scenario.duration = 3 * kSecond;
  RunScenario(scenario, &trace);
  const auto crashes = trace.Of("crash");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].at, 2100 * kMillisecond);
}

TEST(ConsumerFaults, AnIdleMemberTakesOverWithoutWaitingOutItsParkedFetch) {
  // One partition, two instances: billing-2 idles with a fetch parked for up to 500 ms. When
  // billing-1's session expires at 1.2 s, billing-2 must start at once: 1 ms for the
  // assignment and the early answer behind it, 1 ms for the new fetch, 1 ms for its records.
  RecordingTrace trace;
  RunScenario(
      ParseScenario(System("100/s", 1, 2, "processing: const(1ms), commit: after-processing",
                           "faults: [ { crash: billing-1, at: 1s } ]\n")),
      &trace);
  sim::Time first_delivery = -1;
  for (const TraceEvent& deliver : trace.Of("deliver")) {
    if (deliver.Text("component") == "billing-2") {
      first_delivery = deliver.at;
      break;
    }
  }
  EXPECT_EQ(first_delivery, 1200 * kMillisecond + 3 * kMillisecond);
}

TEST(ConsumerFaults, HugeLinkDelaysNeverMakeTimeRunBackwards) {
  // A lognormal with sigma 60 samples values far past the clock's range; with a fault's delay
  // added on top, the sum must still be capped.
  RecordingTrace trace;
  auto scenario = ParseScenario(
      System("100/s", 1, 1, "processing: const(1ms), commit: after-processing",
             "  links: [ { link: shop -> broker, latency: \"lognormal(1ms, 60)\" } ]\n"
             "faults: [ { link: shop -> broker, delay: \"lognormal(1ms, 60)\" } ]\n"));
  for (std::uint64_t seed : {1, 3, 4, 5, 15}) {
    scenario.seed = seed;
    trace.events.clear();
    RunScenario(scenario, &trace);
    for (std::size_t i = 1; i < trace.events.size(); ++i) {
      ASSERT_LE(trace.events[i - 1].at, trace.events[i].at) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace deliverysim::testing
