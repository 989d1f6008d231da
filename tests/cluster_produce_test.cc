// The producer and the broker's features in a cluster of brokers: one produce request per
// leader node with its own requests in flight, idempotent sequences that follow the leader's
// log across an election, and transactions, retention and consume-transform-produce keeping
// their documented outcomes above the high watermark.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

using sim::kMillisecond;

// Runs a bundled single-broker scenario on three brokers, every topic with replication 3 and
// min.insync.replicas 2 (no broker fails, so the outcome its header states must still hold).
models::Scenario OnACluster(models::Scenario scenario) {
  scenario.brokers = 3;
  for (models::TopicConfig& topic : scenario.topics) {
    topic.replication = 3;
    topic.min_insync_replicas = 2;
  }
  return scenario;
}

// Three partitions, each on its own node (replication 1: partition p on broker-(p+1)), and a
// producer whose batches for all three are ready together (round-robin, linger 20 ms).
std::string ThreeLeaders(int brokers, const std::string& extra_faults = "") {
  return "name: leaders\nduration: 1s\ndrain: 2s\nbroker: { count: " + std::to_string(brokers) +
         " }\ntopics:\n  - { name: t, partitions: 3 }\nnetwork: { latency: const(1ms) }\n"
         "producers:\n  - { name: shop, topic: t, rate: 100/s, partitioner: round-robin, "
         "linger: 20ms, max_in_flight: 1, request_timeout: 10s }\n" +
         (extra_faults.empty() ? "" : "faults:\n" + extra_faults);
}

// Request serial -> the partitions its batches were for, from the producer's send trace.
std::map<std::int64_t, std::set<std::int64_t>> PartitionsPerRequest(const RecordingTrace& trace) {
  std::map<std::int64_t, std::set<std::int64_t>> requests;
  for (const TraceEvent& send : trace.Of("send")) {
    requests[send.Number("request")].insert(send.Number("partition"));
  }
  return requests;
}

TEST(ClusterProduce, ARequestCarriesOnlyThePartitionsOneNodeLeads) {
  RecordingTrace single, cluster;
  RunScenario(ParseScenario(ThreeLeaders(1)), &single);
  RunScenario(ParseScenario(ThreeLeaders(3)), &cluster);
  // One broker: a request takes the ready batch of every partition at once.
  std::size_t widest = 0;
  for (const auto& [request, partitions] : PartitionsPerRequest(single)) {
    widest = std::max(widest, partitions.size());
  }
  EXPECT_GT(widest, 1u);
  // Three leaders: every request goes to one node, so it holds one partition's batch.
  const auto requests = PartitionsPerRequest(cluster);
  ASSERT_FALSE(requests.empty());
  for (const auto& [request, partitions] : requests) {
    EXPECT_EQ(partitions.size(), 1u) << "request " << request;
  }
}

TEST(ClusterProduce, RequestsInFlightAreCountedPerNode) {
  // Nothing reaches broker-1, so partition 0's first request waits its whole 10 s timeout
  // and, with max_in_flight 1, blocks that connection; the other two nodes' connections go on.
  RecordingTrace trace;
  const models::RunResult result = RunScenario(
      ParseScenario(ThreeLeaders(3, "  - { link: shop -> broker-1, loss: 1 }\n")), &trace);
  std::map<std::int64_t, std::int64_t> partition_of;  // message -> partition
  for (const TraceEvent& intent : trace.Of("intent")) {
    partition_of[intent.Number("message")] = intent.Number("partition");
  }
  std::map<std::int64_t, std::uint64_t> acked;  // partition -> records acknowledged
  for (const TraceEvent& ack : trace.Of("acked")) ++acked[partition_of.at(ack.Number("message"))];
  std::map<std::int64_t, std::uint64_t> intended;
  for (const auto& [message, partition] : partition_of) ++intended[partition];
  ASSERT_GT(intended[1], 0u);
  EXPECT_EQ(acked[0], 0u);
  EXPECT_EQ(acked[1], intended[1]);
  EXPECT_EQ(acked[2], intended[2]);
  EXPECT_EQ(result.producers[0].acknowledged, intended[1] + intended[2]);
}

