// The issue's last check, over 200 seeds of broker crashes (with restarts) and lossy links, on
// three brokers with replication 3: acks=all with min.insync.replicas 2, clean elections only,
// a producer that retries until acknowledged and an inbox consumer lose nothing and run no
// effect twice, given a drain long enough for crashed brokers to return and for a follower
// that lost a fetch to send it again (kReplicaSocketTimeout, 30 s). The producer is idempotent,
// so the log holds no second copy of a record either: the duplicates a retry would make are
// dropped by the leader, whose sequence state follows its log across elections.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/random.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

constexpr int kSeeds = 200;

// One to three broker crashes in the first 1.8 s, each restarting 20 to 500 ms later, and up
// to 5% loss between brokers, 10% on the producer's links and 3% on the consumers'.
std::string RandomClusterScenario(std::uint64_t seed, const std::string& acks,
                                  const std::string& delivery) {
  sim::RandomStream random(seed);
  std::string faults;
  const int crashes = 1 + static_cast<int>(random.NextBelow(3));
  for (int i = 0; i < crashes; ++i) {
    faults += fmt::format("  - {{ crash: broker-{}, at: {:.4f}s, restart_after: {}ms }}\n",
                          1 + random.NextBelow(3), 0.1 + 1.7 * random.NextUnit(),
                          20 + random.NextBelow(481));
  }
  faults += fmt::format("  - {{ link: broker-1 <-> broker-2, loss: {:.4f} }}\n",
                        0.001 + 0.049 * random.NextUnit());
  faults += fmt::format("  - {{ link: broker-2 <-> broker-3, loss: {:.4f} }}\n",
                        0.001 + 0.049 * random.NextUnit());
  for (int node = 1; node <= 3; ++node) {
    faults += fmt::format("  - {{ link: shop <-> broker-{}, loss: {:.4f} }}\n", node,
                          0.001 + 0.099 * random.NextUnit());
  }
  faults += fmt::format("  - {{ link: billing <-> broker, loss: {:.4f} }}\n",
                        0.001 + 0.029 * random.NextUnit());
  return fmt::format(R"yaml(
name: replication-property
seed: {seed}
duration: 2s
drain: 40s
broker: {{ count: 3, initial_rebalance_delay: 20ms }}
topics:
  - {{ name: orders, partitions: 3, replication: 3, replica_lag_max: 200ms, {delivery} }}
network: {{ latency: "uniform(200us, 2ms)" }}
producers:
  - {{ name: shop, topic: orders, rate: 100/s, arrivals: poisson, keys: 20, acks: {acks},
      max_attempts: unlimited, request_timeout: 100ms, retry_backoff: 20ms,
      delivery_timeout: 1h, idempotence: {idempotence} }}
consumers:
  - {{ group: billing, topic: orders, instances: 2, processing: exp(2ms), commit: inbox,
      session_timeout: 200ms, request_timeout: 50ms, fetch_max_wait: 50ms,
      max_poll_records: 8, auto_offset_reset: earliest }}
faults:
{faults})yaml",
                     fmt::arg("seed", seed), fmt::arg("faults", faults),
                     fmt::arg("delivery", delivery), fmt::arg("acks", acks),
                     fmt::arg("idempotence", acks == "all" ? "true" : "false"));
}

constexpr const char* kSafe = "min_insync_replicas: 2, unclean_leader_election: false";
constexpr const char* kUnsafe = "min_insync_replicas: 1, unclean_leader_election: true";

TEST(ReplicationProperties, AcksAllMinIsrTwoCleanElectionsAndInboxLoseNothingTwice) {
  std::uint64_t elections = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const std::string scenario = RandomClusterScenario(seed, "all", kSafe);
    const models::RunResult result = RunScenario(ParseScenario(scenario));
    const models::GroupResult& billing = result.groups.at(0);
    ASSERT_EQ(billing.lost, 0u) << "seed " << seed << "\n" << scenario;
    ASSERT_EQ(billing.duplicate_effects, 0u) << "seed " << seed;
    ASSERT_EQ(result.topics[0].acknowledged_lost, 0) << "seed " << seed;
    ASSERT_EQ(result.topics[0].unclean_elections, 0u) << "seed " << seed;
    ASSERT_EQ(result.topics[0].duplicate_records, 0u) << "seed " << seed;
    ASSERT_EQ(result.producers[0].gave_up, 0u) << "seed " << seed;
    elections += result.topics[0].elections;
  }
  EXPECT_GT(elections, 0u) << "the crashes should have moved some leaders";
}

// The same faults with acks=1, min.insync.replicas 1 and unclean elections do lose
// acknowledged records, so the faults are strong enough for the property above to mean
// something.
TEST(ReplicationProperties, AcksOneWithUncleanElectionsLosesAcknowledgedRecordsSomewhere) {
  std::int64_t acknowledged_lost = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const models::RunResult result =
        RunScenario(ParseScenario(RandomClusterScenario(seed, "1", kUnsafe)));
    acknowledged_lost += result.topics[0].acknowledged_lost;
  }
  EXPECT_GT(acknowledged_lost, 0);
}

}  // namespace
}  // namespace deliverysim::testing
