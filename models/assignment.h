// How a consumer group's coordinator spreads partitions over the live members.
//
// The assignment is even (member counts differ by at most one) and sticky: a member keeps as
// many of the partitions it owned as its share allows, so a crash moves only the dead
// member's partitions and a rejoin moves only what the newcomer needs. This is the outcome the
// Kafka clients' sticky and cooperative-sticky assignors aim for.
#pragma once

#include <cstdint>
#include <vector>

namespace deliverysim::models {

inline constexpr int kUnowned = -1;

// Returns the new owner of each partition.
//   current_owners[p]: the member owning partition p, or kUnowned.
//   live_members: the members to assign to, in increasing order, without repeats.
// With no live member every partition is kUnowned. Members with more partitions before the
// change get the larger shares when the split is uneven; ties go to the lower member index.
std::vector<int> AssignPartitions(const std::vector<int>& current_owners,
                                  const std::vector<int>& live_members);

}  // namespace deliverysim::models
