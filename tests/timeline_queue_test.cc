// The teaching views on queue brokers: the lanes and rows of known runs, the story `explain`
// tells, and which message --worst picks. Expected values come from each bundled scenario's
// header arithmetic (every link takes exactly 1 ms in all of them).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/explain.h"
#include "app/message_scores.h"
#include "app/timeline_diagram.h"
#include "app/timeline_events.h"
#include "app/timeline_run.h"
#include "app/timeline_text.h"
#include "models/simulation.h"
#include "test_support.h"

namespace deliverysim::app {
namespace {

using sim::kMillisecond;

const char* const kRetryDemo = "demos/retries-with-backoff-end-in-a-dead-letter-queue.yaml";
const char* const kFanoutDemo = "demos/competing-consumers-vs-fanout.yaml";

TimelineDiagram DiagramOf(const models::Scenario& scenario, MessageSelection selection) {
  return BuildTimeline(scenario, RecordRun(scenario, selection), selection);
}

std::vector<const TimelineRow*> RowsOf(const TimelineDiagram& d, RowStyle style) {
  std::vector<const TimelineRow*> rows;
  for (const TimelineRow& row : d.rows) {
    if (row.style == style) rows.push_back(&row);
  }
  return rows;
}

std::string Lane(const TimelineDiagram& d, int lane) { return lane < 0 ? "" : d.lanes[lane]; }

TEST(QueueTimeline, RetryDemoHasALanePerExchangeQueueAndInstance) {
  const models::Scenario scenario = testing::BundledScenario(kRetryDemo);
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 0}}));
  EXPECT_TRUE(d.queue_broker);
  EXPECT_EQ(d.lanes, (std::vector<std::string>{"order-service", "orders", "billing", "billing-dlq",
                                               "billing-1"}));
}

TEST(QueueTimeline, RetryWaitsGrowExponentiallyWithEqualJitterUpToTheCap) {
  const models::Scenario scenario = testing::BundledScenario(kRetryDemo);
  const std::vector<TimelineEvent> events =
      RecordRun(scenario, MessageSelection::Messages({{0, 0}}));
  std::vector<sim::Time> waits;
  for (const TimelineEvent& e : events) {
    if (e.kind == EventKind::kHandlerRetry) waits.push_back(e.delay);
  }
  // max_attempts 7: six retries. Retry n waits d/2 + uniform(0, d/2), d = min(800, 100 x 2^(n-1))
  // ms, so no gap is shorter than the one before until the cap.
  const sim::Time full[] = {100, 200, 400, 800, 800, 800};
  ASSERT_EQ(waits.size(), 6u);
  for (std::size_t n = 0; n < waits.size(); ++n) {
    SCOPED_TRACE(n + 1);
    EXPECT_GE(waits[n], full[n] * kMillisecond / 2);
    EXPECT_LE(waits[n], full[n] * kMillisecond);
  }
  const TimelineDiagram d = BuildTimeline(scenario, events, MessageSelection::Messages({{0, 0}}));
  const auto retries = RowsOf(d, RowStyle::kHandlerRetry);
  ASSERT_EQ(retries.size(), 6u);
  EXPECT_EQ(Lane(d, retries[0]->from), "billing-1");
  // The first attempt ends 1 ms after the delivery reaches billing-1 at 1.002 s.
  EXPECT_EQ(retries[0]->at, sim::kSecond + 3 * kMillisecond);
  EXPECT_EQ(retries[0]->label.rfind("#0 failed (attempt 1); retry in ", 0), 0u);
}

