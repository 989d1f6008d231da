// The analytic models against values computed by hand (the arithmetic is in each comment).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "models/analytic_predictions.h"
#include "models/at_most_once_loss.h"
#include "models/erlang_c.h"
#include "models/retry_chain.h"
#include "test_support.h"

namespace deliverysim {
namespace {

using ::testing::HasSubstr;

TEST(ErlangC, MM1IsTheTextbookQueue) {
  // rho = 800 / 1000 = 0.8; P(wait) = rho; Lq = rho^2 / (1 - rho) = 3.2;
  // Wq = Lq / lambda = 4 ms; L = rho / (1 - rho) = 4; W = 1 / (mu - lambda) = 5 ms.
  const models::MmcPrediction p = models::ErlangC(1, 800, 1000);
  EXPECT_NEAR(p.utilisation, 0.8, 1e-12);
  EXPECT_NEAR(p.wait_probability, 0.8, 1e-12);
  EXPECT_NEAR(p.mean_queue_length, 3.2, 1e-12);
  EXPECT_NEAR(p.mean_wait, 0.004, 1e-15);
  EXPECT_NEAR(p.mean_in_system, 4, 1e-12);
  EXPECT_NEAR(p.mean_sojourn, 0.005, 1e-15);
}

TEST(ErlangC, MM3ByHand) {
  // c = 3, lambda = 2, mu = 1: a = 2, rho = 2/3. sum_{k<3} a^k / k! = 1 + 2 + 2 = 5;
  // a^3 / 3! / (1 - rho) = (8/6) * 3 = 4; C = 4 / (5 + 4) = 4/9.
  // Wq = C / (c mu - lambda) = 4/9; Lq = lambda Wq = 8/9.
  const models::MmcPrediction p = models::ErlangC(3, 2, 1);
  EXPECT_NEAR(p.wait_probability, 4.0 / 9, 1e-12);
  EXPECT_NEAR(p.mean_wait, 4.0 / 9, 1e-12);
  EXPECT_NEAR(p.mean_queue_length, 8.0 / 9, 1e-12);
  EXPECT_NEAR(p.mean_in_system, 8.0 / 9 + 2, 1e-12);
}

TEST(RetryChain, OneAttempt) {
  // request loss 0.1, failure 0.2, ack loss 0.5: effect 0.9 * 0.8 = 0.72, acknowledged 0.36;
  // given up after an effect 0.36, with none 0.28.
  const models::RetryPrediction p =
      models::SolveRetryChain({0.1, 0.2, 0.5, 1, /*dead_letter_queue=*/false});
  EXPECT_NEAR(p.acknowledged, 0.36, 1e-12);
  EXPECT_NEAR(p.processed, 0.72, 1e-12);
  EXPECT_NEAR(p.lost, 0.28, 1e-12);
  EXPECT_NEAR(p.dead_lettered, 0, 1e-12);
  EXPECT_NEAR(p.expected_attempts, 1, 1e-12);
  EXPECT_NEAR(p.expected_duplicate_effects, 0, 1e-12);
}

TEST(RetryChain, TwoAttemptsWithADeadLetterQueue) {
  // Per attempt: acknowledged 0.36, effect without acknowledgement 0.36, no effect 0.28.
  // acknowledged = 0.36 + (0.36 + 0.28) * 0.36 = 0.5904.
  // given up = 1 - 0.5904 = 0.4096, all dead-lettered; never processed = 0.28^2 = 0.0784.
  // attempts = 1 + 0.64 = 1.64; effects = 0.72 + 0.64 * 0.72 = 1.1808;
  // duplicates = effects - P(processed) = 1.1808 - 0.9216 = 0.2592 (= 0.36 * 0.72).
  const models::RetryPrediction p =
      models::SolveRetryChain({0.1, 0.2, 0.5, 2, /*dead_letter_queue=*/true});
  EXPECT_NEAR(p.acknowledged, 0.5904, 1e-12);
  EXPECT_NEAR(p.given_up, 0.4096, 1e-12);
  EXPECT_NEAR(p.dead_lettered, 0.4096, 1e-12);
  EXPECT_NEAR(p.lost, 0, 1e-12);
  EXPECT_NEAR(p.processed, 0.9216, 1e-12);
  EXPECT_NEAR(p.expected_attempts, 1.64, 1e-12);
  EXPECT_NEAR(p.expected_effects, 1.1808, 1e-12);
  EXPECT_NEAR(p.expected_duplicate_effects, 0.2592, 1e-12);
}

TEST(RetryChain, WithoutADeadLetterQueueTheNeverProcessedAreLost) {
  const models::RetryPrediction p =
      models::SolveRetryChain({0.1, 0.2, 0.5, 2, /*dead_letter_queue=*/false});
  EXPECT_NEAR(p.lost, 0.0784, 1e-12);
  EXPECT_NEAR(p.dead_lettered, 0, 1e-12);
}

TEST(RetryChain, UnlimitedAttemptsAreGeometric) {
  // Loss 0.1 out, 0.5 back: acknowledged per attempt 0.45, so 1 / 0.45 attempts, 0.9 / 0.45 = 2
  // effects, one of them a duplicate.
  const models::RetryOdds policy{0.1, 0, 0.5, 1, false};
  const models::RetryPrediction p = models::SolveUnlimitedRetries(policy);
  EXPECT_NEAR(p.expected_attempts, 1 / 0.45, 1e-12);
  EXPECT_NEAR(p.expected_duplicate_effects, 1, 1e-12);
  // The chain with many attempts tends to the same: 0.55^200 is negligible.
  models::RetryOdds many = policy;
  many.max_attempts = 200;
  EXPECT_NEAR(models::SolveRetryChain(many).expected_attempts, 1 / 0.45, 1e-9);
}

TEST(AtMostOnceLoss, AveragesTheLinkLossOverTime) {
  // 1% always, and 50% more from 10 s to 20 s of 60 s: 1/6 of the time 1 - 0.99 * 0.5 = 0.505,
  // 5/6 of the time 0.01: 0.505 / 6 + 0.05 / 6 = 0.0925.
  const double p = models::AtMostOnceLossProbability(
      0.01, {{10 * sim::kSecond, 20 * sim::kSecond, 0.5}}, 60 * sim::kSecond);
  EXPECT_NEAR(p, 0.0925, 1e-12);
}

TEST(AnalyzeScenario, SaysWhyAGroupIsNotAQueue) {
  const models::Analysis a =
      models::AnalyzeScenario(testing::BundledScenario("order-placed-inbox.yaml"));
  EXPECT_TRUE(a.queues.empty());
  ASSERT_FALSE(a.not_applicable.empty());
  EXPECT_THAT(a.not_applicable[0], HasSubstr("group billing is not an M/M/1 queue: its topic "
                                             "has several partitions"));
}

TEST(AnalyzeScenario, AProducerWithConstantLossIsARetryChain) {
  // order-placed-at-least-once: 1% loss each way all the time, unlimited attempts.
  const models::Analysis a =
      models::AnalyzeScenario(testing::BundledScenario("order-placed-at-least-once.yaml"));
  ASSERT_EQ(a.retries.size(), 1u);
  EXPECT_TRUE(a.retries[0].unlimited);
  EXPECT_NEAR(a.retries[0].prediction.expected_attempts, 1 / (0.99 * 0.99), 1e-12);
}

// A one-partition, one-instance group that meets every M/M/1 assumption; each row of the table
// below breaks one and names the reason analyze must give.
constexpr const char* kQueue = R"(
name: q
duration: 10s
broker: { initial_rebalance_delay: 0 }
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 500/s, arrivals: poisson, linger: 0ms }]
consumers: [{ group: g, topic: t, instances: 1, processing: exp(1ms), max_poll_records: 1,
              commit: before-processing }]
