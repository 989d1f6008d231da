// The Service-Bus-style queues: the issue's check (a receiver killed while it holds the lock,
// every time) and the other bundled Service Bus scenarios, whose headers give the arithmetic,
// plus the loader's Service Bus keys.
#include <gtest/gtest.h>

#include "tests/queue_test_support.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

TEST(ServiceBusLockExpiry, DeadLettersAfterMaxDeliveryCountLockDurations) {
  RecordingTrace trace;
  const models::Scenario scenario = BundledScenario("service-bus-lock-expiry.yaml");
  const models::RunResult result = RunScenario(scenario, &trace);
  const models::GroupResult& billing = GroupNamed(result, "billing");
  EXPECT_EQ(billing.deliveries, 10u);  // max_delivery_count's default
  EXPECT_EQ(billing.dead_lettered, 1u);
  EXPECT_EQ(billing.lost, 0u);
  const models::QueueResult& queue = QueueNamed(result, "billing");
  EXPECT_EQ(queue.lock_expiries, 10u);
  EXPECT_EQ(queue.consumer_crashes, 10u);

  ASSERT_EQ(trace.Of("send").size(), 1u);
  ASSERT_EQ(trace.Of("dead-letter").size(), 1u);
  const TraceEvent dead = trace.Of("dead-letter")[0];
  EXPECT_EQ(dead.Text("reason"), "MaxDeliveryCountExceeded");
  // About max_delivery_count lock durations after the send, within one processing time.
  const sim::Time lock = scenario.queue_broker.queues[0].lock_duration;
  const sim::Time took = dead.at - trace.Of("send")[0].at;
  EXPECT_LE(std::llabs(took - 10 * lock), 10 * sim::kMillisecond);
  EXPECT_EQ(dead.at, 51 * sim::kSecond + sim::kMillisecond);  // exactly, by the header
}

TEST(ServiceBusLockExpiry, CompletionAfterTheLockExpiredFailsAndIsCounted) {
  const models::RunResult result = RunScenario(BundledScenario("service-bus-lock-lost.yaml"));
  const models::GroupResult& slow = GroupNamed(result, "slow");
  EXPECT_EQ(slow.deliveries, 2u);
  EXPECT_EQ(slow.duplicate_effects, 1u);
  EXPECT_EQ(slow.dead_lettered, 1u);
  EXPECT_EQ(slow.lost, 0u);
  EXPECT_EQ(QueueNamed(result, "slow").completions_lock_lost, 2u);
  EXPECT_EQ(QueueNamed(result, "slow").lock_expiries, 2u);
}

TEST(ServiceBusDuplicateDetection, DropsRepeatedSendsWithinTheWindow) {
  const models::RunResult result =
      RunScenario(BundledScenario("service-bus-duplicate-detection.yaml"));
  const std::uint64_t sends_a = result.producers.at(0).sends;
  const std::uint64_t sends_b = result.producers.at(1).sends;
  ASSERT_GT(sends_a, 100u);  // some acknowledgements were lost, so some sends repeated
  EXPECT_EQ(QueueNamed(result, "deduplicated").duplicates_detected, sends_a - 100);
  EXPECT_EQ(GroupNamed(result, "deduplicated").duplicate_deliveries, 0u);
  EXPECT_EQ(GroupNamed(result, "deduplicated").duplicate_effects, 0u);
  EXPECT_EQ(GroupNamed(result, "plain").duplicate_deliveries, sends_b - 100);
  EXPECT_EQ(GroupNamed(result, "deduplicated").lost, 0u);
  EXPECT_EQ(GroupNamed(result, "plain").lost, 0u);
}

// One message, abandoned (nacked with requeue) by a handler that cannot process it.
TEST(ServiceBusAbandon, RaisesTheDeliveryCountUntilTheDeadLetterQueue) {
  RecordingTrace trace;
  const models::RunResult result = RunScenario(ParseScenario(R"(
name: abandon
duration: 1s
drain: 1s
broker:
  kind: service-bus
  queues: [ { name: q, max_delivery_count: 3 } ]
producers:
  - { name: shop, queue: q, rate: 1/s, poison: 1 }
consumers:
  - { group: g, queue: q, instances: 1, processing: 10ms, on_poison: abandon }
network:
  latency: 1ms
)"),
                                               &trace);
  EXPECT_EQ(GroupNamed(result, "g").deliveries, 3u);
  EXPECT_EQ(GroupNamed(result, "g").dead_lettered, 1u);
  EXPECT_EQ(QueueNamed(result, "q").lock_expiries, 0u);
  ASSERT_EQ(trace.Of("dead-letter").size(), 1u);
  EXPECT_EQ(trace.Of("dead-letter")[0].Text("reason"), "MaxDeliveryCountExceeded");
}

