// Properties every seed must keep, over 200 seeds of random consumer crashes (at times and at
// steps, with and without restart) and random packet loss on every link:
//   - a producer that never retries, with commits before processing, never runs an effect twice;
//   - a producer that retries until acknowledged, with commits after processing, loses nothing;
//   - the same with an inbox does neither.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/random.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

constexpr int kSeeds = 200;

// A random but reproducible system for `seed`: 2 or 3 instances over 4 partitions, up to three
// crashes in the first 1.8 s, and up to 10% loss on the producer's links and 3% on the
// consumers'. Only the delivery settings vary between the three properties.
std::string RandomScenario(std::uint64_t seed, const std::string& producer_delivery,
                           const std::string& commit) {
  sim::RandomStream random(seed);
  const int instances = 2 + static_cast<int>(random.NextBelow(2));
  static const char* kSteps[] = {"",
                                 "before-effect",
                                 "mid-processing",
                                 "after-effect",
                                 "before-commit",
                                 "after-commit",
                                 "between-effect-and-commit"};
  std::string faults;
  const int crashes = 1 + static_cast<int>(random.NextBelow(3));
  for (int i = 0; i < crashes; ++i) {
    const std::string target = fmt::format("billing-{}", 1 + random.NextBelow(instances));
    const double at = 0.1 + 1.7 * random.NextUnit();
    const std::string step = kSteps[random.NextBelow(std::size(kSteps))];
    const std::string when = step.empty() ? fmt::format("at: {:.4f}s", at)
                                          : fmt::format("step: {}, after: {:.4f}s", step, at);
    faults += fmt::format("  - {{ crash: {}, {}, restart_after: {}ms }}\n", target, when,
                          20 + random.NextBelow(500));
  }
  faults += fmt::format("  - {{ link: shop <-> broker, loss: {:.4f} }}\n", 0.1 * random.NextUnit());
  faults +=
      fmt::format("  - {{ link: billing <-> broker, loss: {:.4f} }}\n", 0.03 * random.NextUnit());
  return fmt::format(R"yaml(
name: property
seed: {seed}
duration: 2s
drain: 8s
broker: {{ initial_rebalance_delay: 20ms }}
topics: [ {{ name: orders, partitions: 4 }} ]
network: {{ latency: "uniform(200us, 2ms)" }}
producers:
  - {{ name: shop, topic: orders, rate: 150/s, arrivals: poisson, keys: 20,
      request_timeout: 50ms, retry_backoff: 5ms, {producer} }}
consumers:
  - {{ group: billing, topic: orders, instances: {instances}, processing: exp(2ms),
      commit: {commit}, session_timeout: 200ms, request_timeout: 50ms,
      fetch_max_wait: 50ms, max_poll_records: 8, auto_offset_reset: earliest }}
faults:
{faults})yaml",
                     fmt::arg("seed", seed), fmt::arg("producer", producer_delivery),
                     fmt::arg("instances", instances), fmt::arg("commit", commit),
                     fmt::arg("faults", faults));
}

models::GroupResult RunSeed(std::uint64_t seed, const std::string& producer,
                            const std::string& commit) {
  const models::RunResult result =
      RunScenario(ParseScenario(RandomScenario(seed, producer, commit)));
  return result.groups.at(0);
}

TEST(DeliveryProperties, NoRetryAndCommitBeforeProcessingNeverDuplicatesEffects) {
  std::uint64_t lost_somewhere = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const auto group = RunSeed(seed, "acks: 1, max_attempts: 1", "before-processing");
    ASSERT_EQ(group.duplicate_effects, 0u) << "seed " << seed << "\n"
                                           << RandomScenario(seed, "acks: 1", "before-processing");
    lost_somewhere += group.lost;
  }
  EXPECT_GT(lost_somewhere, 0u) << "the faults should make at-most-once lose messages";
}

TEST(DeliveryProperties, RetryUntilAckedAndCommitAfterProcessingNeverLoses) {
  std::uint64_t duplicated_somewhere = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const auto group = RunSeed(seed, "max_attempts: unlimited", "after-processing");
    ASSERT_EQ(group.lost, 0u) << "seed " << seed;
    duplicated_somewhere += group.duplicate_effects;
  }
  EXPECT_GT(duplicated_somewhere, 0u) << "the faults should make at-least-once duplicate";
}

TEST(DeliveryProperties, InboxNeitherLosesNorDuplicatesEffects) {
  std::uint64_t redelivered_somewhere = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const auto group = RunSeed(seed, "max_attempts: unlimited", "inbox");
    ASSERT_EQ(group.lost, 0u) << "seed " << seed;
    ASSERT_EQ(group.duplicate_effects, 0u) << "seed " << seed;
    redelivered_somewhere += group.duplicate_deliveries;
  }
  EXPECT_GT(redelivered_somewhere, 0u) << "the inbox should have had repeats to absorb";
}

}  // namespace
}  // namespace deliverysim::testing
