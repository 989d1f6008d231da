// Which broker node leads a partition: what a Kafka client learns from metadata, so that it
// sends each produce request to the partition's leader.
#pragma once

#include <cstdint>

namespace deliverysim::models {

class PartitionLeaders {
 public:
  virtual ~PartitionLeaders() = default;
  // The node leading the partition now; while it is offline, its first replica's node (a
  // request sent there is refused or lost, and retried).
  virtual std::uint32_t LeaderNode(std::uint32_t topic, std::uint32_t partition) const = 0;
};

}  // namespace deliverysim::models
