// The entity table's strategies, event by event: which event's state each one keeps when an
// entity's events arrive out of their producer's order.
#include "models/entity_state_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/producer_clocks.h"
#include "models/scenario.h"

namespace deliverysim::models {
namespace {

constexpr EventType kCreated = 1, kUpdated = 2, kCancelled = 3;

// One producer with 2 keys; its clock runs 10 s behind from 1 s, when a test asks for it.
class EntityStateTableTest : public ::testing::Test {
 protected:
  EntityStateTableTest() {
    ProducerConfig producer;
    producer.name = std::string("p");
    scenario_.producers.push_back(std::move(producer));
  }

  EntityStateTable Table(OrderingStrategy strategy, std::vector<EventType> precedence = {}) {
    clocks_ = std::make_unique<ProducerClocks>(scenario_);
    return EntityStateTable(strategy, precedence, *clocks_, {2});
  }

  static Record Event(std::uint32_t sequence, EventType kind, sim::Time intent_time = 0) {
    Record record;
    record.id = {0, sequence};
    record.key = 0;
    record.sequence = sequence;
    record.event_type = kind;
    record.intent_time = intent_time;
    return record;
  }

  Scenario scenario_;
  std::unique_ptr<ProducerClocks> clocks_;
};

TEST_F(EntityStateTableTest, NoRowUntilAnEventIsOffered) {
  EntityStateTable table = Table(OrderingStrategy::kVersion);
  EXPECT_FALSE(table.Find(0, 0).has_value());
  table.Offer(Event(3, kUpdated));
  ASSERT_TRUE(table.Find(0, 0).has_value());
  EXPECT_FALSE(table.Find(0, 1).has_value());  // the other key is another entity
}

TEST_F(EntityStateTableTest, ApplyKeepsTheLastEventToArrive) {
  EntityStateTable table = Table(OrderingStrategy::kApply);
  EXPECT_TRUE(table.Offer(Event(2, kUpdated)));
  EXPECT_TRUE(table.Offer(Event(1, kUpdated)));
  EXPECT_EQ(table.Find(0, 0)->version, 1u);
  EXPECT_EQ(table.dropped(), 0u);
}

TEST_F(EntityStateTableTest, VersionDropsAnEventNotNewerThanTheRow) {
  EntityStateTable table = Table(OrderingStrategy::kVersion);
  EXPECT_TRUE(table.Offer(Event(2, kUpdated)));
  EXPECT_FALSE(table.Offer(Event(1, kUpdated)));
  EXPECT_FALSE(table.Offer(Event(2, kUpdated)));  // a redelivery is not newer either
  EXPECT_EQ(table.Find(0, 0)->version, 2u);
  EXPECT_EQ(table.dropped(), 2u);
}

TEST_F(EntityStateTableTest, PrecedenceLetsAStrongerKindBeatANewerVersion) {
  EntityStateTable table = Table(OrderingStrategy::kPrecedence, {kCancelled, kUpdated, kCreated});
  EXPECT_TRUE(table.Offer(Event(1, kCancelled)));
  EXPECT_FALSE(table.Offer(Event(5, kUpdated)));
  EXPECT_EQ(table.Find(0, 0)->kind, kCancelled);
}

TEST_F(EntityStateTableTest, PrecedenceLetsAStrongerKindOverwriteANewerWeakerOne) {
  EntityStateTable table = Table(OrderingStrategy::kPrecedence, {kCancelled, kUpdated, kCreated});
  EXPECT_TRUE(table.Offer(Event(4, kUpdated)));
  EXPECT_TRUE(table.Offer(Event(2, kCancelled)));
  EXPECT_EQ(table.Find(0, 0)->version, 2u);
}

TEST_F(EntityStateTableTest, PrecedenceWithinOneKindGoesByVersion) {
  EntityStateTable table = Table(OrderingStrategy::kPrecedence, {kCancelled, kUpdated, kCreated});
  EXPECT_TRUE(table.Offer(Event(3, kUpdated)));
  EXPECT_FALSE(table.Offer(Event(2, kUpdated)));
  EXPECT_EQ(table.Find(0, 0)->version, 3u);
}

TEST_F(EntityStateTableTest, PrecedenceRanksAnUnlistedKindBelowEveryListedOne) {
  EntityStateTable table = Table(OrderingStrategy::kPrecedence, {kCancelled});
  EXPECT_TRUE(table.Offer(Event(1, kCreated)));
  EXPECT_TRUE(table.Offer(Event(0, kCancelled)));
  EXPECT_FALSE(table.Offer(Event(2, kUpdated)));
  EXPECT_EQ(table.Find(0, 0)->kind, kCancelled);
}

TEST_F(EntityStateTableTest, LastWriterWinsGoesByTheProducerTimestamp) {
  EntityStateTable table = Table(OrderingStrategy::kLastWriterWins);
  EXPECT_TRUE(table.Offer(Event(2, kUpdated, 200)));
  EXPECT_FALSE(table.Offer(Event(1, kUpdated, 100)));
  EXPECT_FALSE(table.Offer(Event(3, kUpdated, 200)));  // a tie keeps the row
  EXPECT_EQ(table.Find(0, 0)->version, 2u);
}

TEST_F(EntityStateTableTest, LastWriterWinsLosesANewerEventStampedByAClockThatFellBehind) {
  scenario_.clock_skews.push_back({"p", sim::kSecond, -10 * sim::kSecond});
  EntityStateTable table = Table(OrderingStrategy::kLastWriterWins);
  EXPECT_TRUE(table.Offer(Event(1, kUpdated, sim::kSecond / 2)));
  // Stamped 2 s - 10 s = -8 s, older than the row's 0.5 s.
  EXPECT_FALSE(table.Offer(Event(2, kUpdated, 2 * sim::kSecond)));
  EXPECT_EQ(table.Find(0, 0)->version, 1u);
  EXPECT_EQ(table.Find(0, 0)->timestamp, sim::kSecond / 2);
}

}  // namespace
}  // namespace deliverysim::models