// scenarios/leader-failover.yaml: broker-1 alone holds records 4-6 when it crashes and
// broker-2 is elected cleanly without them; its header gives the timeline.
models::Scenario LeaderFailover() { return BundledScenario("leader-failover.yaml"); }

TEST(ClusterProduce, ANewLeaderAppendsRetriesOfBatchesItNeverHad) {
  RecordingTrace trace;
  const models::RunResult result = RunScenario(LeaderFailover(), &trace);
  const auto elections = trace.Of("election");
  ASSERT_EQ(elections.size(), 1u);
  EXPECT_EQ(elections[0].Text("leader"), "broker-2");
  EXPECT_EQ(elections[0].Text("rule"), "in-sync");
  // Had broker-2 kept broker-1's sequence state, it would have taken the retries of 4-6 for
  // duplicates and lost them; it knows only the batches in its own log, so it appends them.
  EXPECT_TRUE(trace.Of("duplicate-dropped").empty());
  EXPECT_EQ(result.producers[0].intended, 10u);
  EXPECT_EQ(result.producers[0].acknowledged, 10u);
  EXPECT_EQ(result.topics[0].log_end_offsets, (std::vector<std::int64_t>{10}));
  EXPECT_EQ(result.topics[0].duplicate_records, 0u);
  EXPECT_EQ(result.groups[0].lost, 0u);
  EXPECT_EQ(result.groups[0].out_of_order, 0u);
}

TEST(ClusterProduce, WithAcksOneACleanElectionLosesWhatOnlyTheOldLeaderHad) {
  models::Scenario scenario = LeaderFailover();
  scenario.producers[0].acks = 1;
  scenario.producers[0].idempotence = false;
  const models::RunResult result = RunScenario(scenario);
  // broker-1 acknowledged 4-6 on appending; broker-2 never had them: 3 lost, 10 - 3 in the log.
  EXPECT_EQ(result.producers[0].acknowledged, 10u);
  EXPECT_EQ(result.topics[0].acknowledged_lost, 3);
  EXPECT_EQ(result.topics[0].unclean_elections, 0u);
  EXPECT_EQ(result.topics[0].log_end_offsets, (std::vector<std::int64_t>{7}));
  EXPECT_EQ(result.groups[0].lost, 3u);
}

TEST(ClusterProduce, ALostReplicaFetchNamesItsPartitionInTheTrace) {
  RecordingTrace trace;
  RunScenario(LeaderFailover(), &trace);
  std::size_t replica_losses = 0;
  for (const TraceEvent& loss : trace.Of("link-loss")) {
    if (loss.Text("packet") != "replica-fetch-response") continue;
    ++replica_losses;
    EXPECT_EQ(loss.Number("partition"), 0);
    EXPECT_EQ(loss.numbers.count("message"), 0u);
  }
  EXPECT_GT(replica_losses, 0u);  // broker-1's replies to its followers from 450 ms
}

// Replicas on broker-1 (first, leading) and broker-2. broker-1 crashes at 200 ms and broker-2
// takes over from the in-sync set; broker-1 is back at 300 ms, but from 250 ms nothing gets
// from broker-2 to broker-1, so it never catches up and stays out of the in-sync set. broker-2
// crashes at 500 ms: no replica may lead (clean elections only) until broker-2, the last
// leader, returns at 1 s. Meanwhile the producer's requests go to the first replica's node,
// broker-1, which is up and does not lead: it refuses them with NOT_LEADER_OR_FOLLOWER.
constexpr const char* kNotLeader = R"(
name: not-leader
duration: 1500ms
drain: 3s
broker: { count: 3, initial_rebalance_delay: 20ms }
topics:
  - { name: t, partitions: 1, replication: 2, replica_lag_max: 10s }
