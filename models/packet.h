// What travels over a link between two components. One struct serves every request and reply
// so that the network can copy (duplicate) or drop any of them without knowing their meaning.
#pragma once

#include <cstdint>
#include <vector>

#include "models/message.h"
#include "models/partition_replication.h"
#include "sim/event.h"

namespace deliverysim::models {

enum class PacketType : std::uint8_t {
  kProduce,         // producer -> broker: append each of `batches` to its partition
  kProduceAck,      // broker -> producer: per batch, its first offset or why it was refused
  kJoinGroup,       // consumer -> broker: instance `member` (incarnation) wants partitions
  kAssignment,      // broker -> consumer: your partitions in `ranges` (offset: committed)
  kFetch,           // consumer -> broker: records from the positions in `ranges`
  kFetchResponse,   // broker -> consumer: records [offset, end) per partition in `ranges`
  kCommit,          // consumer -> broker: commit the offsets in `ranges`
  kCommitResponse,  // broker -> consumer: the offsets taken in `ranges`; `accepted` if all were
  kLeaveGroup,      // consumer -> broker: instance `member` (incarnation) leaves the group
  kInitProducer,    // producer -> broker: a transactional producer starts (epoch: incarnation)
  kEndTransaction,  // producer -> broker: commit (`accepted`) or abort transaction `offset`
  kTxnResponse,     // broker -> producer: the init or end succeeded (`accepted`), or was fenced
  // Queue brokers. `correlation` carries the consumer's connection number, `offset` a delivery
  // tag.
  kConsume,         // consumer -> broker: subscribe on a new connection
  kConsumeOk,       // broker -> consumer: the subscription is live
  kDeliver,         // broker -> consumer: `record` under tag `offset`
  kAck,             // consumer -> broker: ack `offset`, and every earlier tag if `multiple`
  kNack,            // consumer -> broker: nack `offset`, requeued if `requeue`
  kClose,           // consumer -> broker: the connection closed (the process died)
  kConnectionLost,  // broker -> consumer: the broker went down; the connection is gone
  // Replication between the broker nodes of a cluster (replicated_log.h).
  kReplicaFetch,          // follower -> leader: `replica_fetch` for `partition` from `node`
  kReplicaFetchResponse,  // leader -> follower: `replica_reply`
  // Synchronous calls of a request-response flow (sync_caller.h). `correlation` is the flow,
  // `offset` the caller's number for the call, `record.event_type` what is asked or answered.
  kCall,       // caller -> service instance: perform a step or a compensation
  kCallReply,  // service instance -> caller: done (`accepted`) or failed
};

// Why a broker refused a produce request. Every one of these is retriable.
enum class ProduceError : std::uint8_t {
  kNone,
  kOutOfOrderSequence,  // idempotent producer: the batch leaves a gap after the last sequence
  kProducerFenced,      // transactional producer: a newer incarnation with its id has started
  // A cluster of brokers (replicated_log.h):
  kNotLeader,          // NOT_LEADER_OR_FOLLOWER: the node does not lead the partition (or none)
  kNotEnoughReplicas,  // NOT_ENOUGH_REPLICAS: acks=all and the ISR < min.insync.replicas
};

// One partition's batch within a produce request, and in the reply what became of it.
struct ProduceBatch {
  std::uint32_t partition = 0;
  std::uint32_t first = 0;  // index of its first record in Packet::records
  std::uint32_t count = 0;
  std::int32_t base_sequence = -1;  // idempotent producers: sequence number of the first record
  std::int64_t offset = -1;         // reply: where the first record is, when known
  ProduceError error = ProduceError::kNone;  // reply
};

struct PartitionRange {
  std::uint32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t end = 0;
  std::uint32_t owner_epoch = 0;  // assignments: how many times the partition changed owner
  std::int64_t log_start = 0;     // assignments: the first offset retention has not deleted
  // Fetch responses: the position asked for is below the log start; `offset` is the log start
  // and `end` the log end, for the consumer's auto_offset_reset to choose from.
  bool out_of_range = false;
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
  std::uint64_t member_incarnation = 0;  // end-transaction: of the consumer whose offsets commit
  bool accepted = false;                 // replies: the request succeeded
  bool wants_reply = true;               // requests: false for a produce with acks=0
  std::int64_t offset = 0;
  std::uint64_t producer_id = 0;  // produce requests: the client's id, epoch included
  Acks acks = Acks::kAll;         // produce requests: what the producer waits for (a cluster)
  Record record;                  // the one record a packet is about, for tracing losses
  std::vector<Record> records;    // produce requests: every batch's records, batch after batch
  std::vector<ProduceBatch> batches;
  std::vector<PartitionRange> ranges;
  // Queue brokers only; senders of queue packets set all three.
  bool multiple = false;
  bool requeue = false;
  bool redelivered = false;
  // Replication between broker nodes (kReplicaFetch and kReplicaFetchResponse).
  std::uint32_t node = 0;  // the follower's broker node
  FetchRequest replica_fetch;
  FetchReply replica_reply;
};

}  // namespace deliverysim::models
