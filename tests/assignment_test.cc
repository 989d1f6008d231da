#include "models/assignment.h"

#include <gtest/gtest.h>

namespace deliverysim::models {
namespace {

constexpr int U = kUnowned;

TEST(Assignment, FreshGroupGetsContiguousEvenShares) {
  EXPECT_EQ(AssignPartitions({U, U, U, U, U, U}, {0, 1, 2}), (std::vector<int>{0, 0, 1, 1, 2, 2}));
}

TEST(Assignment, CrashMovesOnlyTheDeadMembersPartitions) {
  // Member 1 died: 0 and 2 keep theirs, and split partitions 2 and 3 (shares of 3 each).
  EXPECT_EQ(AssignPartitions({0, 0, 1, 1, 2, 2}, {0, 2}), (std::vector<int>{0, 0, 0, 2, 2, 2}));
}

TEST(Assignment, RejoinTakesOneFromEachSurvivor) {
  // Member 1 is back: each survivor gives up its highest partition beyond a share of 2.
  EXPECT_EQ(AssignPartitions({0, 0, 0, 2, 2, 2}, {0, 1, 2}), (std::vector<int>{0, 0, 1, 2, 2, 1}));
}

TEST(Assignment, UnevenSplitFavoursTheBiggestHolders) {
  // 5 partitions over 2 members: the member holding 3 keeps 3.
  EXPECT_EQ(AssignPartitions({1, 1, 1, 0, 0}, {0, 1}), (std::vector<int>{1, 1, 1, 0, 0}));
}

TEST(Assignment, MoreMembersThanPartitionsLeavesSomeIdle) {
  EXPECT_EQ(AssignPartitions({U, U}, {0, 1, 2}), (std::vector<int>{0, 1}));
}

TEST(Assignment, NoLiveMemberLeavesEverythingUnowned) {
  EXPECT_EQ(AssignPartitions({0, 1}, {}), (std::vector<int>{U, U}));
}

TEST(Assignment, SharesDifferByAtMostOne) {
  for (int partitions = 1; partitions <= 12; ++partitions) {
    for (int members = 1; members <= 5; ++members) {
      std::vector<int> live;
      for (int m = 0; m < members; ++m) live.push_back(m);
      const auto owners = AssignPartitions(std::vector<int>(partitions, U), live);
      std::vector<int> counts(members, 0);
      for (int owner : owners) ++counts[owner];
      const auto [low, high] = std::minmax_element(counts.begin(), counts.end());
      EXPECT_LE(*high - *low, 1) << partitions << " partitions, " << members << " members";
    }
  }
}

}  // namespace
}  // namespace deliverysim::models
