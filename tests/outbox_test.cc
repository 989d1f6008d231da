// A dual write against a transactional outbox under the same producer crashes, and the outbox
// table's own bookkeeping.
#include <gtest/gtest.h>

#include <set>

#include "models/outbox_table.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

using models::MessageId;
using models::OutboxTable;
using models::Record;

Record Row(std::uint32_t number) {
  Record record;
  record.id = MessageId{0, number};
  return record;
}

TEST(OutboxTable, DeletesOnlyTheRowsARoundPublished) {
  OutboxTable table;
  for (std::uint32_t n = 0; n < 5; ++n) table.Insert(Row(n));
  const std::vector<Record> round = table.StartRound(3);
  ASSERT_EQ(round.size(), 3u);
  EXPECT_EQ(round[2].id.number, 2u);
  table.Published(MessageId{0, 0});
  table.Failed(MessageId{0, 1});
  EXPECT_FALSE(table.round_settled());
  table.Published(MessageId{0, 2});
  table.Published(MessageId{0, 2});  // a second acknowledgement settles nothing more
  EXPECT_TRUE(table.round_settled());
  EXPECT_EQ(table.DeletePublished(), 2u);
  // Row 1 failed and leads the next round, ahead of rows 3 and 4.
  const std::vector<Record> next = table.StartRound(10);
  ASSERT_EQ(next.size(), 3u);
  EXPECT_EQ(next[0].id.number, 1u);
  EXPECT_EQ(next[1].id.number, 3u);
}

TEST(OutboxTable, AnAbandonedRoundLosesNoRow) {
  OutboxTable table;
  for (std::uint32_t n = 0; n < 3; ++n) table.Insert(Row(n));
  table.StartRound(2);
  table.Published(MessageId{0, 0});
  table.AbandonRound();  // the relay crashed before deleting anything
  EXPECT_FALSE(table.round_open());
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.StartRound(10).size(), 3u);
}

TEST(DualWrite, LosesTheEventOfEachCrashBetweenCommitAndPublish) {
  RecordingTrace trace;
  const auto result = RunScenario(BundledScenario("dual-write.yaml"), &trace);
  // The events committed to the database that never reached the log, read off the trace.
  std::set<std::int64_t> committed, appended;
  for (const TraceEvent& event : trace.Of("db-commit")) committed.insert(event.Number("message"));
  for (const TraceEvent& event : trace.Of("append")) appended.insert(event.Number("message"));
  std::uint64_t never_published = 0;
  for (std::int64_t message : committed) never_published += appended.count(message) ? 0 : 1;
  // At 20 orders a second no other order is in flight when a crash strikes, so each of the
  // three crashes loses exactly the order it struck after.
  EXPECT_EQ(trace.Of("crash-at-step").size(), 3u);
  EXPECT_EQ(never_published, 3u);
  EXPECT_EQ(result.groups[0].lost, 3u);
  EXPECT_EQ(result.groups[0].duplicate_effects, 0u);
}

TEST(Outbox, LosesNothingAndTheInboxAbsorbsRepublishedRounds) {
  RecordingTrace trace;
  const auto result = RunScenario(BundledScenario("outbox.yaml"), &trace);
  // Each crash strikes after a round was acknowledged and before its rows were deleted, so
  // every row of that round is published again: the duplicates in the log are their sum.
  std::uint64_t republished = 0;
  std::int64_t last_round = 0;
  for (const TraceEvent& event : trace.events) {
    if (event.kind == "relay-round") last_round = event.Number("rows");
    if (event.kind == "crash-at-step") republished += static_cast<std::uint64_t>(last_round);
  }
  EXPECT_EQ(trace.Of("crash-at-step").size(), 3u);
  EXPECT_GT(republished, 0u);
  EXPECT_EQ(result.topics[0].duplicate_records, republished);
  EXPECT_EQ(result.groups[0].lost, 0u);
  EXPECT_EQ(result.groups[0].duplicate_deliveries, republished);
  EXPECT_EQ(result.groups[0].duplicate_effects, 0u);
}

}  // namespace
}  // namespace deliverysim::testing