TEST(QueueTimeline, RetryDemoEndsInARejectAndADeadLetterArrow) {
  const models::Scenario scenario = testing::BundledScenario(kRetryDemo);
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 0}}));
  const auto rejects = RowsOf(d, RowStyle::kNack);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(Lane(d, rejects[0]->from), "billing-1");
  EXPECT_EQ(Lane(d, rejects[0]->to), "billing");
  EXPECT_EQ(rejects[0]->label, "REJECT #0");
  const auto dead = RowsOf(d, RowStyle::kDeadLetter);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(Lane(d, dead[0]->from), "billing");
  EXPECT_EQ(Lane(d, dead[0]->to), "billing-dlq");
  EXPECT_EQ(dead[0]->label,
            "DEAD-LETTER #0 to billing-dlq via orders-dlx: rejected when its 7 handler attempts "
            "ran out");
  // The header's bounds: 1.003 s + 1.55 s to 3.1 s of waits + 7 ms.
  EXPECT_GE(dead[0]->at, 2560 * kMillisecond);
  EXPECT_LE(dead[0]->at, 4110 * kMillisecond);
  EXPECT_TRUE(RowsOf(d, RowStyle::kEffect).empty());
}

TEST(QueueTimeline, FanoutRoutesToEveryQueueAndOneQueueSharesRoundRobin) {
  const models::Scenario scenario = testing::BundledScenario(kFanoutDemo);
  const TimelineDiagram d =
      DiagramOf(scenario, MessageSelection::Messages({{0, 0}, {0, 1}, {0, 2}}));
  std::vector<std::string> routes_of_first;
  for (const TimelineRow* row : RowsOf(d, RowStyle::kRoute)) {
    EXPECT_EQ(Lane(d, row->from), "orders");
    if (row->message.number == 0) routes_of_first.push_back(Lane(d, row->to));
  }
  EXPECT_EQ(routes_of_first, (std::vector<std::string>{"billing", "email", "audit"}));
  // Round-robin over billing-1..3, which subscribed in that order; email and audit get all.
  std::vector<std::string> billing;
  int email = 0;
  for (const TimelineRow* row : RowsOf(d, RowStyle::kDeliver)) {
    if (Lane(d, row->from) == "billing") billing.push_back(Lane(d, row->to));
    if (Lane(d, row->from) == "email") ++email;
  }
  EXPECT_EQ(billing, (std::vector<std::string>{"billing-1", "billing-2", "billing-3"}));
  EXPECT_EQ(email, 3);
  EXPECT_EQ(RowsOf(d, RowStyle::kConsumerAck).size(), 9u);  // 3 messages x 3 queues
}

TEST(QueueTimeline, ServiceBusLockExpiriesEndInTheDeadLetterSubQueue) {
  const models::Scenario scenario = testing::BundledScenario("service-bus-lock-expiry.yaml");
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 0}}));
  // 10 deliveries: the first, then one after each of the first 9 lock expiries; the 10th
  // expiry brings the delivery count to max_delivery_count 10.
  EXPECT_EQ(RowsOf(d, RowStyle::kLockExpired).size(), 10u);
  EXPECT_EQ(RowsOf(d, RowStyle::kRedeliver).size(), 9u);
  EXPECT_EQ(RowsOf(d, RowStyle::kRequeue).size(), 9u);
  EXPECT_EQ(RowsOf(d, RowStyle::kCrash).size(), 10u);
  const auto dead = RowsOf(d, RowStyle::kDeadLetter);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(Lane(d, dead[0]->to), "billing/$DeadLetterQueue");
  EXPECT_EQ(dead[0]->at, 51 * sim::kSecond + kMillisecond);
  EXPECT_EQ(dead[0]->label,
            "DEAD-LETTER #0: MaxDeliveryCountExceeded (delivery count 10, max_delivery_count 10)");
}

TEST(QueueTimeline, UnroutableAndReturnedAreMarkedOnTheExchange) {
  const models::Scenario scenario = testing::BundledScenario("queue-routing.yaml");
  // p-lost is producer 3, p-returned producer 4; both publish one message at 1 s.
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{3, 0}, {4, 0}}));
  const auto marks = RowsOf(d, RowStyle::kUnroutable);
  ASSERT_EQ(marks.size(), 2u);
  EXPECT_EQ(Lane(d, marks[0]->from), "direct");
  EXPECT_EQ(marks[0]->label, "UNROUTABLE p-lost#0: no binding matched, dropped");
  EXPECT_EQ(marks[1]->label, "RETURNED p-returned#0: no binding matched (mandatory)");
}

