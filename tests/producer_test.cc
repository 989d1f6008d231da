// The Kafka-style producer client: partitioners, batching, requests in flight, idempotence.
// Small inline scenarios with 1 ms links, checked against values worked out by hand.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

std::string TenMessages(const std::string& producer_extra, const std::string& faults = "") {
  return TenMessagesScenario(producer_extra, faults);
}

std::int64_t Records(const models::RunResult& result) {
  std::int64_t records = 0;
  for (std::int64_t end : result.topics[0].log_end_offsets) records += end;
  return records;
}

TEST(Producer, IdempotenceDropsTheCopiesThatLostAcknowledgementsWouldMake) {
  // The ack losses of LogBroker.LostAcknowledgementsMakeExtraCopies: the producer still sends
  // 13 times (3 retries), but the broker recognises each retry by its sequence number.
  RecordingTrace trace;
  const auto result = RunScenario(
      ParseScenario(TenMessages(", linger: 0ms, idempotence: true",
                                "{ link: broker -> p, from: 0s, until: 250ms, loss: 1 }")),
      &trace);
  EXPECT_EQ(Records(result), 10);
  EXPECT_EQ(result.topics[0].duplicate_records, 0u);
  EXPECT_EQ(result.producers[0].sends, 13u);
  EXPECT_EQ(result.producers[0].acknowledged, 10u);
  EXPECT_EQ(trace.Of("duplicate-dropped").size(), 3u);
}

TEST(Producer, LingerGathersRecordsIntoOneRequest) {
  // A batch opens at 100 ms and goes at 350 ms holding the records of 100, 200 and 300 ms;
  // likewise 400-600 (sent at 650) and 700-900 (sent at 950). The record of 1000 ms opens a
  // batch as producing stops, and stopping sends it at once.
  RecordingTrace trace;
  RunScenario(ParseScenario(TenMessages(", linger: 250ms, partitioner: explicit, partition: 1")),
              &trace);
  std::map<std::int64_t, std::set<std::int64_t>> messages_of_batch;
  std::map<std::int64_t, sim::Time> sent_at;
  for (const TraceEvent& send : trace.Of("send")) {
    messages_of_batch[send.Number("batch")].insert(send.Number("message"));
    sent_at[send.Number("batch")] = send.at;
    EXPECT_EQ(send.Number("partition"), 1);
  }
  using Messages = std::set<std::int64_t>;
  EXPECT_EQ(messages_of_batch, (std::map<std::int64_t, Messages>{
                                   {0, {0, 1, 2}}, {1, {3, 4, 5}}, {2, {6, 7, 8}}, {3, {9}}}));
  EXPECT_EQ(sent_at[0], 350 * sim::kMillisecond);
  EXPECT_EQ(sent_at[1], 650 * sim::kMillisecond);
  EXPECT_EQ(sent_at[2], 950 * sim::kMillisecond);
  EXPECT_EQ(sent_at[3], 1000 * sim::kMillisecond);
}

TEST(Producer, ExplicitPartitionerSendsEverythingToOnePartition) {
  const auto result =
      RunScenario(ParseScenario(TenMessages(", partitioner: explicit, partition: 2")));
  EXPECT_EQ(result.topics[0].log_end_offsets, (std::vector<std::int64_t>{0, 0, 10}));
}

TEST(Producer, StickyPartitionerFillsABatchThenMovesOn) {
  // Keyless records with the default partitioner, batches of 2 and a linger too long to matter:
  // records 2k and 2k+1 share a batch and so a partition; record 2k+2 finds that batch sent
  // and moves to another partition.
  RecordingTrace trace;
  RunScenario(ParseScenario(TenMessages(", batch_size: 2, linger: 10s, delivery_timeout: 20s")),
              &trace);
  std::vector<std::int64_t> partition_of;
  for (const TraceEvent& intent : trace.Of("intent")) {
    partition_of.push_back(intent.Number("partition"));
  }
  ASSERT_EQ(partition_of.size(), 10u);
  for (std::size_t m = 0; m + 1 < partition_of.size(); ++m) {
    if (m % 2 == 0) {
      EXPECT_EQ(partition_of[m], partition_of[m + 1]) << "records " << m << " and " << m + 1;
    } else {
      EXPECT_NE(partition_of[m], partition_of[m + 1]) << "records " << m << " and " << m + 1;
    }
  }
}

TEST(Producer, RoundRobinPartitionerIgnoresKeys) {
  // Four keys, but round-robin: message m goes to partition m mod 3 whatever its key.
  RecordingTrace trace;
  RunScenario(ParseScenario(TenMessages(", keys: 4, partitioner: round-robin")), &trace);
  for (const TraceEvent& intent : trace.Of("intent")) {
    EXPECT_EQ(intent.Number("partition"), intent.Number("message") % 3);
  }
}

TEST(Producer, OneRequestInFlightWaitsForEachReply) {
  // Every produce is lost before 250 ms, so early requests time out and retry while later
  // records queue. With max_in_flight 1 a batch goes out only once the one before it was
  // acknowledged or failed with the connection.
  RecordingTrace trace;
  const auto result = RunScenario(
      ParseScenario(TenMessages(", linger: 0ms, max_in_flight: 1, keys: 5",
                                "{ link: p -> broker, from: 0s, until: 250ms, loss: 1 }")),
      &trace);
  std::set<std::int64_t> open_batches;
  for (const TraceEvent& event : trace.events) {
    if (event.kind == "send") {
      open_batches.insert(event.Number("batch"));
      EXPECT_LE(open_batches.size(), 1u) << "at " << event.at;
    } else if (event.kind == "acked" || event.kind == "disconnect") {
      open_batches.clear();
    }
  }
  EXPECT_EQ(result.producers[0].acknowledged, 10u);
}

}  // namespace
}  // namespace deliverysim::testing