network: { latency: const(0) }
)";

TEST(AnalyzeScenario, EachBrokenQueueAssumptionIsNamed) {
  const std::pair<std::pair<std::string, std::string>, std::string> rows[] = {
      {{"arrivals: poisson", "arrivals: constant"}, "arrivals are not Poisson"},
      {{"linger: 0ms", "linger: 5ms"}, "the producer lingers"},
      {{"exp(1ms)", "const(1ms)"}, "processing is not exponential"},
      {{"max_poll_records: 1", "max_poll_records: 2"}, "max_poll_records is not 1"},
      {{"before-processing", "auto-commit-timer"}, "auto-commit moves the committed offset"},
      {{"const(0)", "const(1ms)"}, "network.latency is not const(0)"},
      {{"rate: 500/s", "rate: 1000/s"}, "utilisation is 1 or more"},
      {{"instances: 1", "instances: 2"}, "several instances but one partition"},
  };
  ASSERT_EQ(models::AnalyzeScenario(testing::ParseScenario(kQueue)).queues.size(), 1u);
  for (const auto& [change, reason] : rows) {
    std::string text = kQueue;
    text.replace(text.find(change.first), change.first.size(), change.second);
    const models::Analysis a = models::AnalyzeScenario(testing::ParseScenario(text));
    EXPECT_TRUE(a.queues.empty()) << change.second;
    ASSERT_FALSE(a.not_applicable.empty());
    EXPECT_THAT(a.not_applicable[0], HasSubstr(reason)) << change.second;
  }
}

