// Each ordering strategy on one entity whose ten events come back out of order, with every
// expected value worked out from the event order by hand (below), not read from a run.
//
// The setup: one producer, one key, 10 events at a constant 10/s, so event s (its sequence) is
// stamped at (s + 1) * 100 ms; the script makes event 0 "created", 1 "updated" and 2..9
// "cancelled". The round-robin partitioner puts events 0,3,6,9 on partition 0, 1,4,7 on 1 and
// 2,5,8 on 2. The group's one instance gets its assignment at 3 s, after all ten are in the log,
// and its first fetch returns the partitions in order 0, 1, 2 (the broker's rotation starts at
// 0), so the handler sees the events in the order 0 3 6 9 1 4 7 2 5 8. The ordered stream ends
// on event 9.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

std::string OneEntityScenario(const std::string& group_extra, const std::string& faults) {
  return R"(
name: one-entity
duration: 1s
drain: 5s
broker: { kind: log, initial_rebalance_delay: 3s }
topics: [ { name: t, partitions: 3 } ]
network: { latency: const(1ms) }
producers:
  - { name: p, topic: t, rate: 10/s, keys: 1, partitioner: round-robin,
      events: [created, updated, cancelled] }
consumers:
  - { group: g, topic: t, instances: 1, processing: const(1ms), commit: after-processing,
      auto_offset_reset: earliest, )" +
         group_extra + R"( }
faults: [)" +
         faults + "]\n";
}

struct Case {
  const char* label;
  std::string group_extra;
  std::string faults;
  std::uint64_t matching;
  std::uint64_t dropped;
};

const std::vector<Case> kCases = {
    // The last to arrive is 8, not 9.
    {"ApplyEndsOnTheLastToArrive", "ordering: apply", "", 0, 0},
    // 0 3 6 9 each newer; 1 4 7 2 5 8 all below 9: six dropped.
    {"VersionEndsOnTheNewest", "ordering: version", "", 1, 6},
    // 0 created; 3 6 9 cancelled outrank it and grow; 1 (updated) is outranked; 4 7 2 5 8 are
    // older cancellations than 9: six dropped, 9 kept.
    {"PrecedenceEndsOnTheNewestCancellation",
     "ordering: precedence, precedence: [cancelled, updated, created]", "", 1, 6},
    // Stamps grow with the sequence, so the latest stamp is event 9's: as version.
    {"LastWriterWinsWithAnExactClockEndsOnTheNewest", "ordering: last-writer-wins", "", 1, 6},
    // From 550 ms the clock is 1 s behind: events 5..9 are stamped (s + 1) * 100 ms - 1 s < 0.
    // 0 (100 ms) and 3 (400 ms) apply, 6 9 drop, 1 (200 ms) drops, 4 (500 ms) applies, then
    // 7 2 5 8 drop: seven dropped, and the row stays on event 4.
    {"LastWriterWinsWithAClockBehindEndsOnTheLastEventBeforeTheSkew", "ordering: last-writer-wins",
     "{ clock: p, at: 550ms, behind: 1s }", 0, 7},
};

class OneEntityOutOfOrder : public ::testing::TestWithParam<Case> {};

TEST_P(OneEntityOutOfOrder, EndsWhereTheHandOrderSays) {
  const Case& c = GetParam();
  const models::GroupResult g =
      RunScenario(ParseScenario(OneEntityScenario(c.group_extra, c.faults))).groups.at(0);
  EXPECT_EQ(g.lost, 0u);
  // 1 4 7 2 5 8 each come after 9: six processed out of order, whatever the strategy.
  EXPECT_EQ(g.out_of_order, 6u);
  ASSERT_TRUE(g.has_entities);
  EXPECT_EQ(g.entities, 1u);
  EXPECT_EQ(g.entities_matching, c.matching);
  EXPECT_EQ(g.entities_diverged, 1u - c.matching);
  EXPECT_EQ(g.events_dropped, c.dropped);
}

INSTANTIATE_TEST_SUITE_P(Strategies, OneEntityOutOfOrder, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(EventOrdering, AGroupWithoutOrderingKeepsNoEntityTable) {
  const models::GroupResult g =
      RunScenario(ParseScenario(OneEntityScenario("max_poll_records: 500", ""))).groups.at(0);
  EXPECT_FALSE(g.has_entities);
  EXPECT_FALSE(g.has_schema_versions);
}

}  // namespace
}  // namespace deliverysim::testing
