// The log-versus-queue pair: the same workload, faults and at-least-once strategy on both
// broker kinds, as the two files' headers state.
#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

TEST(CompareBrokers, TheTwoFilesDescribeTheSameSystem) {
  const models::Scenario log = BundledScenario("compare-log.yaml");
  const models::Scenario queue = BundledScenario("compare-queue.yaml");
  EXPECT_EQ(log.broker_kind, models::BrokerKind::kLog);
  EXPECT_EQ(queue.broker_kind, models::BrokerKind::kQueue);
  EXPECT_EQ(log.seed, queue.seed);
  EXPECT_EQ(log.duration, queue.duration);
  EXPECT_EQ(log.drain, queue.drain);
  const models::ProducerConfig& a = log.producers.at(0);
  const models::ProducerConfig& b = queue.producers.at(0);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.rate_per_second, b.rate_per_second);
  EXPECT_EQ(a.arrivals, b.arrivals);
  EXPECT_EQ(a.keys, b.keys);
  EXPECT_EQ(a.acks, b.acks);  // all / confirms: retry until acknowledged
  EXPECT_EQ(a.max_attempts, b.max_attempts);
  EXPECT_EQ(a.request_timeout, b.request_timeout);
  EXPECT_EQ(a.retry_backoff, b.retry_backoff);
  EXPECT_EQ(log.consumers.at(0).instances, queue.consumers.at(0).instances);
  EXPECT_EQ(log.consumers.at(0).processing.Mean(), queue.consumers.at(0).processing.Mean());
  EXPECT_EQ(log.consumers.at(0).commit, models::CommitStrategy::kAfterProcessing);
  EXPECT_EQ(queue.consumers.at(0).queue.ack, models::AckMode::kManual);
  ASSERT_EQ(log.crashes.size(), queue.crashes.size());
  for (std::size_t i = 0; i < log.crashes.size(); ++i) {
    EXPECT_EQ(log.crashes[i].target, queue.crashes[i].target);
    EXPECT_EQ(log.crashes[i].at, queue.crashes[i].at);
    EXPECT_EQ(log.crashes[i].restart_after, queue.crashes[i].restart_after);
  }
  ASSERT_EQ(log.link_faults.size(), queue.link_faults.size());
  for (std::size_t i = 0; i < log.link_faults.size(); ++i) {
    EXPECT_EQ(log.link_faults[i].from, queue.link_faults[i].from);
    EXPECT_EQ(log.link_faults[i].loss, queue.link_faults[i].loss);
  }
}

TEST(CompareBrokers, BothAreAtLeastOnceOverTheSameIntents) {
  const models::GroupResult log = RunScenario(BundledScenario("compare-log.yaml")).groups.at(0);
  const models::GroupResult queue = RunScenario(BundledScenario("compare-queue.yaml")).groups.at(0);
  // The producer's intents come from its own random stream, whatever the broker.
  EXPECT_EQ(log.intended, queue.intended);
  EXPECT_EQ(log.lost, 0u);
  EXPECT_EQ(queue.lost, 0u);
  EXPECT_GT(log.duplicate_effects, 0u);
  EXPECT_GT(queue.duplicate_effects, 0u);
}

}  // namespace
}  // namespace deliverysim::testing
