// The timeline: which lanes and rows a known run produces, and how the terminal drawing looks.
// Expected times come from the scenario's constants: intents every 100 ms (intent k at
// (k + 1) x 100 ms), 1 ms on every link, 10 ms of processing per record.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "app/message_scores.h"
#include "app/timeline_diagram.h"
#include "app/timeline_events.h"
#include "app/timeline_run.h"
#include "app/timeline_text.h"
#include "test_support.h"

namespace deliverysim::app {
namespace {

using sim::kMillisecond;

// One producer, one partition, one consumer that crashes right after the effect of the first
// record it processes from 350 ms on (#3, intended at 400 ms) and restarts 100 ms later.
constexpr const char* kCrashAfterEffect = R"(
name: tiny-redelivery
duration: 1s
drain: 3s
broker: { kind: log, initial_rebalance_delay: 0 }
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 10/s, acks: all, request_timeout: 1s, linger: 0ms,
             idempotence: false }]
consumers:
  - { group: g, topic: t, instances: 1, processing: const(10ms), commit: after-processing,
      auto_offset_reset: earliest, session_timeout: 1s }
network: { latency: const(1ms) }
faults:
  - { crash: g-1, step: after-effect, after: 350ms, restart_after: 100ms }
)";

// The same system without the crash; the producer's link drops everything from 350 to 450 ms,
// so #3's first send (400 ms) is lost and sent again after its 200 ms timeout and 100 ms backoff.
constexpr const char* kLostSend = R"(
name: tiny-lost-send
duration: 1s
drain: 3s
broker: { kind: log, initial_rebalance_delay: 0 }
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 10/s, acks: all, request_timeout: 200ms, linger: 0ms,
             idempotence: false }]
consumers:
  - { group: g, topic: t, instances: 1, processing: const(10ms), commit: after-processing,
      auto_offset_reset: earliest, session_timeout: 1s }
network: { latency: const(1ms) }
faults:
  - { link: p -> broker, from: 350ms, until: 450ms, loss: 1 }
)";

TimelineDiagram DiagramOf(const models::Scenario& scenario, MessageSelection selection) {
  return BuildTimeline(scenario, RecordRun(scenario, selection), selection);
}

std::vector<std::string> Styles(const TimelineDiagram& diagram) {
  std::vector<std::string> styles;
  for (const TimelineRow& row : diagram.rows) styles.push_back(RowStyleName(row.style));
  return styles;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Timeline, CrashAfterEffectShowsCrashRebalanceRedeliveryAndDuplicate) {
  const models::Scenario scenario = testing::ParseScenario(kCrashAfterEffect);
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 3}}));

  EXPECT_EQ(d.lanes, (std::vector<std::string>{"p", "t/0", "g-1"}));
  EXPECT_EQ(Styles(d), (std::vector<std::string>{"intent", "send", "append", "ack", "deliver",
                                                 "effect", "crash", "restart", "rebalance",
                                                 "redeliver", "duplicate-effect", "commit"}));
  std::vector<sim::Time> times;
  for (const TimelineRow& row : d.rows) times.push_back(row.at / kMillisecond);
  // intent 400; append and the parked fetch's answer 1 ms later; ack and delivery at 402;
  // effect and crash 10 ms later; restart 100 ms after; its join reaches the coordinator at
  // 513; assignment 514, fetch 515, records 516; effect 526; #4 (appended at 501) is in the
  // same batch, processed until 536, and the commit reaches the broker at 537.
  EXPECT_EQ(times,
            (std::vector<sim::Time>{400, 400, 401, 402, 402, 412, 412, 512, 513, 516, 526, 537}));
  EXPECT_EQ(d.rows[6].from, 2);  // the crash is on g-1's lane
  EXPECT_EQ(d.rows[9].from, 1);  // the redelivery runs from the partition...
  EXPECT_EQ(d.rows[9].to, 2);    // ...to the consumer
  EXPECT_EQ(d.rows[11].label, "commit offset 5, past #3");
}

TEST(Timeline, LostSendIsDrawnCutAndFollowedByTheRetry) {
  const models::Scenario scenario = testing::ParseScenario(kLostSend);
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 3}}));

  EXPECT_EQ(Styles(d), (std::vector<std::string>{"intent", "send", "link-loss", "send", "append",
                                                 "ack", "deliver", "effect", "commit"}));
  // Lost at 400 ms; timeout at 600; retry after the 100 ms backoff at 700; append 701.
  EXPECT_EQ(d.rows[2].at, 400 * kMillisecond);
  EXPECT_EQ(d.rows[3].at, 700 * kMillisecond);
  EXPECT_EQ(d.rows[3].label, "send #3 again (attempt 2)");
  EXPECT_EQ(d.rows[4].at, 701 * kMillisecond);
}