TEST(AnalyzeScenario, ADrainAndAStartDelayAreCaveats) {
  std::string text = kQueue;
  text.replace(text.find("initial_rebalance_delay: 0"), 26, "initial_rebalance_delay: 1s");
  text.replace(text.find("duration: 10s"), 13, "duration: 10s\ndrain: 1s");
  const models::Analysis a = models::AnalyzeScenario(testing::ParseScenario(text));
  ASSERT_EQ(a.queues.size(), 1u);
  ASSERT_EQ(a.caveats.size(), 2u);
  EXPECT_THAT(a.caveats[0], HasSubstr("initial_rebalance_delay"));
  EXPECT_THAT(a.caveats[1], HasSubstr("drain: 0 matches the steady state"));
}

// A Kafka client with several requests in flight resends all of them when one times out; the
// chain counts only each message's own attempts, and analyze says so.
TEST(AnalyzeScenario, SeveralRequestsInFlightAreACaveatOfTheRetryChain) {
  models::Scenario s = testing::BundledScenario("order-placed-at-least-once.yaml");
  ASSERT_EQ(s.producers[0].max_in_flight, 5u);
  auto undercounts = [](const models::Analysis& a) {
    return std::any_of(a.caveats.begin(), a.caveats.end(), [](const std::string& c) {
      return c.find("undercounts sends") != std::string::npos;
    });
  };
  EXPECT_TRUE(undercounts(models::AnalyzeScenario(s)));
  s.producers[0].max_in_flight = 1;
  EXPECT_FALSE(undercounts(models::AnalyzeScenario(s)));
}

// A queue group whose handler fails at random, retried in the handler 3 times and then
// rejected to a dead-letter exchange that routes to a queue; each row breaks one assumption of
// the chain and names the reason analyze must give.
constexpr const char* kFailingHandler = R"(
name: f
duration: 10s
broker:
  kind: queue
  exchanges: [{ name: jobs, type: fanout }, { name: dlx, type: fanout }]
  queues: [{ name: work, dead_letter_exchange: dlx }, { name: dead }]
  bindings: [{ exchange: jobs, queue: work }, { exchange: dlx, queue: dead }]
producers: [{ name: p, exchange: jobs, rate: 100/s }]
consumers: [{ group: g, queue: work, instances: 1, processing: 1ms, failure: 0.5,
              on_poison: retry, retry: { max_attempts: 3 } }]
)";

// Whether analyze says group g's failing handler is no retry chain, for `reason`.
bool NamesWhy(const models::Analysis& a, const std::string& reason) {
  return std::any_of(a.not_applicable.begin(), a.not_applicable.end(), [&](const std::string& w) {
    return w.find("group g: its failing handler is not a retry chain: ") == 0 &&
           w.find(reason) != std::string::npos;
  });
}

TEST(AnalyzeScenario, AFailingHandlerIsARetryChainToTheDeadLetterQueue) {
  const models::Analysis a = models::AnalyzeScenario(testing::ParseScenario(kFailingHandler));
  ASSERT_EQ(a.dead_letters.size(), 1u);
  const models::DeadLetterCheck& d = a.dead_letters[0];
  EXPECT_EQ(d.policy.max_attempts, 3u);
  EXPECT_TRUE(d.policy.dead_letter_queue);
  EXPECT_NEAR(d.prediction.dead_lettered, 0.125, 1e-12);  // 0.5^3
}

