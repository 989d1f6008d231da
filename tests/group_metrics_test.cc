#include "models/group_metrics.h"

#include <gtest/gtest.h>

namespace deliverysim::models {
namespace {

using sim::kMillisecond;

// One producer with 2 keys; messages 0..3 intended at 0, 10, 20 and 30 ms.
class GroupMetricsTest : public ::testing::Test {
 protected:
  GroupMetricsTest() : ledger_(1), metrics_(ledger_, {0}, {2}) {
    for (int i = 0; i < 4; ++i) ledger_.Intend(0, i * 10 * kMillisecond);
  }

  static Record Message(std::uint32_t number, std::uint32_t key, std::uint32_t sequence) {
    return Record{MessageId{0, number}, key, sequence, number * 10 * kMillisecond};
  }

  GroupResult Finish() const {
    GroupResult result;
    metrics_.Finish(result);
    return result;
  }

  MessageLedger ledger_;
  GroupMetrics metrics_;
};

TEST_F(GroupMetricsTest, NothingProcessedMeansEverythingLost) {
  const GroupResult result = Finish();
  EXPECT_EQ(result.intended, 4u);
  EXPECT_EQ(result.lost, 4u);
  EXPECT_EQ(result.deliveries, 0u);
}

TEST_F(GroupMetricsTest, RedeliveryCountsAsDuplicateDeliveryNotEffect) {
  metrics_.OnDelivery(Message(0, 0, 0));
  metrics_.OnDelivery(Message(0, 0, 0));  // redelivered, but the effect ran once
  metrics_.OnEffect(Message(0, 0, 0), 5 * kMillisecond);
  const GroupResult result = Finish();
  EXPECT_EQ(result.deliveries, 2u);
  EXPECT_EQ(result.duplicate_deliveries, 1u);
  EXPECT_EQ(result.duplicate_effects, 0u);
  EXPECT_EQ(result.lost, 3u);
}

TEST_F(GroupMetricsTest, EachEffectBeyondTheFirstIsADuplicate) {
  for (int i = 0; i < 3; ++i) metrics_.OnEffect(Message(1, 0, 0), 50 * kMillisecond);
  EXPECT_EQ(Finish().duplicate_effects, 2u);
}

TEST_F(GroupMetricsTest, OutOfOrderCountsOlderSequenceAfterNewerOfSameKey) {
  const sim::Time now = 100 * kMillisecond;  // after every intent
  metrics_.OnEffect(Message(1, 0, 1), now);
  metrics_.OnEffect(Message(0, 0, 0), now);  // seq 0 after seq 1 of key 0: out of order
  metrics_.OnEffect(Message(2, 1, 0), now);  // another key: in order
  metrics_.OnEffect(Message(1, 0, 1), now);  // the same seq again: a duplicate, not a reorder
  EXPECT_EQ(Finish().out_of_order, 1u);
}

TEST_F(GroupMetricsTest, RepeatOfAnEarlierSequenceIsADuplicateNotAReorder) {
  // A batch of seqs 0 and 1 of key 0 appended twice: 0, 1, then 0, 1 again.
  const sim::Time now = 100 * kMillisecond;
  metrics_.OnEffect(Message(0, 0, 0), now);
  metrics_.OnEffect(Message(1, 0, 1), now);
  metrics_.OnEffect(Message(0, 0, 0), now);
  metrics_.OnEffect(Message(1, 0, 1), now);
  const GroupResult result = Finish();
  EXPECT_EQ(result.out_of_order, 0u);
  EXPECT_EQ(result.duplicate_effects, 2u);
}

TEST_F(GroupMetricsTest, LatencyRunsFromIntentToFirstEffect) {
  metrics_.OnEffect(Message(0, 0, 0), 4 * kMillisecond);   // 4 ms
  metrics_.OnEffect(Message(1, 1, 0), 12 * kMillisecond);  // 2 ms
  metrics_.OnEffect(Message(1, 1, 0), 90 * kMillisecond);  // a duplicate: not a latency
  const GroupResult result = Finish();
  EXPECT_EQ(result.latency.max, 4 * kMillisecond);
  // Nearest rank over {2 ms, 4 ms}: p50 is the first; to three significant digits.
  EXPECT_NEAR(result.latency.p50, 2 * kMillisecond, 2 * kMillisecond / 1000);
}

TEST_F(GroupMetricsTest, TimeLagIsAgeOfOldestUnprocessedIntent) {
  metrics_.OnEffect(Message(0, 0, 0), 1 * kMillisecond);
  metrics_.OnEffect(Message(2, 0, 1), 25 * kMillisecond);
  metrics_.SampleTimeLag(40 * kMillisecond);  // oldest unprocessed: message 1, intended at 10 ms
  EXPECT_EQ(Finish().lag_time.max, 30 * kMillisecond);
}

TEST_F(GroupMetricsTest, MessageLagSummarisesSamples) {
  for (std::int64_t lag : {0, 10, 20, 30}) metrics_.SampleMessageLag(lag);
  const GroupResult result = Finish();
  EXPECT_EQ(result.lag_messages.max, 30);
  EXPECT_DOUBLE_EQ(result.lag_messages.mean, 15.0);
  EXPECT_EQ(result.lag_messages.p99, 30);
}

}  // namespace
}  // namespace deliverysim::models
