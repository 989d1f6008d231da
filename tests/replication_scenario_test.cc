// Replication in whole runs: the issue's first check driven by link cuts and broker crashes
// (scenarios/unclean-election.yaml and variants of it), and the producer's retries of refused
// appends. Expected values are worked out from the scenario's timeline in comments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/report_json.h"
#include "app/report_table.h"
#include "models/log_broker.h"
#include "models/replicated_log.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

using sim::kMillisecond;
using sim::kSecond;

// The bundled scenario: acks=all, min.insync.replicas 2, unclean election on. Its timeline
// (1 ms links): record k is appended at (k + 1) * 100 ms + 1 ms. C (broker-3) copies 0-1 and
// is cut off at 250 ms, having last caught up at 203 ms; B (broker-2) copies 0-4, asks for 5 at
// 503 ms, and its reply with 5-9 is lost from 550 ms. C leaves the ISR at 803 ms (600 ms lag),
// so the watermark reaches B's 5 and 2-4 are acknowledged; B leaves at 1103 ms, after record 9
// was appended at 1001 ms. broker-2 crashes at 1.2 s and broker-1 at 1.5 s.
models::Scenario UncleanElection() { return BundledScenario("unclean-election.yaml"); }

sim::Time TraceTimeOf(const RecordingTrace& trace, const std::string& kind) {
  const auto events = trace.Of(kind);
  return events.empty() ? -1 : events.front().at;
}

TEST(ReplicationScenario, AcksAllUncleanElectionLosesThreeAcknowledgedRecords) {
  RecordingTrace trace;
  const models::RunResult result = RunScenario(UncleanElection(), &trace);
  const models::TopicResult& orders = result.topics[0];
  // Acknowledged: 0-4 (below the watermark of 5); C, elected, holds 0-1: 5 - 2 = 3 lost.
  EXPECT_EQ(orders.acknowledged_lost, 3);
  EXPECT_EQ(orders.unclean_elections, 1u);
  EXPECT_EQ(result.producers[0].acknowledged, 5u);
  EXPECT_EQ(orders.log_end_offsets, (std::vector<std::int64_t>{2}));
  // The acknowledgements of 2-4 left when C left the ISR, 803 ms plus a nanosecond after the
  // lag check, and took 1 ms.
  const auto acked = trace.Of("acked");
  ASSERT_EQ(acked.size(), 5u);
  EXPECT_EQ(acked[2].at, 804 * kMillisecond + 1);
  const auto elections = trace.Of("election");
  ASSERT_EQ(elections.size(), 1u);
  EXPECT_EQ(elections[0].at, 1500 * kMillisecond);
  EXPECT_EQ(elections[0].Text("leader"), "broker-3");
  EXPECT_EQ(elections[0].Number("lost_acknowledged"), 3);
}

TEST(ReplicationScenario, ConsumersReadOnlyBelowTheHighWatermark) {
  const models::RunResult result = RunScenario(UncleanElection());
  // The watermark never passed 5 (B held it there, then only A was in sync), so billing saw
  // records 0-4 only, and the five others count as lost for it.
  EXPECT_EQ(result.groups[0].deliveries, 5u);
  EXPECT_EQ(result.groups[0].lost, 5u);
}

TEST(ReplicationScenario, AcksOneUncleanElectionLosesEightAcknowledgedRecords) {
  models::Scenario scenario = UncleanElection();
  scenario.producers[0].acks = 1;
  scenario.topics[0].min_insync_replicas = 1;
  const models::RunResult result = RunScenario(scenario);
  // The leader acknowledged all ten on appending; C holds 0-1: 10 - 2 = 8 lost.
  EXPECT_EQ(result.producers[0].acknowledged, 10u);
  EXPECT_EQ(result.topics[0].acknowledged_lost, 8);
  // With min ISR 1 the watermark reached 10 when B left at 1103 ms, so billing had read all ten
  // before the election: the log lost them, this group did not.
  EXPECT_EQ(result.groups[0].lost, 0u);
}

TEST(ReplicationScenario, WithoutUncleanElectionNothingAcknowledgedIsLostButItStaysOffline) {
  models::Scenario scenario = UncleanElection();
  scenario.topics[0].unclean_leader_election = false;
  const models::RunResult result = RunScenario(scenario);
  EXPECT_EQ(result.topics[0].acknowledged_lost, 0);
  EXPECT_EQ(result.topics[0].elections, 0u);
  EXPECT_EQ(result.topics[0].offline_partitions, 1u);
  // The same five acknowledgements, and billing read the same five records (0-4).
  EXPECT_EQ(result.producers[0].acknowledged, 5u);
  EXPECT_EQ(result.groups[0].lost, 5u);
}

