// Retry policies: the delays of each backoff exactly, the ranges of each jitter, and a
// consumer that retries a failing message in its handler before giving it up.
#include "models/retry_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "tests/queue_test_support.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

using models::Backoff;
using models::Jitter;
using models::RetryPolicy;
using models::RetryPolicyConfig;
using sim::kMillisecond;

std::vector<sim::Time> FirstDelays(const RetryPolicyConfig& config, int count) {
  RetryPolicy policy(config);
  sim::RandomStream stream(42);
  std::vector<sim::Time> delays;
  sim::Time previous = 0;
  for (int retry = 1; retry <= count; ++retry) {
    previous = policy.Delay(static_cast<std::uint32_t>(retry), previous, stream);
    delays.push_back(previous / kMillisecond);
  }
  return delays;
}

TEST(RetryPolicy, ImmediateRetriesAtOnce) {
  EXPECT_EQ(
      FirstDelays({Backoff::kImmediate, 100 * kMillisecond, sim::kSecond, Jitter::kNone, 0}, 3),
      (std::vector<sim::Time>{0, 0, 0}));
}

TEST(RetryPolicy, FixedWaitsTheBase) {
  EXPECT_EQ(FirstDelays({Backoff::kFixed, 100 * kMillisecond, sim::kSecond, Jitter::kNone, 0}, 3),
            (std::vector<sim::Time>{100, 100, 100}));
}

TEST(RetryPolicy, ExponentialDoublesUpToTheCap) {
  EXPECT_EQ(
      FirstDelays({Backoff::kExponential, 100 * kMillisecond, sim::kSecond, Jitter::kNone, 0}, 6),
      (std::vector<sim::Time>{100, 200, 400, 800, 1000, 1000}));
}

TEST(RetryPolicy, ExponentialNeverOverflowsOnLateRetries) {
  RetryPolicy policy({Backoff::kExponential, sim::kSecond, sim::kHour, Jitter::kNone, 0});
  sim::RandomStream stream(1);
  EXPECT_EQ(policy.Delay(1'000'000, 0, stream), sim::kHour);
}

// Each jitter keeps its delay within its documented range, over many draws.
TEST(RetryPolicy, JittersStayWithinTheirRanges) {
  const sim::Time base = 100 * kMillisecond, cap = 5 * sim::kSecond;
  RetryPolicy full({Backoff::kExponential, base, cap, Jitter::kFull, 0});
  RetryPolicy equal({Backoff::kExponential, base, cap, Jitter::kEqual, 0});
  RetryPolicy decorrelated({Backoff::kExponential, base, cap, Jitter::kDecorrelated, 0});
  sim::RandomStream stream(7);
  double full_sum = 0;
  sim::Time previous = 0;
  constexpr int kDraws = 10000;
  for (int i = 0; i < kDraws; ++i) {
    const sim::Time f = full.Delay(3, 0, stream);  // exponential: 400 ms
    EXPECT_GE(f, 0);
    EXPECT_LE(f, 400 * kMillisecond);
    full_sum += static_cast<double>(f);
    const sim::Time e = equal.Delay(3, 0, stream);
    EXPECT_GE(e, 200 * kMillisecond);
    EXPECT_LE(e, 400 * kMillisecond);
    const std::uint32_t retry = 1 + static_cast<std::uint32_t>(i % 8);
    const sim::Time d = decorrelated.Delay(retry, previous, stream);
    EXPECT_GE(d, base);
    EXPECT_LE(d, std::min(cap, 3 * (retry == 1 ? base : previous)));
    previous = d;
  }
  // Full jitter is uniform over [0, 400 ms]: its mean is 200 ms (the standard error of the
  // mean of 10000 draws is about 1.2 ms).
  EXPECT_NEAR(full_sum / kDraws / kMillisecond, 200, 5);
}

TEST(RetryPolicy, MaxAttemptsCountsTheFirstAttempt) {
  RetryPolicy three({Backoff::kImmediate, 0, 0, Jitter::kNone, 3});
  EXPECT_TRUE(three.MayRetryAfter(1));
  EXPECT_TRUE(three.MayRetryAfter(2));
  EXPECT_FALSE(three.MayRetryAfter(3));
  RetryPolicy unlimited({Backoff::kImmediate, 0, 0, Jitter::kNone, 0});
  EXPECT_TRUE(unlimited.MayRetryAfter(1'000'000));
}