TEST(QueueTimeline, BrokerRestartsStrikeEveryLane) {
  const models::Scenario scenario = testing::BundledScenario("queue-broker-restarts.yaml");
  MessageSelection selection = MessageSelection::Messages({{0, 0}});
  const TimelineDiagram d = DiagramOf(scenario, selection);
  // The scenario's three broker crashes, at 2 s, 5 s and 8 s, each restarting 500 ms later.
  const auto crashes = RowsOf(d, RowStyle::kBrokerCrash);
  ASSERT_EQ(crashes.size(), 3u);
  EXPECT_EQ(crashes[0]->at, 2 * sim::kSecond);
  EXPECT_EQ(crashes[0]->from, -1);
  EXPECT_EQ(RowsOf(d, RowStyle::kBrokerRestart).size(), 3u);
  const std::string text = RenderTimelineText(d, TextLayout{80, false});
  const std::size_t at = text.find("BROKER CRASH");
  ASSERT_NE(at, std::string::npos) << text;
  const std::string line = text.substr(text.rfind('\n', at) + 1, at - text.rfind('\n', at) - 1);
  EXPECT_EQ(std::count(line.begin(), line.end(), 'X'), static_cast<long>(d.lanes.size())) << line;
}

TEST(QueueTimeline, BrokerRestartLosesTransientMessagesAndWhatTransientQueuesHold) {
  const models::Scenario scenario = testing::BundledScenario("queue-durability.yaml");
  // The transient producer's first message: a transient message in a durable queue and in a
  // transient queue (both lose it), and in a quorum queue (which keeps it).
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{1, 0}}));
  const auto lost = RowsOf(d, RowStyle::kLostInRestart);
  ASSERT_EQ(lost.size(), 2u);
  EXPECT_EQ(Lane(d, lost[0]->from), "durable");
  EXPECT_EQ(lost[0]->label, "LOST transient#0 in the broker restart: the message is transient");
  EXPECT_EQ(Lane(d, lost[1]->from), "transient");
  EXPECT_EQ(lost[1]->label, "LOST transient#0 in the broker restart: the queue is transient");
}

// A Service Bus queue with duplicate detection; the sender's first acknowledgement (sent at
// 101 ms) is lost, so it sends #0 again after request_timeout 200 ms and retry_backoff 100 ms,
// at 400 ms, and the queue drops the repeat when it arrives at 401 ms.
constexpr const char* kRepeatedSend = R"(
name: repeated-send
duration: 150ms
drain: 2s
broker:
  kind: service-bus
  queues: [{ name: billing, duplicate_detection_window: 10m }]
producers:
  - { name: shop, queue: billing, rate: 10/s, request_timeout: 200ms, retry_backoff: 100ms }
consumers:
  - { group: billing, queue: billing, instances: 1, processing: 1ms }
network: { latency: 1ms }
faults:
  - { link: broker -> shop, from: 0ms, until: 150ms, loss: 1 }
)";

TEST(QueueTimeline, DuplicateDetectionDropsTheRepeatedSend) {
  const models::Scenario scenario = testing::ParseScenario(kRepeatedSend);
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 0}}));
  const auto dropped = RowsOf(d, RowStyle::kDuplicateDropped);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0]->at, 401 * kMillisecond);
  EXPECT_EQ(Lane(d, dropped[0]->from), "billing");
  EXPECT_EQ(dropped[0]->label, "repeat of #0 dropped (duplicate detection)");
  EXPECT_EQ(RowsOf(d, RowStyle::kDeliver).size(), 1u);
  const std::string story =
      ExplainMessage(scenario, RecordRun(scenario, MessageSelection::Messages({{0, 0}})), {0, 0});
  EXPECT_NE(story.find("At 0.401000 s queue billing had accepted this message id within its "
                       "duplicate detection window (10.0 min), so it dropped this copy."),
            std::string::npos)
      << story;
  EXPECT_NE(story.find("Outcome for group billing (queue billing): processed exactly once."),
            std::string::npos);
}

