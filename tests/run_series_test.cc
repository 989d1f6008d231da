// The sampled series and latency percentiles a run keeps for sweeps and reports.
#include <gtest/gtest.h>

#include "test_support.h"

namespace deliverysim {
namespace {

using testing::ParseScenario;
using testing::RunScenario;

// 100 messages a second for 2 s, processed in a constant 1 ms, sampled every 100 ms.
constexpr const char* kSteady = R"(
name: steady
duration: 2s
drain: 1s
sample_interval: 100ms
broker: { initial_rebalance_delay: 0 }
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 100/s }]
consumers: [{ group: g, topic: t, instances: 1, processing: const(1ms),
              commit: after-processing, auto_offset_reset: earliest }]
)";

TEST(RunSeries, SamplesEveryIntervalFromZeroToTheEndOfTheDrain) {
  const models::RunResult result = RunScenario(ParseScenario(kSteady));
  const auto& series = result.groups[0].series;
  // 0, 100 ms, ..., 3 s: 31 samples.
  ASSERT_EQ(series.size(), 31u);
  EXPECT_EQ(series[0].t, 0);
  EXPECT_EQ(series[30].t, 3 * sim::kSecond);
  for (std::size_t i = 1; i < series.size(); ++i) {
    EXPECT_GE(series[i].processed, series[i - 1].processed);
  }
  // Everything intended was processed by the end, and nothing is left unprocessed.
  EXPECT_EQ(series.back().processed, result.groups[0].intended - result.groups[0].lost);
  EXPECT_EQ(series.back().lag_messages, 0);
  EXPECT_EQ(series.back().lag_time, 0);
}

TEST(RunSeries, ALongRunKeepsAtMostTheLimitEvenlySpaced) {
  std::string text = kSteady;
  text.replace(text.find("sample_interval: 100ms"), 22, "sample_interval: 1ms");
  const models::RunResult result = RunScenario(ParseScenario(text));
  const auto& series = result.groups[0].series;
  // 3001 samples at 1 ms; every 4th is kept (ceil(3001 / 1000) = 4): 0, 4 ms, ..., 3 s.
  ASSERT_EQ(series.size(), 751u);
  EXPECT_EQ(series[1].t, 4 * sim::kMillisecond);
  EXPECT_LE(series.size(), models::kMaxSeriesSamples);
}

TEST(RunSeries, LatencyPercentilesRunFromMinimumToMaximum) {
  const models::RunResult result = RunScenario(ParseScenario(kSteady));
  const auto& group = result.groups[0];
  ASSERT_EQ(group.latency_percentiles.size(), 101u);
  EXPECT_EQ(group.latency_percentiles[50], group.latency.p50);
  EXPECT_EQ(group.latency_percentiles[99], group.latency.p99);
  EXPECT_EQ(group.latency_percentiles[100], group.latency.max);
  for (std::size_t q = 1; q <= 100; ++q) {
    EXPECT_GE(group.latency_percentiles[q], group.latency_percentiles[q - 1]);
  }
}

}  // namespace
}  // namespace deliverysim