network: { latency: const(1ms) }
producers:
  - { name: shop, topic: t, rate: 10/s, acks: all, linger: 0, request_timeout: 200ms,
      retry_backoff: 50ms, max_attempts: unlimited }
consumers:
  - { group: billing, topic: t, instances: 1, processing: const(1ms), commit: after-processing,
      auto_offset_reset: earliest }
faults:
  - { crash: broker-1, at: 200ms, restart_after: 100ms }
  - { link: broker-2 -> broker-1, from: 250ms, loss: 1 }
  - { crash: broker-2, at: 500ms, restart_after: 500ms }
)";

TEST(ClusterProduce, ANodeThatDoesNotLeadRefusesAndTheProducerRetries) {
  RecordingTrace trace;
  const models::RunResult result = RunScenario(ParseScenario(kNotLeader), &trace);
  const auto elections = trace.Of("election");
  ASSERT_EQ(elections.size(), 2u);
  EXPECT_EQ(elections[0].at, 200 * kMillisecond);
  EXPECT_EQ(elections[0].Text("rule"), "in-sync");
  EXPECT_EQ(elections[1].at, 1000 * kMillisecond);
  EXPECT_EQ(elections[1].Text("rule"), "last-leader");
  const auto refused = trace.Of("produce-refused");
  ASSERT_FALSE(refused.empty());
  for (const TraceEvent& refusal : refused) {
    EXPECT_GT(refusal.at, 500 * kMillisecond);
    EXPECT_LT(refusal.at, 1000 * kMillisecond + 2 * kMillisecond);  // a reply in flight at 1 s
  }
  // Every intent is acknowledged once the partition is back, and none was lost or doubled.
  EXPECT_EQ(result.producers[0].acknowledged, result.producers[0].intended);
  EXPECT_EQ(result.topics[0].duplicate_records, 0u);
  EXPECT_EQ(result.groups[0].lost, 0u);
}

TEST(ClusterProduce, TransactionsKeepTheirOutcomeOnACluster) {
  RecordingTrace trace;
  const auto result = RunScenario(OnACluster(BundledScenario("transactions.yaml")), &trace);
  const auto& ledger = result.groups[0];           // read_committed
  const auto& analytics = result.groups[1];        // read_uncommitted
  EXPECT_FALSE(trace.Of("abort-marker").empty());  // written by the partitions' leaders
  EXPECT_EQ(ledger.aborted_reads, 0u);
  EXPECT_GT(analytics.aborted_reads, 0u);
  EXPECT_EQ(ledger.lost, analytics.lost + analytics.aborted_reads);
  EXPECT_EQ(ledger.duplicate_effects, 0u);
  EXPECT_EQ(analytics.duplicate_effects, 0u);
}

TEST(ClusterProduce, ConsumeTransformProduceStaysExactlyOnceOnACluster) {
  const auto result = RunScenario(OnACluster(BundledScenario("consume-transform-produce.yaml")));
  const auto& shipping = result.groups[1];
  EXPECT_EQ(result.topics[1].duplicate_records, 0u);
  EXPECT_EQ(shipping.lost, 0u);
  EXPECT_EQ(shipping.duplicate_effects, 0u);
  EXPECT_EQ(shipping.aborted_reads, 0u);
}

TEST(ClusterProduce, RetentionDeletesBelowTheWatermarkOnACluster) {
  RecordingTrace trace;
  const auto result =
      RunScenario(OnACluster(BundledScenario("retention-slow-consumer.yaml")), &trace);
  std::uint64_t skipped = 0;
  for (const TraceEvent& reset : trace.Of("offset-reset")) {
    skipped += static_cast<std::uint64_t>(reset.Number("to") - reset.Number("from"));
  }
  EXPECT_GT(skipped, 0u);
  EXPECT_EQ(result.groups[0].lost, skipped);
  EXPECT_EQ(result.groups[0].duplicate_effects, 0u);
}

}  // namespace
}  // namespace deliverysim::testing
