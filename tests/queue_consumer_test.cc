// Queue consumers: several messages in process at once, and the two inbox variants, including
// when the naive check-then-act inbox lets a repeat's effect through.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/queue_test_support.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

// Three messages published at 1, 2 and 3 ms reach the one instance at 3, 4 and 5 ms; each
// takes 10 ms.
std::vector<sim::Time> EffectTimesWithConcurrency(const std::string& concurrency) {
  RecordingTrace trace;
  RunScenario(ParseScenario(OneQueueScenario(
                  "instances: 1, processing: 10ms, concurrency: " + concurrency, "3500us")),
              &trace);
  return MillisecondsOf(trace, "effect");
}

TEST(QueueConsumerConcurrency, OneHandlerRunsMessagesBackToBack) {
  EXPECT_EQ(EffectTimesWithConcurrency("1"), (std::vector<sim::Time>{13, 23, 33}));
}

TEST(QueueConsumerConcurrency, ThreeHandlersRunThemSideBySide) {
  EXPECT_EQ(EffectTimesWithConcurrency("3"), (std::vector<sim::Time>{13, 14, 15}));
}

TEST(QueueConsumerInbox, NaiveInboxRunsARepeatThatStartedBeforeTheFirstCopyRecorded) {
  const models::RunResult result = RunScenario(BundledScenario("inbox-naive-vs-atomic.yaml"));
  EXPECT_EQ(GroupNamed(result, "naive").duplicate_effects, 1u);
  EXPECT_EQ(GroupNamed(result, "atomic").duplicate_effects, 0u);
  for (const char* group : {"naive", "atomic"}) {
    EXPECT_EQ(GroupNamed(result, group).deliveries, 2u) << group;
    EXPECT_EQ(GroupNamed(result, group).dead_lettered, 1u) << group;
    EXPECT_EQ(GroupNamed(result, group).lost, 0u) << group;
  }
}

// The same as the bundled scenario with one handler: the repeat waits in the receiver until
// the first copy is done and recorded (8.002 s), so even the naive check finds it.
TEST(QueueConsumerInbox, NaiveInboxHoldsWhenRepeatsNeverOverlap) {
  models::Scenario scenario = BundledScenario("inbox-naive-vs-atomic.yaml");
  for (models::ConsumerGroupConfig& group : scenario.consumers) group.queue.concurrency = 1;
  RecordingTrace trace;
  const models::RunResult result = RunScenario(scenario, &trace);
  EXPECT_EQ(GroupNamed(result, "naive").duplicate_effects, 0u);
  EXPECT_EQ(GroupNamed(result, "atomic").duplicate_effects, 0u);
  EXPECT_EQ(trace.Of("effect-skipped").size(), 2u);  // one per group
}

TEST(QueueConsumerLoader, ConcurrencyRefusesMultipleAcks) {
  const auto loaded = app::LoadScenarioText(
      "name: s\nduration: 1s\nbroker:\n  kind: queue\n"
      "  exchanges: [ { name: e, type: fanout } ]\n  queues: [ { name: q } ]\n"
      "consumers: [ { group: g, queue: q, instances: 1, processing: 1ms, concurrency: 2, "
      "ack_every: 5 } ]\n",
      "s.yaml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().ToString(),
            "s.yaml:7:94: consumers[0].ack_every: with concurrency above 1 every message is "
            "acknowledged alone");
}

}  // namespace
}  // namespace deliverysim::testing
