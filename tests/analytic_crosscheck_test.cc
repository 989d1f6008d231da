// The simulator against theory, at fixed seeds (so these cannot flake): over 20 replications,
// the 99% Student-t confidence interval of the simulated mean must contain the analytic value;
// for a fraction of independent messages, the 99% binomial interval of one long run.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "app/statistics.h"
#include "models/analytic_predictions.h"
#include "test_support.h"

namespace deliverysim {
namespace {

using testing::ParseScenario;
using testing::RunScenario;

constexpr int kReplications = 20;

// Runs `scenario` with seeds 1 to kReplications and checks that the 99% interval of
// `measure` over the runs contains `expected`.
void ExpectIntervalContains(models::Scenario scenario,
                            const std::function<double(const models::RunResult&)>& measure,
                            double expected) {
  std::vector<double> values;
  for (int seed = 1; seed <= kReplications; ++seed) {
    scenario.seed = static_cast<std::uint64_t>(seed);
    values.push_back(measure(RunScenario(scenario)));
  }
  const app::Summary summary = app::Summarize(values);
  const app::ConfidenceInterval ci = app::MeanInterval(summary, 0.99);
  EXPECT_LE(ci.low, expected) << "mean " << summary.mean << ", 99% CI [" << ci.low << ", "
                              << ci.high << "]";
  EXPECT_GE(ci.high, expected) << "mean " << summary.mean << ", 99% CI [" << ci.low << ", "
                               << ci.high << "]";
}

// An M/M/1 queue in the log broker. The scenario is made to match the model's assumptions:
// - Poisson arrivals (arrivals: poisson) into one partition read by one instance: one server;
//   no linger, so each record reaches the log the moment it is intended.
// - No network delay (latency const(0)): a fetch, a commit and the parked fetch's answer take
//   no time, so the instance is never idle while a record waits, as a server in the model.
// - max_poll_records 1: with larger batches the committed offset trails a whole batch, so lag
//   in messages would count processed records too. (Batching does not change waiting times
//   here, since with no delay the next fetch starts the moment a batch ends.)
// - commit before processing: the record in service is committed when it starts, so
//   log end - committed offset is exactly the number waiting, Lq.
// - No start-up delay (initial_rebalance_delay 0) and no drain, when nothing arrives and the
//   lag falls to 0: the sampled lag is then the steady-state queue, apart from the first
//   fraction of a second starting empty, which is negligible against 100 s.
models::Scenario MM1(double utilisation, const char* commit = "before-processing") {
  return ParseScenario(fmt::format(R"(
name: mm1
duration: 100s
drain: 0
sample_interval: 10ms
broker: {{ initial_rebalance_delay: 0 }}
topics: [{{ name: jobs, partitions: 1 }}]
producers: [{{ name: source, topic: jobs, rate: {}/s, arrivals: poisson, linger: 0ms }}]
consumers: [{{ group: workers, topic: jobs, instances: 1, processing: exp(1ms),
              max_poll_records: 1, commit: {}, auto_offset_reset: earliest }}]
network: {{ latency: const(0) }}
)",
                                   utilisation * 1000, commit));
}

double MeanLag(const models::RunResult& r) { return r.groups[0].lag_messages.mean; }

TEST(AnalyticCrossCheck, MM1AtUtilisationHalfMatchesErlangC) {
  const models::Scenario scenario = MM1(0.5);
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.queues.size(), 1u);
  // Lq = rho^2 / (1 - rho) = 0.25 / 0.5 = 0.5.
  ASSERT_NEAR(analysis.queues[0].predicted_lag(), 0.5, 1e-12);
  ExpectIntervalContains(scenario, MeanLag, analysis.queues[0].predicted_lag());
}

TEST(AnalyticCrossCheck, MM1AtUtilisationFourFifthsMatchesErlangC) {
  const models::Scenario scenario = MM1(0.8);
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.queues.size(), 1u);
  // Lq = 0.64 / 0.2 = 3.2.
  ASSERT_NEAR(analysis.queues[0].predicted_lag(), 3.2, 1e-12);
  ExpectIntervalContains(scenario, MeanLag, analysis.queues[0].predicted_lag());
}

