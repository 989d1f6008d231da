// What travels over a link between two components. One struct serves every request and reply
// so that the network can copy (duplicate) or drop any of them without knowing their meaning.
#pragma once

#include <cstdint>
#include <vector>

#include "models/message.h"
#include "sim/event.h"

namespace deliverysim::models {

enum class PacketType : std::uint8_t {
  kProduce,         // producer -> broker: append `record` to `partition`
  kProduceAck,      // broker -> producer: `record` is at `offset`
  kJoinGroup,       // consumer -> broker: instance `member` (incarnation) wants partitions
  kAssignment,      // broker -> consumer: your partitions in `ranges` (offset: committed)
  kFetch,           // consumer -> broker: records from the positions in `ranges`
  kFetchResponse,   // broker -> consumer: records [offset, end) per partition in `ranges`
  kCommit,          // consumer -> broker: commit the offsets in `ranges`
  kCommitResponse,  // broker -> consumer: the offsets taken in `ranges`; `accepted` if all were
  // Queue brokers. `correlation` carries the consumer's connection number, `offset` a delivery
  // tag.
  kConsume,         // consumer -> broker: subscribe on a new connection
  kConsumeOk,       // broker -> consumer: the subscription is live
  kDeliver,         // broker -> consumer: `record` under tag `offset`
  kAck,             // consumer -> broker: ack `offset`, and every earlier tag if `multiple`
  kNack,            // consumer -> broker: nack `offset`, requeued if `requeue`
  kClose,           // consumer -> broker: the connection closed (the process died)
  kConnectionLost,  // broker -> consumer: the broker went down; the connection is gone
};

struct PartitionRange {
  std::uint32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t end = 0;
  std::uint32_t owner_epoch = 0;  // assignments: how many times the partition changed owner
};

struct Packet {
  PacketType type = PacketType::kProduce;
  sim::ComponentId sender = 0;
  std::uint32_t topic = 0;
  std::uint32_t partition = 0;
  std::uint32_t member = 0;  // consumer instance index within its group
  std::uint32_t group = 0;
  std::uint64_t incarnation = 0;  // of the consumer or producer the exchange belongs to
  std::uint64_t correlation = 0;  // the requester's token, echoed in the reply
  std::uint32_t generation = 0;
  bool accepted = false;    // replies: the request succeeded
  bool wants_reply = true;  // requests: false for a produce with acks=0
  std::int64_t offset = 0;
  Record record;
  std::vector<PartitionRange> ranges;
  // Queue brokers only; senders of queue packets set all three.
  bool multiple = false;
  bool requeue = false;
  bool redelivered = false;
};

}  // namespace deliverysim::models
