// Small systems built from inline scenarios, checked against values worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sim/random.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

using sim::kMillisecond;

// TenMessagesScenario without linger: each record goes out alone the moment it is intended.
std::string TenMessages(const std::string& producer_extra, const std::string& faults) {
  return TenMessagesScenario(", linger: 0ms" + producer_extra, faults);
}

TEST(LogBroker, RoundRobinPartitionerTakesPartitionsInTurn) {
  const auto result = RunScenario(ParseScenario(TenMessages(", partitioner: round-robin", "")));
  // Ten messages over three partitions in turn: 4, 3, 3.
  EXPECT_EQ(result.topics[0].log_end_offsets, (std::vector<std::int64_t>{4, 3, 3}));
}

TEST(LogBroker, KeyedMessagesStayOnTheirKeysPartition) {
  RecordingTrace trace;
  RunScenario(ParseScenario(TenMessages(", keys: 4", "")), &trace);
  std::map<std::int64_t, std::set<std::int64_t>> partitions_of_message;
  for (const TraceEvent& send : trace.Of("send")) {
    partitions_of_message[send.Number("message")].insert(send.Number("partition"));
  }
  std::map<std::int64_t, std::int64_t> key_of_message;
  for (const TraceEvent& intent : trace.Of("intent")) {
    key_of_message[intent.Number("message")] = intent.Number("key");
  }
  for (const auto& [message, partitions] : partitions_of_message) {
    const auto key = static_cast<std::uint64_t>(key_of_message.at(message));
    EXPECT_EQ(partitions, (std::set<std::int64_t>{static_cast<std::int64_t>(sim::Mix64(key) % 3)}));
  }
}

TEST(LogBroker, OffsetsRunFromZeroInArrivalOrder) {
  RecordingTrace trace;
  RunScenario(ParseScenario(TenMessages("", "")), &trace);
  std::map<std::int64_t, std::int64_t> next_offset;
  for (const TraceEvent& append : trace.Of("append")) {
    EXPECT_EQ(append.Number("offset"), next_offset[append.Number("partition")]++);
  }
  EXPECT_EQ(trace.Of("append").size(), 10u);
}

TEST(LogBroker, LostAcknowledgementsMakeExtraCopies) {
  // Acks sent before 250 ms are lost. Worked by hand, with 1 ms links, a 100 ms timeout and a
  // 10 ms backoff:
  //   message 0: appended at 101, ack lost; times out at 200; retry at 210, appended at 211,
  //              ack lost.
  //   message 1: sent at 200, appended at 201, ack lost; times out at 300, which closes the
  //              connection and fails message 0's retry with it.
  //   both retry at 310, are appended at 311 and acknowledged.  -> 3 copies of 0, 2 of 1
  //   messages 2..9: acknowledged at once.                      -> 1 copy each
  const auto result = RunScenario(ParseScenario(TenMessages(
      ", idempotence: false", "{ link: broker -> p, from: 0s, until: 250ms, loss: 1 }")));
  std::int64_t records = 0;
  for (std::int64_t end : result.topics[0].log_end_offsets) records += end;
  EXPECT_EQ(records, 13);
  EXPECT_EQ(result.topics[0].duplicate_records, 3u);
  EXPECT_EQ(result.producers[0].sends, 13u);
  EXPECT_EQ(result.producers[0].acknowledged, 10u);
  EXPECT_EQ(result.producers[0].gave_up, 0u);
}

TEST(LogBroker, ProducerGivesUpAfterMaxAttemptsAndFaultsStopAtTheDrain) {
  // Every produce request is lost until the drain begins at 1 s. Two attempts each, 110 ms
  // apart: messages 0..7 (100..800 ms) lose both and give up; the retries of messages 8 and 9
  // (at 1010 and 1110 ms) fall in the drain, where faults have stopped, and get through.
  const auto result = RunScenario(
      ParseScenario(TenMessages(", max_attempts: 2", "{ link: p -> broker, loss: 1 }")));
  EXPECT_EQ(result.producers[0].sends, 20u);
  EXPECT_EQ(result.producers[0].gave_up, 8u);
  EXPECT_EQ(result.producers[0].acknowledged, 2u);
}

TEST(LogBroker, AcksZeroSendsOnceAndWaitsForNothing) {
  const auto result = RunScenario(ParseScenario(TenMessages(", acks: 0", "")));
  EXPECT_EQ(result.producers[0].sends, 10u);
  EXPECT_EQ(result.producers[0].acknowledged, 0u);
}

// A group of three over six partitions; billing-2 crashes at 2 s without restarting and the
// coordinator notices after the 500 ms session timeout.
const char* kCrashWithoutRestart = R"(
name: takeover
duration: 5s
drain: 5s
broker: { initial_rebalance_delay: 50ms }
topics: [ { name: orders, partitions: 6 } ]
network: { latency: const(1ms) }
producers: [ { name: shop, topic: orders, rate: 200/s, keys: 50 } ]
consumers:
  - { group: billing, topic: orders, instances: 3, processing: const(2ms),
      commit: after-processing, session_timeout: 500ms, auto_offset_reset: earliest,
      max_poll_records: 5 }
faults: [ { crash: billing-2, at: 2s } ]
)";

TEST(ConsumerGroup, SurvivorsResumeFromTheLastCommittedOffset) {
  RecordingTrace trace;
  const auto result = RunScenario(ParseScenario(kCrashWithoutRestart), &trace);
  EXPECT_EQ(result.groups[0].rebalances, 2u);  // the first assignment and the takeover
  EXPECT_EQ(result.groups[0].lost, 0u);

  // For each partition billing-2 read: the first record a survivor handles after the crash
  // is the one at billing-2's last accepted commit.
  std::map<std::int64_t, std::int64_t> committed_by_crashed;
  for (const TraceEvent& commit : trace.Of("commit")) {
    if (commit.at < 2 * sim::kSecond && commit.Text("consumer") == "billing-2") {
      committed_by_crashed[commit.Number("partition")] = commit.Number("offset");
    }
  }
  ASSERT_FALSE(committed_by_crashed.empty());
  std::set<std::int64_t> checked;
  for (const TraceEvent& deliver : trace.Of("deliver")) {
    const std::int64_t partition = deliver.Number("partition");
    if (deliver.at < 2 * sim::kSecond || deliver.Text("component") == "billing-2" ||
        !committed_by_crashed.count(partition) || !checked.insert(partition).second) {
      continue;
    }
    EXPECT_EQ(deliver.Number("offset"), committed_by_crashed[partition]) << partition;
  }
  EXPECT_EQ(checked.size(), committed_by_crashed.size());
}

TEST(ConsumerGroup, NoRecordIsHandledBeforeTheFirstAssignment) {
  RecordingTrace trace;
  RunScenario(ParseScenario(kCrashWithoutRestart), &trace);
  ASSERT_FALSE(trace.Of("deliver").empty());
  EXPECT_GE(trace.Of("deliver").front().at, 50 * kMillisecond);
}

}  // namespace
}  // namespace deliverysim::testing
