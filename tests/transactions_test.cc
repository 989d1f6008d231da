// Transactions (KIP-98): markers, the last stable offset, aborts by fencing and by timeout,
// and what each isolation level lets a group read.
#include "models/transactions.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

using models::Transactions;

TEST(Transactions, AnOpenTransactionHoldsBackTheLastStableOffset) {
  Transactions transactions({2}, 1);
  EXPECT_EQ(transactions.FirstOpenOffset({0, 0}), Transactions::kNoOpenTransaction);
  EXPECT_TRUE(transactions.Appended(0, 7, {0, 0}, 40));   // opens transaction 7
  EXPECT_FALSE(transactions.Appended(0, 7, {0, 0}, 41));  // already open
  EXPECT_FALSE(transactions.Appended(0, 7, {0, 1}, 3));
  EXPECT_EQ(transactions.FirstOpenOffset({0, 0}), 40);
  EXPECT_EQ(transactions.FirstOpenOffset({0, 1}), 3);
  const auto written = transactions.End(0, 7, /*commit=*/true);
  EXPECT_EQ(written.size(), 2u);  // a marker for each partition it wrote
  EXPECT_EQ(transactions.FirstOpenOffset({0, 0}), Transactions::kNoOpenTransaction);
  EXPECT_FALSE(transactions.aborted(7));
  EXPECT_TRUE(transactions.End(0, 7, true).empty());  // a repeated end changes nothing
}

TEST(Transactions, AHigherEpochFencesTheOldOneAndHandsBackItsOpenTransaction) {
  Transactions transactions({1}, 1);
  EXPECT_EQ(transactions.Init(0, 0), 0u);
  transactions.Appended(0, 5, {0, 0}, 0);
  EXPECT_EQ(transactions.Init(0, 1), 5u);  // the caller aborts it
  EXPECT_TRUE(transactions.Fenced(0, 0));
  EXPECT_FALSE(transactions.Fenced(0, 1));
  transactions.End(0, 5, /*commit=*/false);
  EXPECT_TRUE(transactions.aborted(5));
}

// 10 payments a second, one partition, transactions of 10: intent i falls at i x 100 ms and is
// appended 1 ms later. Transaction 1 holds intents 1-10 and commits just after 1 s;
// transaction 2 starts with intent 11, appended at 1101 ms. The producer dies at 1550 ms with
// intents 11-15 appended and never comes back.
std::string DeadTransactionalProducer(const std::string& isolation) {
  return R"(
name: dead
duration: 5s
drain: 1s
broker: { initial_rebalance_delay: 50ms, transaction_timeout: 2s }
topics: [ { name: payments, partitions: 1 } ]
network: { latency: const(1ms) }
producers:
  - { name: pay, topic: payments, rate: 10/s, linger: 0ms, transactional_id: pay-tx,
      transaction_records: 10 }
consumers:
  - { group: ledger, topic: payments, instances: 1, processing: const(1ms),
      commit: after-processing, auto_offset_reset: earliest, isolation: )" +
         isolation + R"( }
faults: [ { crash: pay, at: 1550ms } ]
)";
}

TEST(Transactions, TheTimeoutAbortsWhatADeadProducerLeftOpen) {
  RecordingTrace trace;
  const auto result =
      RunScenario(ParseScenario(DeadTransactionalProducer("read_committed")), &trace);
  // Aborted transaction_timeout after it opened: 1101 ms + 2 s.
  ASSERT_EQ(trace.Of("abort-marker").size(), 1u);
  EXPECT_EQ(trace.Of("abort-marker")[0].at, 3101 * sim::kMillisecond);
  EXPECT_EQ(result.groups[0].intended, 15u);
  EXPECT_EQ(result.groups[0].lost, 5u);  // intents 11-15
  EXPECT_EQ(result.groups[0].aborted_reads, 0u);
}

TEST(Transactions, ReadUncommittedProcessesTheAbortedRecords) {
  const auto result = RunScenario(ParseScenario(DeadTransactionalProducer("read_uncommitted")));
  EXPECT_EQ(result.groups[0].lost, 0u);
  EXPECT_EQ(result.groups[0].aborted_reads, 5u);
}

TEST(Transactions, ReadCommittedWaitsForTheCommitMarker) {
  // Intent 1 (appended at 101 ms) is invisible to read_committed until transaction 1 commits
  // after the ack of intent 10 (appended 1001 ms, acked 1002 ms, end request at the broker
  // 1003 ms), so it is processed after 1003 ms; read_uncommitted takes it at once.
  RecordingTrace committed, uncommitted;
  RunScenario(ParseScenario(DeadTransactionalProducer("read_committed")), &committed);
  RunScenario(ParseScenario(DeadTransactionalProducer("read_uncommitted")), &uncommitted);
  EXPECT_GE(committed.Of("effect").at(0).at, 1003 * sim::kMillisecond);
  EXPECT_LT(uncommitted.Of("effect").at(0).at, 200 * sim::kMillisecond);
}

TEST(TransactionsScenario, ReadCommittedSkipsExactlyWhatReadUncommittedReadsOfAborts) {
  const auto result = RunScenario(BundledScenario("transactions.yaml"));
  const auto& ledger = result.groups[0];     // read_committed
  const auto& analytics = result.groups[1];  // read_uncommitted
  EXPECT_EQ(ledger.aborted_reads, 0u);
  EXPECT_GT(analytics.aborted_reads, 0u);
  EXPECT_EQ(ledger.lost, analytics.lost + analytics.aborted_reads);
  EXPECT_EQ(ledger.duplicate_effects, 0u);
  EXPECT_EQ(analytics.duplicate_effects, 0u);
}

}  // namespace
}  // namespace deliverysim::testing

namespace deliverysim::testing {
namespace {

TEST(ConsumeTransformProduce, TransactionsKeepTheDownstreamGroupExactlyOnce) {
  const auto result = RunScenario(BundledScenario("consume-transform-produce.yaml"));
  const auto& enricher = result.groups[0];
  const auto& shipping = result.groups[1];
  EXPECT_GT(enricher.duplicate_effects, 0u);        // the crashed batches were processed again
  EXPECT_GT(result.topics[1].aborted_records, 0u);  // and their first outputs aborted
  EXPECT_EQ(result.topics[1].duplicate_records, 0u);
  EXPECT_EQ(shipping.lost, 0u);
  EXPECT_EQ(shipping.duplicate_effects, 0u);
  EXPECT_EQ(shipping.aborted_reads, 0u);
}

TEST(ConsumeTransformProduce, WithoutTransactionsRedoneBatchesReachDownstreamTwice) {
  auto scenario = BundledScenario("consume-transform-produce.yaml");
  scenario.consumers[0].commit = models::CommitStrategy::kAfterProcessing;
  const auto result = RunScenario(scenario);
  // Each extra copy in the output topic is processed once more by shipping, which keeps no
  // inbox and never crashes.
  EXPECT_GT(result.topics[1].duplicate_records, 0u);
  EXPECT_EQ(result.groups[1].duplicate_effects, result.topics[1].duplicate_records);
  EXPECT_EQ(result.groups[1].lost, 0u);
}

}  // namespace
}  // namespace deliverysim::testing
