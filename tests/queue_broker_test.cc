// The queue broker's documented behaviour, each on a small system whose timing is exact: every
// link takes 1 ms unless a test says otherwise, so a message published at t reaches the broker
// at t + 1 ms and a consumer at t + 2 ms.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/topic_pattern.h"
#include "tests/queue_test_support.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

using models::RunResult;
using models::TopicMatches;

// The (component, message) of each handler hand-over, in order.
std::vector<std::pair<std::string, std::int64_t>> Deliveries(const RecordingTrace& trace) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const TraceEvent& event : trace.Of("deliver")) {
    out.emplace_back(event.Text("component"),
                     event.Number("producer") * 1000 + event.Number("message"));
  }
  return out;
}

TEST(TopicPattern, MatchesAsRabbitMqDocumentsIt) {
  struct Row {
    const char* pattern;
    const char* key;
    bool matches;
  };
  const Row rows[] = {
      {"order.placed", "order.placed", true},
      {"order.placed", "order.paid", false},
      {"order.*", "order.placed", true},
      {"order.*", "order", false},
      {"order.*", "order.placed.eu", false},
      {"order.#", "order", true},
      {"order.#", "order.placed.eu", true},
      {"#", "", true},
      {"#", "anything.at.all", true},
      {"*.placed", "eu.order.placed", false},
      {"#.placed", "eu.order.placed", true},
      {"a.#.z", "a.z", true},
      {"a.#.z", "a.b.c.z", true},
      {"a.#.z", "a.b.c", false},
      {"*", "", true},  // one empty word
  };
  for (const Row& row : rows) {
    EXPECT_EQ(TopicMatches(row.pattern, row.key), row.matches) << row.pattern << " " << row.key;
  }
}

// One message from each producer; which queues got a copy (the scenario's header).
TEST(QueueBrokerRouting, DirectFanoutAndTopicExchangesRouteAsBound) {
  const RunResult result = RunScenario(BundledScenario("queue-routing.yaml"));
  // direct -> paid; fanout -> placed, all; topic -> eu, and all once although two bindings match.
  EXPECT_EQ(QueueNamed(result, "placed").enqueued, 1u);
  EXPECT_EQ(QueueNamed(result, "paid").enqueued, 1u);
  EXPECT_EQ(QueueNamed(result, "eu").enqueued, 1u);
  EXPECT_EQ(QueueNamed(result, "all").enqueued, 2u);
  EXPECT_EQ(result.queue_broker.unroutable_dropped, 1u);
  EXPECT_EQ(result.queue_broker.returned, 1u);
}

TEST(QueueBrokerConsumers, CompetingConsumersTakeTurns) {
  RecordingTrace trace;
  const RunResult result = RunScenario(
      ParseScenario(OneQueueScenario("instances: 2, processing: 1ms", "10500us")), &trace);
  // Ten messages (1 ms .. 10 ms), each reaching the broker when both consumers are free.
  const auto deliveries = Deliveries(trace);
  ASSERT_EQ(deliveries.size(), 10u);
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    EXPECT_EQ(deliveries[i].first, i % 2 == 0 ? "billing-1" : "billing-2") << i;
    EXPECT_EQ(deliveries[i].second, static_cast<std::int64_t>(i));
  }
  EXPECT_EQ(GroupNamed(result, "billing").lost, 0u);
}

// Five messages published 1 ms apart to one consumer whose handler takes 10 ms.
std::string PrefetchScenario(const std::string& prefetch) {
  return OneQueueScenario("instances: 1, processing: 10ms, prefetch: " + prefetch, "5500us");
}

TEST(QueueBrokerConsumers, PrefetchOneWaitsForEachAcknowledgement) {
  RecordingTrace trace;
  RunScenario(ParseScenario(PrefetchScenario("1")), &trace);
  // Message 1 arrives at 3 ms; each next one is sent when the ack of the previous one arrives,
  // 10 ms of processing plus 1 ms each way later: every 12 ms.
  EXPECT_EQ(MillisecondsOf(trace, "deliver"), (std::vector<sim::Time>{3, 15, 27, 39, 51}));
}

TEST(QueueBrokerConsumers, PrefetchZeroIsUnlimited) {
  RecordingTrace trace;
  RunScenario(ParseScenario(PrefetchScenario("0")), &trace);
  // Every message is pushed at once and waits in the client: the handler runs back to back.
  EXPECT_EQ(MillisecondsOf(trace, "deliver"), (std::vector<sim::Time>{3, 13, 23, 33, 43}));
}

// Producer `bad` publishes one poison message at 1 ms, `good` three clean ones at 1, 2, 3 ms
// (bad's first, as it was declared first);
// one consumer with prefetch 1 whose handler nacks the poison message after 10 ms.
std::string RequeueScenario(const std::string& queue, const std::string& on_poison) {
  return R"(
name: requeue
duration: 100ms
drain: 100ms
broker:
  kind: queue
  exchanges: [ { name: orders, type: fanout }, { name: dlx, type: fanout } ]
  queues: [ )" +
         queue + R"(, { name: dead } ]
  bindings: [ { exchange: orders, queue: billing }, { exchange: dlx, queue: dead } ]
producers:
  - { name: bad, exchange: orders, rate: 1000/s, poison: 1 }
  - { name: good, exchange: orders, rate: 1000/s }
consumers:
  - { group: billing, queue: billing, instances: 1, processing: 10ms, prefetch: 1,
      on_poison: )" +
         on_poison + R"( }
network:
  latency: 1ms
faults:
  - { crash: bad, at: 1500us }
  - { crash: good, at: 3500us }
)";
}