TEST(QueueTimeline, TextFitsEightyColumnsAndNamesTheQueueLegend) {
  const models::Scenario scenario = testing::BundledScenario(kFanoutDemo);
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 0}, {0, 2}}));
  const std::string text = RenderTimelineText(d, TextLayout{80, false});
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    EXPECT_LE(end - start, 80u) << text.substr(start, end - start);
    start = end + 1;
  }
  // The legend names the glyphs drawn and no others: nothing here is dead-lettered or retried,
  // and the log's appends do not exist on a queue broker.
  const std::string legend = text.substr(text.find("legend:"));
  EXPECT_NE(legend.find("o--> publish, route, confirm, deliver, ack"), std::string::npos);
  EXPECT_NE(legend.find("p processing starts"), std::string::npos);
  EXPECT_EQ(legend.find("o::> dead letter"), std::string::npos) << legend;
  EXPECT_EQ(legend.find("r handler retry"), std::string::npos);
  EXPECT_EQ(legend.find("# append"), std::string::npos);
}

TEST(QueueExplain, RetryDemoToldWithItsWaitsAndItsDeadLetter) {
  const models::Scenario scenario = testing::BundledScenario(kRetryDemo);
  const std::string story =
      ExplainMessage(scenario, RecordRun(scenario, MessageSelection::Messages({{0, 0}})), {0, 0});
  EXPECT_NE(story.find("At 1.001000 s exchange orders routed it to queue billing."),
            std::string::npos)
      << story;
  EXPECT_NE(story.find("At 1.003000 s billing-1's handler failed on it (attempt 1 of 7); its "
                       "retry policy waits "),
            std::string::npos);
  EXPECT_NE(story.find("(attempt 6 of 7)"), std::string::npos);
  EXPECT_NE(story.find("billing-1 rejected it without requeue: its handler had failed 7 times"),
            std::string::npos);
  EXPECT_NE(story.find("the dead-letter exchange orders-dlx routed it to queue billing-dlq."),
            std::string::npos);
  EXPECT_NE(story.find("Outcome for group billing (queue billing): DEAD-LETTERED, its side "
                       "effect never ran: queue billing dead-lettered it at "),
            std::string::npos);
}

TEST(QueueExplain, DeliveryLimitAndCrashRedeliveriesAreExplained) {
  const models::Scenario scenario = testing::BundledScenario("queue-poison-delivery-limit.yaml");
  const std::string story =
      ExplainMessage(scenario, RecordRun(scenario, MessageSelection::Messages({{0, 0}})), {0, 0});
  // The header: each crash at k x 1.002 s closes the connection, the message returns 1 ms
  // later, and the restarted instance gets it again with the redelivered flag.
  EXPECT_NE(story.find("At 1.002000 s quorum-dlx-1 crashed as soon as its handler started on "
                       "this poison message while holding it unsettled; its connection closed, "
                       "so the broker returns it to queue billing-quorum-dlx."),
            std::string::npos)
      << story;
  EXPECT_NE(story.find("At 2.003000 s the broker delivered it again from queue "
                       "billing-quorum-dlx to quorum-dlx-1, with the redelivered flag set: after "
                       "the crash of quorum-dlx-1 at 1.002000 s."),
            std::string::npos);
  // delivery_limit 3: the 4th return is over the limit.
  EXPECT_NE(story.find("queue billing-quorum-dlx dead-lettered it: delivery limit exceeded "
                       "(returned 4 times, delivery_limit 3)."),
            std::string::npos);
  EXPECT_NE(story.find("Outcome for group quorum-dlx (queue billing-quorum-dlx): DEAD-LETTERED"),
            std::string::npos);
  EXPECT_NE(story.find("Outcome for group quorum-drop (queue billing-quorum-drop): LOST, its "
                       "side effect never ran: queue billing-quorum-drop discarded it"),
            std::string::npos);
  EXPECT_NE(story.find("Outcome for group classic (queue billing-classic): LOST"),
            std::string::npos);
}