TEST(Timeline, AnUnreadableSchemaVersionIsMarkedDeadLetteredOnTheConsumer) {
  // From 350 ms p writes a breaking v2, which g reads not: #3 (400 ms) is handed over at 402
  // and dead-lettered there, with no effect; the commit past it settles it.
  std::string yaml = kLostSend;
  yaml.replace(yaml.find("idempotence: false"), 18,
               "idempotence: false, schema: { v2_at: 350ms, change: breaking }");
  yaml.replace(yaml.find("session_timeout: 1s"), 19, "session_timeout: 1s, schema_versions: [1]");
  yaml.erase(yaml.find("faults:"));
  const TimelineDiagram d =
      DiagramOf(testing::ParseScenario(yaml), MessageSelection::Messages({{0, 3}}));

  EXPECT_EQ(Styles(d), (std::vector<std::string>{"intent", "send", "append", "ack", "deliver",
                                                 "dead-lettered", "commit"}));
  EXPECT_EQ(d.rows[5].at, 402 * kMillisecond);
  EXPECT_EQ(d.rows[5].from, 2);  // on g-1's lane
  EXPECT_EQ(d.rows[5].label, "DEAD-LETTER #3: v2 unreadable");
  EXPECT_TRUE(IsAlarm(d.rows[5].style));
}

TEST(Timeline, TextFitsTheWidthAndDrawsMarksInTheirLanes) {
  const models::Scenario scenario = testing::ParseScenario(kCrashAfterEffect);
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 3}}));
  for (int width : {80, 120}) {
    const std::string text = RenderTimelineText(d, TextLayout{width, false});
    EXPECT_EQ(text.find('\033'), std::string::npos) << "no colour codes without colour";
    const std::vector<std::string> lines = Lines(text);
    int crash_lines = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      EXPECT_LE(static_cast<int>(lines[i].size()), width) << lines[i];
      if (lines[i].find("CRASH g-1") == std::string::npos) continue;
      ++crash_lines;
      // The X stands where g-1's lane line, the last '|', stands in the intent's row.
      const auto intent = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
        return l.find("#3 intended") != std::string::npos;
      });
      ASSERT_NE(intent, lines.end());
      EXPECT_EQ(lines[i].find('X'), intent->rfind('|'));
    }
    EXPECT_EQ(crash_lines, 1);
    EXPECT_NE(text.find("o====="), std::string::npos) << "the redelivery arrow";
    EXPECT_NE(text.find("DUPLICATE effect of #3"), std::string::npos);
  }
}

TEST(Timeline, ColourOnlyWhenAsked) {
  const models::Scenario scenario = testing::ParseScenario(kCrashAfterEffect);
  const TimelineDiagram d = DiagramOf(scenario, MessageSelection::Messages({{0, 3}}));
  EXPECT_NE(RenderTimelineText(d, TextLayout{80, true}).find("\033[1;31m"), std::string::npos);
}

TEST(Timeline, WindowKeepsEverythingInsideIt) {
  const models::Scenario scenario = testing::ParseScenario(kCrashAfterEffect);
  MessageSelection window;
  ASSERT_TRUE(ParseWindow("400ms..402ms", window).ok());
  const TimelineDiagram d = DiagramOf(scenario, window);
  // #3's intent, send, append, ack and delivery; nothing else happens in those 2 ms.
  EXPECT_EQ(Styles(d), (std::vector<std::string>{"intent", "send", "append", "ack", "deliver"}));
}

TEST(Timeline, WindowAfterTheSendStillDrawsTheAckFromItsPartition) {
  const models::Scenario scenario = testing::ParseScenario(kCrashAfterEffect);
  MessageSelection window;
  ASSERT_TRUE(ParseWindow("401ms..402ms", window).ok());
  const TimelineDiagram d = DiagramOf(scenario, window);
  ASSERT_EQ(Styles(d), (std::vector<std::string>{"append", "ack", "deliver"}));
  // The append tells which partition #3 is in, though its send fell before the window.
  EXPECT_EQ(d.lanes, (std::vector<std::string>{"p", "t/0", "g-1"}));
  EXPECT_EQ(d.rows[1].from, 1);
  EXPECT_EQ(d.rows[1].to, 0);
}

TEST(Timeline, ScorerFindsTheRedeliveredMessage) {
  const models::Scenario scenario = testing::ParseScenario(kCrashAfterEffect);
  MessageScorer scorer(scenario);
  testing::RunScenario(scenario, &scorer);
  ASSERT_TRUE(scorer.Worst().has_value());
  EXPECT_EQ(*scorer.Worst(), (MessageRef{0, 3}));
  EXPECT_EQ(scorer.DuplicateEffects({0, 3}), 1u);
  EXPECT_EQ(scorer.Telling(2), (std::vector<MessageRef>{{0, 3}, {0, 0}}));
}

TEST(TimelineOptions, RangesAndWindowsParseOrNameTheMistake) {
  const models::Scenario scenario = testing::ParseScenario(kCrashAfterEffect);
  auto range = ParseMessageRange("p:2..5", scenario);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range.value().first, 2);
  EXPECT_EQ(range.value().last, 5);
  EXPECT_FALSE(ParseMessageRange("5..2", scenario).ok());
  auto unknown = ParseMessageRange("nobody:1", scenario);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().ToString().find("no producer called 'nobody'"), std::string::npos);
  MessageSelection selection;
  EXPECT_FALSE(ParseWindow("30s", selection).ok());
  EXPECT_FALSE(ParseWindow("2s..1s", selection).ok());
  ASSERT_TRUE(ParseWindow("1s..", selection).ok());
  EXPECT_EQ(selection.from, sim::kSecond);
  EXPECT_EQ(selection.until, sim::kForever);
}

}  // namespace
}  // namespace deliverysim::app
