// The bundled queue-broker scenarios get the outcomes their header comments state; these are
// the checks for the RabbitMQ-style broker. The arithmetic behind each number is in
// the scenario file's header.
#include <gtest/gtest.h>

#include "tests/queue_test_support.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

class QueueAckModes : public ::testing::Test {
 protected:
  void SetUp() override { result_ = RunScenario(BundledScenario("queue-ack-modes-crash.yaml")); }
  models::RunResult result_;
};

TEST_F(QueueAckModes, ManualAckRedeliversEveryHeldMessageAndRedoesTheProcessedOnes) {
  const auto& manual = GroupNamed(result_, "manual");
  EXPECT_EQ(manual.lost, 0u);
  EXPECT_EQ(manual.duplicate_effects, 5u);  // messages 1-5 were processed before the crash
  EXPECT_EQ(QueueNamed(result_, "billing-manual").redelivered, 10u);  // all 10 it held
  EXPECT_EQ(QueueNamed(result_, "billing-manual").requeued, 10u);
  // 6 handed to the handler before the crash (the 6th in process), then all 10 again.
  EXPECT_EQ(manual.deliveries, 16u);
}

// The ten messages (message 1 enqueued at 2 ms) stay in the manual queue, ready or
// unacknowledged, until the one multiple-ack after the restart reaches the broker at 1.158 s
// (redelivered at 1.056 s, ten handlers' worth of 10 ms, 1 ms back). Samples every 100 ms from
// 0 to 5.1 s (52 of them) see message 1's age t - 2 ms at t = 0.1 ... 1.1 s and 0 otherwise.
TEST_F(QueueAckModes, OldestMessageAgeIsSampledFromTheQueue) {
  const auto& manual = GroupNamed(result_, "manual");
  ASSERT_TRUE(manual.has_oldest_message_age);
  EXPECT_EQ(manual.oldest_message_age.max, 1098 * sim::kMillisecond);
  // The sum of (0.1 k - 0.002) s for k = 1..11 is 6.578 s.
  EXPECT_DOUBLE_EQ(manual.oldest_message_age.mean, 6.578e9 / 52);
  // With automatic acknowledgement a message leaves the queue when it is sent.
  EXPECT_EQ(GroupNamed(result_, "auto").oldest_message_age.max, 0);
}

TEST_F(QueueAckModes, AutoAckLosesWhatTheConsumerHeldUnprocessed) {
  const auto& automatic = GroupNamed(result_, "auto");
  EXPECT_EQ(automatic.lost, 5u);  // messages 6-10: delivered, never processed
  EXPECT_EQ(automatic.duplicate_effects, 0u);
  EXPECT_EQ(QueueNamed(result_, "billing-auto").redelivered, 0u);
}

class QueuePoison : public ::testing::Test {
 protected:
  void SetUp() override {
    result_ = RunScenario(BundledScenario("queue-poison-delivery-limit.yaml"));
  }
  models::RunResult result_;
};

TEST_F(QueuePoison, ClassicQueueRedeliversThePoisonMessageUntilTheRunEnds) {
  // Crash k at k x 1.002 s; the run ends at 10 s.
  EXPECT_EQ(QueueNamed(result_, "billing-classic").consumer_crashes, 9u);
  EXPECT_EQ(GroupNamed(result_, "classic").deliveries, 9u);
  EXPECT_EQ(GroupNamed(result_, "classic").lost, 1u);
  EXPECT_EQ(GroupNamed(result_, "classic").dead_lettered, 0u);
}

TEST_F(QueuePoison, QuorumQueueDeadLettersAfterLimitPlusOneDeliveries) {
  EXPECT_EQ(QueueNamed(result_, "billing-quorum-dlx").consumer_crashes, 4u);
  EXPECT_EQ(GroupNamed(result_, "quorum-dlx").deliveries, 4u);
  EXPECT_EQ(GroupNamed(result_, "quorum-dlx").dead_lettered, 1u);
  EXPECT_EQ(GroupNamed(result_, "quorum-dlx").lost, 0u);
  EXPECT_EQ(QueueNamed(result_, "billing-dlq").ready_at_end, 1u);
}

TEST_F(QueuePoison, QuorumQueueWithoutDeadLetterExchangeDropsAndCounts) {
  EXPECT_EQ(QueueNamed(result_, "billing-quorum-drop").consumer_crashes, 4u);
  EXPECT_EQ(QueueNamed(result_, "billing-quorum-drop").discarded, 1u);
  EXPECT_EQ(GroupNamed(result_, "quorum-drop").lost, 1u);
  EXPECT_EQ(GroupNamed(result_, "quorum-drop").dead_lettered, 0u);
}

class QueueBrokerRestarts : public ::testing::Test {
 protected:
  void SetUp() override { result_ = RunScenario(BundledScenario("queue-broker-restarts.yaml")); }
  models::RunResult result_;
};

TEST_F(QueueBrokerRestarts, WithoutConfirmsPublishesToADownBrokerAreLostSilently) {
  EXPECT_EQ(GroupNamed(result_, "plain").lost, 150u);
  const models::ProducerResult& producer = result_.producers.at(0);
  EXPECT_EQ(producer.name, "fire-and-forget");
  EXPECT_EQ(producer.sends, 1000u);  // it never learnt of a loss, so it never sent again
  EXPECT_EQ(producer.gave_up, 0u);
}

TEST_F(QueueBrokerRestarts, WithConfirmsAndRepublishingNothingIsLost) {
  EXPECT_EQ(GroupNamed(result_, "confirmed").lost, 0u);
  EXPECT_EQ(result_.producers.at(1).acknowledged, 1000u);
  EXPECT_GT(result_.producers.at(1).sends, 1000u);
}

TEST_F(QueueBrokerRestarts, TheMessageInProcessAtEachCrashIsProcessedTwice) {
  EXPECT_EQ(GroupNamed(result_, "plain").duplicate_effects, 3u);
  EXPECT_EQ(GroupNamed(result_, "confirmed").duplicate_effects, 3u);
}

// Each order is an independent binomial trial; the ranges are the header's 99% ranges.
class QueueHandlerFailures : public ::testing::Test {
 protected:
  void SetUp() override { result_ = RunScenario(BundledScenario("queue-handler-failures.yaml")); }
  models::RunResult result_;
};

TEST_F(QueueHandlerFailures, RetriedInTheHandlerThreeFailuresInARowAreDeadLettered) {
  const auto& billing = GroupNamed(result_, "billing");
  ASSERT_EQ(billing.intended, 10000u);
  EXPECT_GE(billing.dead_lettered, 228u);
  EXPECT_LE(billing.dead_lettered, 312u);
  EXPECT_EQ(billing.lost, 0u);
  EXPECT_EQ(billing.deliveries, 10000u);
  EXPECT_EQ(QueueNamed(result_, "billing-dlq").ready_at_end, billing.dead_lettered);
  EXPECT_GE(QueueNamed(result_, "billing").handler_retries, 3900u - 167u);
  EXPECT_LE(QueueNamed(result_, "billing").handler_retries, 3900u + 167u);
}

TEST_F(QueueHandlerFailures, RejectedWithoutADeadLetterExchangeEveryFailureIsLost) {
  const auto& audit = GroupNamed(result_, "audit");
  EXPECT_GE(audit.lost, 2882u);
  EXPECT_LE(audit.lost, 3118u);
  EXPECT_EQ(audit.dead_lettered, 0u);
  EXPECT_EQ(QueueNamed(result_, "audit").discarded, audit.lost);
}

}  // namespace
}  // namespace deliverysim::testing