// Committing after processing, the record in service stays uncommitted until its effect, so
// the lag counts it: the number in the system, L = rho / (1 - rho) = 1 at utilisation 0.5.
TEST(AnalyticCrossCheck, MM1CommittingAfterProcessingLagIsTheNumberInTheSystem) {
  const models::Scenario scenario = MM1(0.5, "after-processing");
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.queues.size(), 1u);
  ASSERT_NEAR(analysis.queues[0].predicted_lag(), 1.0, 1e-12);
  ExpectIntervalContains(scenario, MeanLag, analysis.queues[0].predicted_lag());
}

// M/M/3: three competing consumers on one RabbitMQ-style queue. Each holds one message at a
// time (prefetch 1, manual acknowledgement when processed) and the network takes no time, so a
// free instance is handed the next message at once, as a free server in the model; the queue's
// depth (ready plus unacknowledged) is the number in the system, L.
models::Scenario MM3(double utilisation) {
  return ParseScenario(fmt::format(R"(
name: mm3
duration: 100s
drain: 0
sample_interval: 10ms
broker:
  kind: queue
  exchanges: [{{ name: jobs, type: fanout }}]
  queues: [{{ name: work }}]
  bindings: [{{ exchange: jobs, queue: work }}]
producers: [{{ name: source, exchange: jobs, rate: {}/s, arrivals: poisson }}]
consumers: [{{ group: workers, queue: work, instances: 3, processing: exp(1ms), ack: manual,
              prefetch: 1 }}]
network: {{ latency: const(0) }}
)",
                                   utilisation * 3000));
}

TEST(AnalyticCrossCheck, MM3AtUtilisationHalfMatchesErlangC) {
  const models::Scenario scenario = MM3(0.5);
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.queues.size(), 1u);
  // c = 3, a = lambda / mu = 1.5: Erlang C = (a^3/3! * 3/(3-a)) / (1 + a + a^2/2 + that)
  // = 1.125 / 4.75 = 0.236842; Lq = C * a / (c - a) = 0.236842; L = Lq + a = 1.736842.
  ASSERT_NEAR(analysis.queues[0].predicted_lag(), 1.736842, 1e-6);
  ExpectIntervalContains(scenario, MeanLag, analysis.queues[0].predicted_lag());
}

TEST(AnalyticCrossCheck, MM3AtUtilisationFourFifthsMatchesErlangC) {
  const models::Scenario scenario = MM3(0.8);
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.queues.size(), 1u);
  // a = 2.4: a^3/3! * 3/(3-a) = 2.304 * 5 = 11.52; 1 + a + a^2/2 = 6.28; C = 11.52 / 17.8
  // = 0.647191; Lq = C * 2.4 / 0.6 = 2.588764; L = 4.988764.
  ASSERT_NEAR(analysis.queues[0].predicted_lag(), 4.988764, 1e-6);
  ExpectIntervalContains(scenario, MeanLag, analysis.queues[0].predicted_lag());
}

// A producer retrying over lossy links: 20% of requests and 20% of acknowledgements lost, at
// most 3 sends. Timeouts far above the round trip, so no reply arrives after its retry, and a
// group reading everything on lossless links: it loses only what was never appended, and
// sees each extra append as a duplicate delivery. One request in flight, so that a timeout
// closing the connection fails only the request it is about, and no idempotence, so that a
// retry after a lost acknowledgement appends again, as the chain assumes. Records waiting
// behind a request share the next one, but each record's attempts stay independent.
models::Scenario RetryingProducer() {
  return ParseScenario(R"(
name: retries
duration: 10s
drain: 2s
broker: { initial_rebalance_delay: 0 }
topics: [{ name: t, partitions: 2 }]
producers: [{ name: p, topic: t, rate: 200/s, arrivals: poisson, acks: all, max_attempts: 3,
              request_timeout: 50ms, retry_backoff: 5ms, linger: 0ms, max_in_flight: 1,
              idempotence: false }]
consumers: [{ group: g, topic: t, instances: 1, processing: const(100us),
              commit: after-processing, auto_offset_reset: earliest }]
network:
  latency: const(1ms)
  links:
    - { link: p -> broker, loss: 0.2 }
    - { link: broker -> p, loss: 0.2 }
)");
}

