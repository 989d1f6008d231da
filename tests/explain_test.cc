// A message's story: the sentences `explain` tells for runs whose every time follows from the
// scenario's constants (intent k at (k + 1) x 100 ms, 1 ms per link, 10 ms of processing).
#include "app/explain.h"

#include <gtest/gtest.h>

#include "app/timeline_run.h"
#include "test_support.h"

namespace deliverysim::app {
namespace {

std::string Tiny(const std::string& producer, const std::string& commit, const std::string& fault) {
  return R"(
name: tiny
duration: 1s
drain: 3s
broker: { kind: log, initial_rebalance_delay: 0 }
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 10/s, linger: 0ms, idempotence: false, )" +
         producer + R"( }]
consumers:
  - { group: g, topic: t, instances: 1, processing: const(10ms), commit: )" +
         commit + R"(,
      auto_offset_reset: earliest, session_timeout: 1s }
network: { latency: const(1ms) }
faults: [)" +
         fault + "]\n";
}

std::string StoryOf(const std::string& yaml, MessageRef message) {
  const models::Scenario scenario = testing::ParseScenario(yaml);
  return ExplainMessage(scenario, RecordRun(scenario, MessageSelection::Messages({message})),
                        message);
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Explain, CrashBetweenEffectAndCommitIsNamedAsTheCauseOfTheDuplicate) {
  const std::string story =
      StoryOf(Tiny("acks: all, request_timeout: 1s", "after-processing",
                   "{ crash: g-1, step: after-effect, after: 350ms, restart_after: 100ms }"),
              {0, 3});
  // #3: intent 400 ms, appended at 401, handed over at 402, effect and crash at 412.
  EXPECT_TRUE(Has(story, "At 0.401000 s the broker appended it to t partition 0 at offset 3."));
  EXPECT_TRUE(Has(story,
                  "At 0.412000 s g-1 crashed (the fault's step: after-effect) after its "
                  "side effect but before a commit covered it (offset 3)."));
  EXPECT_TRUE(Has(story,
                  "Outcome for group g: DUPLICATED, its side effect ran 2 times: the crash "
                  "of g-1 at 0.412000 s (step after-effect)"));
}

TEST(Explain, AnUnreadableSchemaVersionIsToldAsDeadLetteredNotLost) {
  // From 350 ms the producer writes a breaking v2, which g (v1 only) cannot read. #3: intent
  // 400 ms, appended at 401, handed over at 402.
  std::string yaml = Tiny("schema: { v2_at: 350ms, change: breaking }", "after-processing", "");
  yaml.replace(yaml.find("session_timeout: 1s"), 19, "session_timeout: 1s, schema_versions: [1]");
  const std::string story = StoryOf(yaml, {0, 3});
  EXPECT_TRUE(Has(story,
                  "At 0.402000 s g-1 could not read its schema version 2 and moved it to the "
                  "group's dead-letter queue without processing it."));
  EXPECT_TRUE(Has(story,
                  "Outcome for group g: DEAD-LETTERED, never processed: the group's code does not "
                  "read schema version 2"));
  EXPECT_FALSE(Has(story, "LOST"));
  EXPECT_FALSE(Has(story, "before its side effect had run"));
}

TEST(Explain, LostAcknowledgementMakesASecondCopy) {
  // The ack link drops everything from 350 to 450 ms: #3's ack (sent at 401) is lost, and the
  // retry goes at 400 + 200 (timeout) + 100 (backoff) = 700 ms. #4 (500 ms) took offset 4
  // meanwhile; #5 (600 ms) waits behind the retried batch of its partition, as Kafka's
  // accumulator drains a partition's batches in order, so the second copy lands at offset 5.
  const std::string story =
      StoryOf(Tiny("acks: all, request_timeout: 200ms", "after-processing",
                   "{ link: broker -> p, from: 350ms, until: 450ms, loss: 1 }"),
              {0, 3});
  EXPECT_TRUE(Has(story,
                  "At 0.401000 s the broker's acknowledgement was lost on the link "
                  "broker->p"));
  EXPECT_TRUE(Has(story, "At 0.700000 s p sent it again (attempt 2)"));
  EXPECT_TRUE(Has(story, "At 0.701000 s the broker appended it again, at offset 5"));
  EXPECT_TRUE(Has(story,
                  "DUPLICATED, its side effect ran 2 times: a retry after the "
                  "acknowledgement was lost on its link put a second copy in the log"));
}

TEST(Explain, FireAndForgetLossSaysNothingRetries) {
  const std::string story =
      StoryOf(Tiny("acks: 0, max_attempts: 1", "after-processing",
                   "{ link: p -> broker, from: 350ms, until: 450ms, loss: 1 }"),
              {0, 3});
  EXPECT_TRUE(Has(story, "At 0.400000 s the produce request was lost on the link p->broker."));
  EXPECT_TRUE(Has(story,
                  "LOST, its side effect never ran: the produce request was lost on its "
                  "link, and with acks 0 nothing retries."));
}

TEST(Explain, CommitBeforeProcessingThenCrashLosesTheMessage) {
  // #3 is fetched at 402 ms, its commit reaches the broker at 403 and the reply g-1 at 404,
  // where the armed crash strikes before the record is handed to the handler.
  const std::string story =
      StoryOf(Tiny("acks: all", "before-processing",
                   "{ crash: g-1, step: after-commit, after: 350ms, restart_after: 100ms }"),
              {0, 3});
  EXPECT_TRUE(Has(story,
                  "At 0.403000 s g-1 committed offset 4 on partition 0, past this "
                  "message, before its side effect had run."));
  EXPECT_TRUE(Has(story,
                  "LOST, its side effect never ran: g-1 committed past it and crashed at "
                  "0.404000 s before running its side effect"));
}

TEST(Explain, LostCommitRequestIsTold) {
  // #3's effect runs at 412 ms and its commit leaves g-1 at once, into a link that drops
  // everything from 405 to 415 ms.
  const std::string story =
      StoryOf(Tiny("acks: all", "after-processing",
                   "{ link: g-1 -> broker, from: 405ms, until: 415ms, loss: 1 }"),
              {0, 3});
  EXPECT_TRUE(Has(story,
                  "At 0.412000 s g-1's commit request was lost on the link g-1->broker, "
                  "so the broker did not store it."));
}

TEST(Explain, CleanMessageIsProcessedExactlyOnce) {
  const std::string story = StoryOf(Tiny("acks: all", "after-processing", ""), {0, 3});
  EXPECT_TRUE(Has(story, "At 0.412000 s g-1 ran the side effect."));
  EXPECT_TRUE(Has(story, "Outcome for group g: processed exactly once."));
}

}  // namespace
}  // namespace deliverysim::app