TEST(ServiceBusReceiveAndDelete, LosesWhatADeadReceiverHeld) {
  const models::RunResult result = RunScenario(ParseScenario(R"(
name: receive-and-delete
duration: 1s
drain: 1s
broker:
  kind: service-bus
  queues: [ { name: q } ]
producers:
  - { name: shop, queue: q, rate: 1/s, poison: 1 }
consumers:
  - { group: g, queue: q, instances: 1, processing: 10ms, receive_mode: receive-and-delete }
network:
  latency: 1ms
)"));
  // The message left the queue when it was received; the receiver died with it.
  EXPECT_EQ(GroupNamed(result, "g").deliveries, 1u);
  EXPECT_EQ(GroupNamed(result, "g").lost, 1u);
  EXPECT_EQ(QueueNamed(result, "q").consumer_crashes, 1u);
  EXPECT_EQ(QueueNamed(result, "q").lock_expiries, 0u);
}

TEST(ServiceBusSessions, KeepEachSessionInOrder) {
  const models::RunResult result = RunScenario(BundledScenario("service-bus-sessions.yaml"));
  EXPECT_EQ(GroupNamed(result, "sessions").out_of_order, 0u);
  EXPECT_EQ(GroupNamed(result, "sessions").lost, 0u);
  EXPECT_GT(GroupNamed(result, "no-sessions").out_of_order, 0u);
  EXPECT_EQ(GroupNamed(result, "no-sessions").lost, 0u);
}

// One session (one key); g-1 takes it and dies at 0.35 s holding message 3 (sent at 0.3 s,
// locked at 0.301 s, in process until 0.351 s). Its close reaches the broker at 0.351 s: the
// session stays locked for the lock duration (2 s), to 2.351 s, although the message's own
// lock runs out at 2.301 s. Only then may g-2 take the session: its first delivery reaches it
// at 2.352 s.
TEST(ServiceBusSessions, ADeadReceiversSessionWaitsForItsLockToRunOut) {
  RecordingTrace trace;
  const models::RunResult result = RunScenario(ParseScenario(R"(
name: session-lock
duration: 1s
drain: 5s
broker:
  kind: service-bus
  queues: [ { name: q, sessions: true, lock_duration: 2s } ]
producers:
  - { name: shop, queue: q, rate: 10/s, keys: 1 }
consumers:
  - { group: g, queue: q, instances: 2, processing: 50ms }
network:
  latency: 1ms
faults:
  - { crash: g-1, at: 350ms }
)"),
                                               &trace);
  sim::Time first_of_g2 = -1;
  for (const TraceEvent& event : trace.Of("deliver")) {
    if (event.Text("component") == "g-2") {
      first_of_g2 = event.at;
      break;
    }
  }
  EXPECT_EQ(first_of_g2, 2352 * sim::kMillisecond);
  EXPECT_EQ(GroupNamed(result, "g").out_of_order, 0u);
  EXPECT_EQ(GroupNamed(result, "g").lost, 0u);
}

TEST(ServiceBusLoader, DefaultsAreAzures) {
  const app::Result<models::Scenario> loaded = app::LoadScenarioText(
      "name: s\nduration: 1s\nbroker:\n  kind: service-bus\n  queues: [ { name: q } ]\n"
      "producers: [ { name: p, queue: q, rate: 1/s } ]\n"
      "consumers: [ { group: g, queue: q, instances: 1, processing: 1ms } ]\n",
      "s.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::QueueConfig& queue = loaded.value().queue_broker.queues.at(0);
  EXPECT_EQ(queue.lock_duration, sim::kMinute);
  EXPECT_EQ(queue.max_delivery_count, 10u);
  EXPECT_EQ(queue.duplicate_detection_window, 0);
  EXPECT_FALSE(queue.sessions);
  EXPECT_EQ(loaded.value().consumers.at(0).queue.ack, models::AckMode::kManual);  // peek-lock
  EXPECT_EQ(loaded.value().consumers.at(0).queue.prefetch, 1u);
  EXPECT_EQ(loaded.value().producers.at(0).acks, -1);  // sends are acknowledged
}

TEST(ServiceBusLoader, RefusesLongLocksKeylessSessionsAndBrokerCrashes) {
  const std::string base =
      "name: s\nduration: 1s\nbroker:\n  kind: service-bus\n  queues: [ { name: q%s } ]\n%s";
  auto load = [&](const std::string& queue, const std::string& extra) {
    std::string text = base;
    text.replace(text.find("%s"), 2, queue);
    text.replace(text.find("%s"), 2, extra);
    return app::LoadScenarioText(text, "s.yaml");
  };
  const auto lock = load(", lock_duration: 6m", "");
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.error().ToString(),
            "s.yaml:5:39: broker.queues[0].lock_duration: at most 5m, Service Bus's longest lock");
  const auto keyless =
      load(", sessions: true", "producers: [ { name: p, queue: q, rate: 1/s } ]\n");
  ASSERT_FALSE(keyless.ok());
  EXPECT_EQ(keyless.error().ToString(),
            "s.yaml:6:32: producers[0].queue: queue 'q' has sessions, whose ids are the "
            "messages' keys; give this producer keys");
  const auto crash = load("", "faults: [ { crash: broker, at: 1s } ]\n");
  ASSERT_FALSE(crash.ok());
  EXPECT_NE(crash.error().ToString().find("no producer or consumer instance called 'broker'"),
            std::string::npos);
}

}  // namespace
}  // namespace deliverysim::testing