TEST(AnalyticCrossCheck, ProducerRetriesMatchTheRetryChain) {
  const models::Scenario scenario = RetryingProducer();
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.retries.size(), 1u);
  const models::RetryPrediction& p = analysis.retries[0].prediction;
  // Per attempt: appended 0.8, acknowledged 0.64. Given up: 0.36^3 = 0.046656; never appended:
  // 0.2^3 = 0.008; sends: 1 + 0.36 + 0.36^2 = 1.4896.
  ASSERT_NEAR(p.given_up, 0.046656, 1e-12);
  ASSERT_NEAR(1 - p.processed, 0.008, 1e-12);
  ASSERT_NEAR(p.expected_attempts, 1.4896, 1e-12);
  auto per_intent = [](auto field) {
    return [field](const models::RunResult& r) {
      return static_cast<double>(field(r)) / static_cast<double>(r.producers[0].intended);
    };
  };
  ExpectIntervalContains(scenario, per_intent([](const auto& r) { return r.producers[0].sends; }),
                         p.expected_attempts);
  ExpectIntervalContains(scenario, per_intent([](const auto& r) { return r.producers[0].gave_up; }),
                         p.given_up);
  ExpectIntervalContains(scenario, per_intent([](const auto& r) { return r.groups[0].lost; }),
                         1 - p.processed);
  ExpectIntervalContains(scenario,
                         per_intent([](const auto& r) { return r.groups[0].duplicate_deliveries; }),
                         p.expected_duplicate_effects);
}

TEST(AnalyticCrossCheck, AtMostOnceLosesWhatTheLinkLoses) {
  const models::Scenario scenario = ParseScenario(R"(
name: amo
duration: 10s
drain: 2s
broker: { initial_rebalance_delay: 0 }
topics: [{ name: t, partitions: 2 }]
producers: [{ name: p, topic: t, rate: 300/s, arrivals: poisson, acks: 0, max_attempts: 1 }]
consumers: [{ group: g, topic: t, instances: 1, processing: const(100us),
              commit: before-processing, auto_offset_reset: earliest }]
network: { links: [{ link: p -> broker, loss: 0.02 }] }
faults: [{ link: p -> broker, from: 2s, until: 4s, loss: 0.3 }]
)");
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.at_most_once.size(), 1u);
  // 2 s of 10 at 1 - 0.98 * 0.7 = 0.314, 8 s at 0.02: 0.2 * 0.314 + 0.8 * 0.02 = 0.0788.
  ASSERT_NEAR(analysis.at_most_once[0].loss_probability, 0.0788, 1e-12);
  ExpectIntervalContains(
      scenario,
      [](const models::RunResult& r) {
        return static_cast<double>(r.groups[0].lost) / static_cast<double>(r.groups[0].intended);
      },
      analysis.at_most_once[0].loss_probability);
}

// The 99% normal-approximation interval of a binomial proportion, k of n:
// k/n +- 2.5758 sqrt(q (1 - q) / n), with q = k/n; it must contain `expected`.
void ExpectProportionIntervalContains(std::uint64_t k, std::uint64_t n, double expected) {
  ASSERT_GT(n, 0u);
  const double q = static_cast<double>(k) / static_cast<double>(n);
  const double half = 2.5758 * std::sqrt(q * (1 - q) / static_cast<double>(n));
  EXPECT_LE(q - half, expected) << k << " of " << n << ", 99% CI [" << q - half << ", " << q + half
                                << "]";
  EXPECT_GE(q + half, expected) << k << " of " << n << ", 99% CI [" << q - half << ", " << q + half
                                << "]";
}

// A queue consumer whose handler attempts fail at random. 20000 messages (1000/s for 20 s) on
// lossless links, one instance taking 100 us an attempt, so it keeps up even when every
// message takes several attempts, and a 2 s drain finishes every message. Each message's
// attempts are independent draws of the instance's failure stream, so the dead-lettered count
// is binomial with n = 20000. `queue` and `consumer` are extra flow-map settings of the work
// queue and of the group.
models::Scenario FailingRabbitConsumer(const std::string& queue, const std::string& consumer) {
  return ParseScenario(fmt::format(R"(
name: failing-handler
duration: 20s
drain: 2s
broker:
  kind: queue
  exchanges: [{{ name: jobs, type: fanout }}, {{ name: dlx, type: fanout }}]
  queues: [{{ name: work, dead_letter_exchange: dlx{} }}, {{ name: dead }}]
  bindings: [{{ exchange: jobs, queue: work }}, {{ exchange: dlx, queue: dead }}]
producers: [{{ name: source, exchange: jobs, rate: 1000/s }}]
consumers: [{{ group: workers, queue: work, instances: 1, processing: const(100us), {} }}]
)",
                                   queue, consumer));
}