// One poison message, sent at 1 ms and handed to the handler at 3 ms; each attempt takes
// 10 ms and fails; the waits are 100, 200 and 400 ms. Attempt 4 fails at
// 3 + 10 + 100 + 10 + 200 + 10 + 400 + 10 = 743 ms; the reject reaches the broker at 744 ms
// and dead-letters the message.
TEST(ConsumerRetries, RetryInTheHandlerThenDeadLetter) {
  std::string text = OneQueueScenario(
      "instances: 1, processing: 10ms, on_poison: retry, retry: { backoff: exponential, base: "
      "100ms, cap: 10s, max_attempts: 4 }",
      "1500us");
  text.replace(text.find("queues: [ { name: billing } ]"), 29,
               "queues: [ { name: billing, dead_letter_exchange: dlx }, { name: dead } ]");
  text.replace(text.find("exchanges: [ { name: orders, type: fanout } ]"), 45,
               "exchanges: [ { name: orders, type: fanout }, { name: dlx, type: fanout } ]");
  text.replace(
      text.find("bindings: [ { exchange: orders, queue: billing } ]"), 50,
      "bindings: [ { exchange: orders, queue: billing }, { exchange: dlx, queue: dead } ]");
  text.replace(text.find("rate: 1000/s"), 12, "rate: 1000/s, poison: 1");
  RecordingTrace trace;
  const models::RunResult result = RunScenario(ParseScenario(text), &trace);
  EXPECT_EQ(QueueNamed(result, "billing").handler_retries, 3u);
  EXPECT_EQ(GroupNamed(result, "billing").deliveries, 1u);
  EXPECT_EQ(GroupNamed(result, "billing").dead_lettered, 1u);
  ASSERT_EQ(trace.Of("dead-letter").size(), 1u);
  EXPECT_EQ(trace.Of("dead-letter")[0].at, 744 * kMillisecond);
}

// The largest number of requests the broker got in one sample interval at or after `from`.
std::uint64_t PeakFrom(const models::RunResult& result, sim::Time from) {
  const auto& counts = result.queue_broker.incoming_requests;
  const sim::Time interval = result.queue_broker.incoming_interval;
  std::uint64_t peak = 0;
  for (std::size_t i = static_cast<std::size_t>(from / interval); i < counts.size(); ++i) {
    peak = std::max(peak, counts[i]);
  }
  return peak;
}

TEST(ReconnectStorm, FixedDelaysLandEveryAttemptTogether) {
  const models::RunResult result = RunScenario(BundledScenario("queue-reconnect-storm.yaml"));
  const auto& counts = result.queue_broker.incoming_requests;
  ASSERT_EQ(result.queue_broker.incoming_interval, 100 * kMillisecond);
  // Every 100 ms interval holds 200 requests or none: 0 s (the first subscriptions), the five
  // attempts while the broker is down, and the one after its restart.
  std::vector<std::size_t> busy;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    EXPECT_EQ(counts[i], 200u) << "interval " << i;
    busy.push_back(i);
  }
  EXPECT_EQ(busy, (std::vector<std::size_t>{0, 25, 30, 35, 40, 45, 50}));
  EXPECT_EQ(result.queue_broker.dropped_while_down, 1000u);
}

TEST(ReconnectStorm, JitteredExponentialReconnectsSpreadTheStorm) {
  models::Scenario scenario = BundledScenario("queue-reconnect-storm.yaml");
  models::QueueConsumerConfig& billing = scenario.consumers.at(0).queue;
  billing.has_reconnect_policy = true;
  billing.reconnect = {Backoff::kExponential, 500 * kMillisecond, 5 * sim::kSecond, Jitter::kFull,
                       0};
  const models::RunResult result = RunScenario(scenario);
  EXPECT_LE(PeakFrom(result, 2 * sim::kSecond), 100u);
  EXPECT_EQ(GroupNamed(result, "billing").lost, 0u);
}

TEST(PublisherStorm, FixedBackoffRepublishesEveryOrderTogether) {
  const models::RunResult result = RunScenario(BundledScenario("queue-publisher-storm.yaml"));
  const auto& counts = result.queue_broker.incoming_requests;
  ASSERT_EQ(result.queue_broker.incoming_interval, 100 * kMillisecond);
  ASSERT_GT(counts.size(), 48u);
  EXPECT_EQ(counts[0], 201u);  // the 200 first sends and the first subscription
  for (std::size_t storm : {15u, 30u, 45u}) EXPECT_EQ(counts[storm], 200u) << storm;
  for (std::size_t subscription : {12u, 24u, 36u, 48u}) {
    EXPECT_EQ(counts[subscription], 1u) << subscription;
  }
  EXPECT_EQ(PeakFrom(result, sim::kSecond), 200u);
  EXPECT_EQ(result.queue_broker.dropped_while_down, 604u);
  EXPECT_EQ(result.producers.at(0).intended, 200u);
  EXPECT_EQ(result.producers.at(0).acknowledged, 200u);
  EXPECT_EQ(GroupNamed(result, "billing").lost, 0u);
}