TEST(QueueBrokerRequeue, ClassicNackPutsTheMessageBackAtItsOldPosition) {
  RecordingTrace trace;
  const RunResult result =
      RunScenario(ParseScenario(RequeueScenario("{ name: billing }", "requeue")), &trace);
  // Back at the head, the poison message is delivered again and again; the clean ones behind
  // it never get their turn.
  for (const auto& [component, message] : Deliveries(trace)) EXPECT_EQ(message, 0);
  EXPECT_EQ(GroupNamed(result, "billing").lost, 4u);
}

TEST(QueueBrokerRequeue, QuorumWithoutLimitRequeuesToTheBack) {
  RecordingTrace trace;
  const RunResult result = RunScenario(
      ParseScenario(RequeueScenario("{ name: billing, type: quorum }", "requeue")), &trace);
  // bad's message is 0, good's are 1000, 1001, 1002 (producer x 1000 + number). Nacked at
  // 13 ms, the poison message goes behind the three clean ones, which then run first.
  const auto deliveries = Deliveries(trace);
  ASSERT_GE(deliveries.size(), 6u);
  const std::vector<std::int64_t> expected = {0, 1000, 1001, 1002, 0, 0};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(deliveries[i].second, expected[i]);
  EXPECT_EQ(GroupNamed(result, "billing").lost, 1u);
}

TEST(QueueBrokerRequeue, QuorumWithLimitRequeuesNearTheHeadThenDeadLetters) {
  RecordingTrace trace;
  const RunResult result = RunScenario(
      ParseScenario(RequeueScenario(
          "{ name: billing, type: quorum, delivery_limit: 2, dead_letter_exchange: dlx }",
          "requeue")),
      &trace);
  // Limit 2: returned twice and redelivered, dead-lettered at its third return.
  const auto deliveries = Deliveries(trace);
  const std::vector<std::int64_t> expected = {0, 0, 0, 1000, 1001, 1002};
  ASSERT_EQ(deliveries.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(deliveries[i].second, expected[i]);
  EXPECT_EQ(GroupNamed(result, "billing").dead_lettered, 1u);
  EXPECT_EQ(GroupNamed(result, "billing").lost, 0u);
  EXPECT_EQ(QueueNamed(result, "dead").enqueued, 1u);
  ASSERT_EQ(trace.Of("dead-letter").size(), 1u);
  EXPECT_EQ(trace.Of("dead-letter")[0].Text("reason"), "delivery-limit");
}

TEST(QueueBrokerRequeue, RejectWithoutRequeueDeadLettersAtOnce) {
  RecordingTrace trace;
  const RunResult result = RunScenario(
      ParseScenario(RequeueScenario("{ name: billing, dead_letter_exchange: dlx }", "reject")),
      &trace);
  EXPECT_EQ(QueueNamed(result, "billing").delivered, 4u);
  EXPECT_EQ(QueueNamed(result, "dead").enqueued, 1u);
  ASSERT_EQ(trace.Of("dead-letter").size(), 1u);
  EXPECT_EQ(trace.Of("dead-letter")[0].Text("reason"), "rejected");
  EXPECT_EQ(GroupNamed(result, "billing").dead_lettered, 1u);
}

TEST(QueueBrokerRequeue, RejectWithoutDeadLetterExchangeDiscards) {
  const RunResult result =
      RunScenario(ParseScenario(RequeueScenario("{ name: billing }", "reject")));
  EXPECT_EQ(QueueNamed(result, "billing").discarded, 1u);
  EXPECT_EQ(GroupNamed(result, "billing").dead_lettered, 0u);
  EXPECT_EQ(GroupNamed(result, "billing").lost, 1u);
}

// The scenario's header: five persistent and five transient messages; a restart at 50 ms.
TEST(QueueBrokerRestart, KeepsOnlyPersistentMessagesOfDurableQueues) {
  const RunResult result = RunScenario(BundledScenario("queue-durability.yaml"));
  EXPECT_EQ(QueueNamed(result, "durable").ready_at_end, 5u);
  EXPECT_EQ(QueueNamed(result, "durable").lost_in_restart, 5u);
  EXPECT_EQ(QueueNamed(result, "transient").ready_at_end, 0u);
  EXPECT_EQ(QueueNamed(result, "transient").lost_in_restart, 10u);
  // A quorum queue persists every message, whatever its delivery mode.
  EXPECT_EQ(QueueNamed(result, "quorum").ready_at_end, 10u);
  EXPECT_EQ(result.queue_broker.restarts, 1u);
}

TEST(QueueBrokerDeterminism, SameScenarioSameResult) {
  const models::Scenario scenario = BundledScenario("queue-broker-restarts.yaml");
  const RunResult a = RunScenario(scenario);
  const RunResult b = RunScenario(scenario);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.groups.at(1).deliveries, b.groups.at(1).deliveries);
  EXPECT_EQ(a.producers.at(1).sends, b.producers.at(1).sends);
}

}  // namespace
}  // namespace deliverysim::testing