void ExpectDeadLetteredMatchesTheChain(const models::Scenario& scenario, double expected) {
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.dead_letters.size(), 1u);
  ASSERT_NEAR(analysis.dead_letters[0].prediction.dead_lettered, expected, 1e-12);
  const models::RunResult result = RunScenario(scenario);
  const models::GroupResult& workers = result.groups.at(0);
  ASSERT_EQ(workers.intended, 20000u);
  EXPECT_EQ(workers.lost, 0u);  // every message ends processed or dead-lettered
  ExpectProportionIntervalContains(workers.dead_lettered, workers.intended, expected);
}

// Retried in the handler, 3 attempts, each failing with 0.3: dead-lettered 0.3^3 = 0.027.
// The interval's half-width is 2.5758 sqrt(0.027 x 0.973 / 20000) = 0.0030.
TEST(AnalyticCrossCheck, HandlerRetriesDeadLetterFailureToTheAttempts) {
  ExpectDeadLetteredMatchesTheChain(
      FailingRabbitConsumer("", "failure: 0.3, on_poison: retry, retry: { max_attempts: 3 }"),
      0.027);
}

// Retried in the handler, 2 attempts failing with 0.5: 0.5^2 = 0.25 (half-width 0.0079).
TEST(AnalyticCrossCheck, HandlerRetriesOfACoinFlipDeadLetterAQuarter) {
  ExpectDeadLetteredMatchesTheChain(
      FailingRabbitConsumer("", "failure: 0.5, on_poison: retry, retry: { max_attempts: 2 }"),
      0.25);
}

// Requeued on a quorum queue with delivery_limit 2: RabbitMQ dead-letters a message returned
// more than 2 times, so it gets 3 deliveries: 0.4^3 = 0.064 (half-width 0.0045).
TEST(AnalyticCrossCheck, QuorumDeliveryLimitDeadLettersAfterLimitPlusOneFailures) {
  ExpectDeadLetteredMatchesTheChain(FailingRabbitConsumer(", type: quorum, delivery_limit: 2",
                                                          "failure: 0.4, on_poison: requeue"),
                                    0.064);
}

// Abandoned on Service Bus with max_delivery_count 3: dead-lettered at the return that brings
// the count to 3, so 3 deliveries: 0.5^3 = 0.125 (half-width 0.0060). A receiver takes one
// message per 2 ms round trip, and each message 1.75 deliveries on average (1 + 0.5 + 0.25),
// so 8 receivers keep up with 1000/s.
TEST(AnalyticCrossCheck, ServiceBusMaxDeliveryCountDeadLettersAfterThatManyFailures) {
  ExpectDeadLetteredMatchesTheChain(ParseScenario(R"(
name: failing-receiver
duration: 20s
drain: 2s
broker:
  kind: service-bus
  queues: [{ name: work, max_delivery_count: 3 }]
producers: [{ name: source, queue: work, rate: 1000/s }]
consumers: [{ group: workers, queue: work, instances: 8, processing: const(100us),
              failure: 0.5, on_poison: abandon }]
)"),
                                    0.125);
}

// Without a dead-letter exchange a rejected message is discarded: lost, at p = 0.2 for one
// attempt, and nothing is dead-lettered.
TEST(AnalyticCrossCheck, RejectingWithoutADeadLetterExchangeLosesTheFailures) {
  const models::Scenario scenario = ParseScenario(R"(
name: failing-handler
duration: 20s
drain: 2s
broker:
  kind: queue
  exchanges: [{ name: jobs, type: fanout }]
  queues: [{ name: work }]
  bindings: [{ exchange: jobs, queue: work }]
producers: [{ name: source, exchange: jobs, rate: 1000/s }]
consumers: [{ group: workers, queue: work, instances: 1, processing: const(100us),
              failure: 0.2, on_poison: reject }]
)");
  const models::Analysis analysis = models::AnalyzeScenario(scenario);
  ASSERT_EQ(analysis.dead_letters.size(), 1u);
  EXPECT_FALSE(analysis.dead_letters[0].policy.dead_letter_queue);
  ASSERT_NEAR(analysis.dead_letters[0].prediction.lost, 0.2, 1e-12);
  const models::GroupResult workers = RunScenario(scenario).groups.at(0);
  EXPECT_EQ(workers.dead_lettered, 0u);
  ExpectProportionIntervalContains(workers.lost, workers.intended, 0.2);
}

}  // namespace
}  // namespace deliverysim