// One message, intended at 100 ms (10/s, evenly spaced); the link back to the producer drops
// everything until 150 ms, so the confirm sent at 101 ms is lost and the producer republishes
// after request_timeout 200 ms and retry_backoff 100 ms, at 400 ms: a second copy in the queue.
constexpr const char* kLostConfirm = R"(
name: lost-confirm
duration: 150ms
drain: 2s
broker:
  kind: queue
  exchanges: [{ name: orders, type: fanout }]
  queues: [{ name: billing }]
  bindings: [{ exchange: orders, queue: billing }]
producers:
  - { name: shop, exchange: orders, rate: 10/s, confirms: true, request_timeout: 200ms,
      retry_backoff: 100ms }
consumers:
  - { group: billing, queue: billing, instances: 1, processing: 1ms }
network: { latency: 1ms }
faults:
  - { link: broker -> shop, from: 0ms, until: 150ms, loss: 1 }
)";

TEST(QueueExplain, RepublishAfterALostConfirmIsTheDuplicatesCause) {
  const models::Scenario scenario = testing::ParseScenario(kLostConfirm);
  const std::string story =
      ExplainMessage(scenario, RecordRun(scenario, MessageSelection::Messages({{0, 0}})), {0, 0});
  EXPECT_NE(story.find("At 0.101000 s the broker's confirm was lost on the link broker->shop"),
            std::string::npos)
      << story;
  EXPECT_NE(story.find("At 0.400000 s shop published it again (attempt 2)"), std::string::npos);
  EXPECT_NE(story.find("Outcome for group billing (queue billing): DUPLICATED, its side effect "
                       "ran 2 times: billing-1 processed copy 2 of the message, which a "
                       "republish after the confirm was lost on its link put in queue billing."),
            std::string::npos);
}

TEST(QueueScores, WorstPicksTheDeadLetteredMessageAndCountsFlaggedRedeliveries) {
  const models::Scenario scenario = testing::BundledScenario(kRetryDemo);
  MessageScorer scorer(scenario);
  models::Simulation(scenario, &scorer).Run();
  ASSERT_TRUE(scorer.Worst().has_value());
  EXPECT_EQ(*scorer.Worst(), (MessageRef{0, 0}));
  EXPECT_TRUE(scorer.DeadLettered({0, 0}));
  EXPECT_FALSE(scorer.Lost({0, 0}));

  const models::Scenario poison = testing::BundledScenario("queue-poison-delivery-limit.yaml");
  MessageScorer poison_scorer(poison);
  models::Simulation(poison, &poison_scorer).Run();
  // quorum-dlx (group 1): 4 deliveries, the last 3 with the redelivered flag.
  EXPECT_EQ(poison_scorer.Fate({0, 0}, 1).redeliveries, 3);
  EXPECT_TRUE(poison_scorer.Fate({0, 0}, 1).dead_lettered);
  EXPECT_TRUE(poison_scorer.Lost({0, 0}));  // classic and quorum-drop never processed it
}

TEST(QueueScores, NoGroupMeansNothingIsLost) {
  // queue-routing has no consumer group, so no message is meant for anyone.
  const models::Scenario scenario = testing::BundledScenario("queue-routing.yaml");
  const auto reads = GroupsReading(scenario);
  ASSERT_EQ(reads.size(), 5u);
  for (const auto& groups : reads) EXPECT_TRUE(groups.empty());
}

}  // namespace
}  // namespace deliverysim::app