TEST(ReplicationScenario, WithoutUncleanElectionThePartitionReturnsWithBroker1) {
  models::Scenario scenario = UncleanElection();
  scenario.topics[0].unclean_leader_election = false;
  scenario.crashes[1].restart_after = 2 * kSecond;  // broker-2 back at 3.2 s
  scenario.crashes[2].restart_after = 3 * kSecond;  // broker-1 back at 4.5 s
  RecordingTrace trace;
  const models::RunResult result = RunScenario(scenario, &trace);
  // Offline from A's crash until A, the last leader, returns; B returning first is not enough,
  // as its crash was an unclean shutdown, which takes it out of the eligible replicas.
  EXPECT_EQ(TraceTimeOf(trace, "offline"), 1500 * kMillisecond);
  const auto elections = trace.Of("election");
  ASSERT_EQ(elections.size(), 1u);
  EXPECT_EQ(elections[0].at, 4500 * kMillisecond);
  EXPECT_EQ(elections[0].Text("leader"), "broker-1");
  EXPECT_EQ(elections[0].Text("rule"), "last-leader");
  EXPECT_EQ(result.topics[0].acknowledged_lost, 0);
  EXPECT_EQ(result.topics[0].offline_partitions, 0u);
}

// scenarios/not-enough-replicas.yaml: replication 3 and min ISR 3 while broker-3 is down from
// 450 ms to 1450 ms, so every acks=all produce is refused then, and retried.
models::Scenario NotEnoughReplicas() { return BundledScenario("not-enough-replicas.yaml"); }

TEST(ReplicationScenario, NotEnoughReplicasRefusalsAreRetriedUntilAcknowledged) {
  RecordingTrace trace;
  const models::RunResult result = RunScenario(NotEnoughReplicas(), &trace);
  // 20 intents (every 100 ms up to 2 s); every one is acknowledged in the end, none twice.
  EXPECT_EQ(result.producers[0].intended, 20u);
  EXPECT_EQ(result.producers[0].acknowledged, 20u);
  EXPECT_EQ(result.topics[0].log_end_offsets, (std::vector<std::int64_t>{20}));
  // Broker-3 was down from 450 ms to 1450 ms, so intents from 500 ms were refused at least
  // once and sent again: more sends than intents.
  EXPECT_GT(result.producers[0].sends, result.producers[0].intended);
  EXPECT_EQ(result.groups[0].lost, 0u);
  // Nothing was appended while the ISR was too small.
  for (const TraceEvent& append : trace.Of("append")) {
    EXPECT_TRUE(append.at < 450 * kMillisecond || append.at > 1450 * kMillisecond) << append.at;
  }
}

TEST(ReplicationScenario, AClusterRunGivesTheSameBytesTwice) {
  models::Scenario scenario = NotEnoughReplicas();
  scenario.link_faults.push_back({"broker-1", "broker-2", 0, sim::kForever, 0.2, 0.1, false, {}});
  EXPECT_EQ(app::RunResultToJson(RunScenario(scenario)),
            app::RunResultToJson(RunScenario(scenario)));
}

TEST(ReplicationScenario, ASingleBrokerReportsNoReplication) {
  models::Scenario scenario = NotEnoughReplicas();
  scenario.brokers = 1;
  scenario.topics[0].replication = 1;
  scenario.topics[0].min_insync_replicas = 1;
  scenario.crashes.clear();
  const models::RunResult result = RunScenario(scenario);
  EXPECT_FALSE(result.topics[0].replicated);
  EXPECT_EQ(result.producers[0].sends, 20u);
}

TEST(ReplicationScenario, LeadersStartOnBrokerTopicPlusPartitionModuloCount) {
  const models::Scenario scenario = ParseScenario(R"(
name: placement
duration: 1s
broker: { count: 3 }
topics:
  - { name: a, partitions: 3, replication: 2 }
  - { name: b, partitions: 2, replication: 3 }
)");
  sim::Engine engine;
  models::Network network(engine, scenario.seed, scenario.network, nullptr);
  models::LogBroker broker(engine, network, scenario, {}, nullptr);
  ASSERT_NE(broker.cluster(), nullptr);
  models::ReplicatedLog& log = *broker.cluster();
  log.Start(engine.Register(&log));
  // Replica 0 of partition p of topic t is on node (t + p) mod 3, and leads first.
  for (std::uint32_t t = 0; t < 2; ++t) {
    for (std::uint32_t p = 0; p < scenario.topics[t].partitions; ++p) {
      EXPECT_EQ(log.LeaderNode(t, p), (t + p) % 3) << "topic " << t << " partition " << p;
    }
  }
  EXPECT_EQ(log.node_name(0), "broker-1");
}

TEST(ReplicationScenario, ReportsShowReplicationOnlyForACluster) {
  const models::RunResult cluster = RunScenario(UncleanElection());
  EXPECT_THAT(app::RunResultToJson(cluster),
              ::testing::HasSubstr("\"acknowledged_lost\": 3,\n      \"elections\": 1,\n"
                                   "      \"unclean_elections\": 1,"));
  EXPECT_THAT(app::RunResultToTable(cluster, app::WallClock{}),
              ::testing::HasSubstr("topic orders (replication 3): 3 acknowledged records lost, "
                                   "1 elections (1 unclean), 0 partitions offline at the end"));
  const models::RunResult single = RunScenario(BundledScenario("auto-commit-timer.yaml"));
  EXPECT_THAT(app::RunResultToJson(single), ::testing::Not(::testing::HasSubstr("replication")));
}

}  // namespace
}  // namespace deliverysim::testing