TEST(PublisherStorm, JitteredExponentialRepublishesSpreadTheStorm) {
  models::Scenario scenario = BundledScenario("queue-publisher-storm.yaml");
  models::ProducerConfig& shop = scenario.producers.at(0);
  shop.has_retry_policy = true;
  shop.retry = {Backoff::kExponential, 500 * kMillisecond, 4 * sim::kSecond, Jitter::kFull, 0};
  const models::RunResult result = RunScenario(scenario);
  EXPECT_LE(PeakFrom(result, sim::kSecond), 100u);
  EXPECT_EQ(result.producers.at(0).acknowledged, 200u);
  EXPECT_EQ(GroupNamed(result, "billing").lost, 0u);
}

// One record at 100 ms over a link that loses every request, a 100 ms request timeout and 5
// sends. Exponential from 100 ms, capped at 300 ms: the waits after the timeouts at 200, 400,
// 700 and 1100 ms are 100, 200, 300 and 300 ms, so the sends go at 100, 300, 600, 1000 and
// 1400 ms. The fixed retry_backoff of 100 ms sends at 100, 300, 500, 700 and 900 ms.
std::vector<sim::Time> SendTimes(const std::string& retry) {
  RecordingTrace trace;
  const models::RunResult result = RunScenario(ParseScenario(R"(
name: one-record
duration: 150ms
drain: 3s
topics: [ { name: t, partitions: 1 } ]
network: { latency: const(1ms), links: [ { link: p -> broker, loss: 1 } ] }
producers:
  - { name: p, topic: t, rate: 10/s, linger: 0ms, request_timeout: 100ms, max_attempts: 5,
      )" + retry + R"( }
)"),
                                               &trace);
  EXPECT_EQ(result.producers.at(0).gave_up, 1u);
  return MillisecondsOf(trace, "send");
}

TEST(ProducerRetries, ExponentialBackoffGrowsTheWaitsUpToTheCap) {
  EXPECT_EQ(SendTimes("retry: { backoff: exponential, base: 100ms, cap: 300ms }"),
            (std::vector<sim::Time>{100, 300, 600, 1000, 1400}));
}

TEST(ProducerRetries, WithoutAPolicyTheFixedRetryBackoffStays) {
  EXPECT_EQ(SendTimes("retry_backoff: 100ms"), (std::vector<sim::Time>{100, 300, 500, 700, 900}));
}

// A publisher with confirms whose link loses everything until 450 ms; messages at 100, 200,
// 300, 400 and 500 ms; a 100 ms confirm timeout, then waits of 100 ms and 200 ms
// (exponential). Message 3 (sent at 300 ms, lost) is due again at 500 ms, while messages 1 and
// 2, lost twice, wait until 600 and 700 ms: with its own policy a publisher republishes
// message 3 at 500 ms rather than behind them.
TEST(ProducerRetries, AQueuePublisherRepublishesEachMessageWhenItsOwnWaitEnds) {
  RecordingTrace trace;
  RunScenario(ParseScenario(R"(
name: publisher
duration: 550ms
drain: 2s
broker:
  kind: queue
  exchanges: [ { name: orders, type: fanout } ]
  queues: [ { name: billing } ]
  bindings: [ { exchange: orders, queue: billing } ]
producers:
  - { name: shop, exchange: orders, rate: 10/s, confirms: true, request_timeout: 100ms,
      retry: { backoff: exponential, base: 100ms, cap: 1s } }
network: { latency: const(0) }
faults: [ { link: shop -> broker, from: 0s, until: 450ms, loss: 1 } ]
)"),
              &trace);
  std::map<std::int64_t, std::vector<sim::Time>> sends;
  for (const TraceEvent& send : trace.Of("send")) {
    sends[send.Number("message")].push_back(send.at / kMillisecond);
  }
  ASSERT_EQ(sends.size(), 5u);
  const std::vector<std::vector<sim::Time>> expected = {
      {100, 300, 600}, {200, 400, 700}, {300, 500}, {400, 600}, {500}};
  std::size_t i = 0;
  for (const auto& [message, times] : sends) EXPECT_EQ(times, expected[i++]) << message;
}

}  // namespace
}  // namespace deliverysim::testing