TEST(AnalyzeScenario, EachBrokenFailingHandlerAssumptionIsNamed) {
  const std::pair<std::pair<std::string, std::string>, std::string> rows[] = {
      {{"rate: 100/s", "rate: 100/s, poison: 0.1"}, "sends poison messages"},
      {{"processing: 1ms,", "processing: 1ms, ack: auto,"}, "automatic acknowledgement"},
      {{"on_poison: retry, retry: { max_attempts: 3 }", "on_poison: crash"},
       "a failed attempt kills the instance"},
      {{"duration: 10s", "duration: 10s\nfaults: [{ crash: g-1, at: 1s, restart_after: 1s }]"},
       "the scenario has crashes"},
      {{"duration: 10s", "duration: 10s\nnetwork: { links: [{ link: g-1 -> broker, loss: 0.1 }] }"},
       "link g-1 -> broker loses or duplicates packets"},
  };
  for (const auto& [change, reason] : rows) {
    std::string text = kFailingHandler;
    text.replace(text.find(change.first), change.first.size(), change.second);
    const models::Analysis a = models::AnalyzeScenario(testing::ParseScenario(text));
    EXPECT_TRUE(a.dead_letters.empty()) << change.second;
    EXPECT_TRUE(NamesWhy(a, reason)) << change.second;
  }
}

// Requeued on a classic queue with every attempt failing, a message never ends.
TEST(AnalyzeScenario, EveryAttemptFailingWithoutALimitIsNamed) {
  std::string text = kFailingHandler;
  const std::string retry = "on_poison: retry, retry: { max_attempts: 3 }";
  text.replace(text.find(retry), retry.size(), "on_poison: requeue");
  text.replace(text.find("failure: 0.5"), 12, "failure: 1");
  const models::Analysis a = models::AnalyzeScenario(testing::ParseScenario(text));
  EXPECT_TRUE(a.dead_letters.empty());
  EXPECT_TRUE(NamesWhy(a, "every attempt fails and nothing limits them"));
}

// Requeued on a classic queue nothing limits the attempts, so nothing is dead-lettered.
TEST(AnalyzeScenario, RequeueingWithoutALimitNeverDeadLetters) {
  std::string text = kFailingHandler;
  const std::string retry = "on_poison: retry, retry: { max_attempts: 3 }";
  text.replace(text.find(retry), retry.size(), "on_poison: requeue");
  const models::Analysis a = models::AnalyzeScenario(testing::ParseScenario(text));
  ASSERT_EQ(a.dead_letters.size(), 1u);
  EXPECT_TRUE(a.dead_letters[0].unlimited);
  EXPECT_EQ(a.dead_letters[0].prediction.dead_lettered, 0);
  EXPECT_NEAR(a.dead_letters[0].prediction.expected_attempts, 2, 1e-12);  // 1 / (1 - 0.5)
}

// A failing handler serves some messages more than once, which an M/M/c server never does.
TEST(AnalyzeScenario, AFailingHandlerIsNotAnMMcServer) {
  constexpr const char* kCompeting = R"(
name: c
duration: 10s
broker:
  kind: queue
  exchanges: [{ name: jobs, type: fanout }]
  queues: [{ name: work }]
  bindings: [{ exchange: jobs, queue: work }]
producers: [{ name: p, exchange: jobs, rate: 100/s, arrivals: poisson }]
consumers: [{ group: g, queue: work, instances: 2, processing: exp(1ms), prefetch: 1 }]
network: { latency: const(0) }
)";
  ASSERT_EQ(models::AnalyzeScenario(testing::ParseScenario(kCompeting)).queues.size(), 1u);
  std::string text = kCompeting;
  text.replace(text.find("prefetch: 1"), 11, "prefetch: 1, failure: 0.1, on_poison: requeue");
  const models::Analysis a = models::AnalyzeScenario(testing::ParseScenario(text));
  EXPECT_TRUE(a.queues.empty());
  ASSERT_FALSE(a.not_applicable.empty());
  EXPECT_THAT(a.not_applicable[0], HasSubstr("handler attempts fail (failure)"));
}

}  // namespace
}  // namespace deliverysim
