// A Kafka-style log broker: topics of partitions, each an append-only log addressed by offset,
// and a group coordinator per consumer group that assigns partitions and stores committed
// offsets.
//
// What it reproduces (Kafka 3.x documentation, with the simplifications named):
//   - A produce appends its batch at the partition's log end offset and, unless the producer
//     asked for acks=0, replies with the batch's first offset. A repeated produce appends a
//     second copy: without idempotence the broker cannot tell a retry from a new message.
//   - A batch from an idempotent producer is checked against the producer's sequence numbers
//     (producer_sequences.h): a duplicate is dropped and answered as a success, a gap refused.
//   - A fetch returns records from the requested positions; with none available it waits up
//     to the group's fetch_max_wait for one to arrive (a long poll).
//   - A commit stores a partition's offset only when its sender is the partition's current
//     owner in the current incarnation; otherwise it is refused, as a commit from a member of
//     an older generation is refused.
//   - A crashed member is noticed after its session timeout; a joining or leaving member is
//     noticed at once. Each change of the live set reassigns partitions (see assignment.h); the
//     first assignment of a group waits for initial_rebalance_delay so that its members can join.
//   - Transactions (transactions.h): records of an open transaction hold back the last stable
//     offset, up to which read_committed groups read; ending one writes a commit or abort
//     marker, which takes an offset, into each partition it wrote. A producer starting with a
//     higher epoch fences the old one and aborts its open transaction, and a transaction open
//     longer than transaction_timeout is aborted.
//   - Retention (TopicConfig) deletes whole segments, consumed or not, every
//     retention_check_interval; a fetch below the log start is answered "out of range" and the
//     consumer applies its auto_offset_reset. Time retention goes by append time, as with
//     message.timestamp.type=LogAppendTime. TODO: deleted records stay in memory; only the
//     log start moves.
//   - With one broker every appended record is durable and visible at once, so acks 1 and all
//     behave alike. In a cluster (Scenario::brokers > 1) the leaders' logs, their replication
//     and produce requests live in ReplicatedLog (replicated_log.h), which checks each batch
//     here (fencing, sequences) and copies records below each high watermark into the logs
//     kept here, which are what consumers, retention and the last stable offset see.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/group_metrics.h"
#include "models/message.h"
#include "models/network.h"
#include "models/producer_sequences.h"
#include "models/scenario.h"
#include "models/transactions.h"
#include "sim/engine.h"
#include "sim/trace.h"

namespace deliverysim::models {

class ReplicatedLog;

class LogBroker : public sim::Component {
 public:
  // Event kinds besides kPacketArrived.
  static constexpr std::uint32_t kFetchExpired = 1;   // arg: parked fetch slot | token << 32
  static constexpr std::uint32_t kRebalanceDue = 2;   // arg: group
  static constexpr std::uint32_t kMemberExpired = 3;  // arg: see MemberExpiryArg
  static constexpr std::uint32_t kRetentionCheck = 4;
  static constexpr std::uint32_t kTransactionTimeout = 5;  // arg: the transaction

  static std::uint64_t MemberExpiryArg(std::uint32_t group, std::uint32_t member,
                                       std::uint64_t incarnation);

  LogBroker(sim::Engine& engine, Network& network, const Scenario& scenario,
            std::vector<GroupMetrics*> metrics, sim::TraceSink* trace);
  ~LogBroker() override;

  // Takes the broker's component id and starts its periodic retention check.
  void Start(sim::ComponentId id);
  sim::ComponentId id() const { return id_; }

  // Opens the reply link to a client (producer or consumer instance) called `name`.
  void AddClient(const std::string& name, sim::ComponentId client);

  void OnEvent(const sim::Event& event) override;

  // Reading the logs. A consumer reads records at offsets a fetch response named; the log is
  // append-only, so what a response named never changes.
  std::int64_t log_end(std::uint32_t topic, std::uint32_t partition) const {
    return topics_[topic].ends[partition];
  }
  const Record& record(std::uint32_t topic, std::uint32_t partition, std::int64_t offset) const {
    return topics_[topic].partitions[partition][static_cast<std::size_t>(offset)];
  }
  // The first offset retention has not deleted; records below it can no longer be fetched.
  std::int64_t log_start(std::uint32_t topic, std::uint32_t partition) const {
    return topics_[topic].log_start[partition];
  }
  // The last stable offset: below it no transaction is open. read_committed reads up to it.
  std::int64_t last_stable_offset(std::uint32_t topic, std::uint32_t partition) const {
    return std::min(log_end(topic, partition), transactions_.FirstOpenOffset({topic, partition}));
  }
  bool transaction_aborted(std::uint64_t transaction) const {
    return transactions_.aborted(transaction);
  }
  std::uint32_t partitions(std::uint32_t topic) const {
    return static_cast<std::uint32_t>(topics_[topic].partitions.size());
  }

  // The group's committed offset of a partition; -1 when nothing was committed.
  std::int64_t committed(std::uint32_t group, std::uint32_t partition) const {
    return groups_[group].committed[partition];
  }

  // A cluster of brokers (replicated_log.h), which Simulation registers; null with one broker.
  ReplicatedLog* cluster() { return cluster_.get(); }
  const ReplicatedLog* cluster() const { return cluster_.get(); }

  // What a cluster's partition leader asks of the broker, which keeps the producer and
  // transaction state and the logs as consumers see them.
  //
  // The fencing and sequence checks of a batch about to be appended: nullopt to append it,
  // else the offset to answer with (a duplicate's first copy, or -1) and `error`.
  std::optional<std::int64_t> AdmitBatch(const Packet& request, const ProduceBatch& batch,
                                         ProduceError& error);
  // The batch was appended at `first_offset`: remember its sequences and its transaction.
  void BatchAppended(const Packet& request, const ProduceBatch& batch, std::int64_t first_offset);
  ProducerSequences& sequences() { return sequences_; }
  const std::string& topic_name(std::uint32_t topic) const { return topics_[topic].name; }
  // The consumers' view of a partition: `record` is at `offset` below the high watermark.
  void SetVisibleRecord(std::uint32_t topic, std::uint32_t partition, std::int64_t offset,
                        const Record& record);
  // The high watermark moved to `end`: consumers now read below it.
  void SetVisibleEnd(std::uint32_t topic, std::uint32_t partition, std::int64_t end);

 private:
  struct Topic {
    const TopicConfig* config;
    std::string name;
    // Per partition: the records consumers can read. Entries at or above `ends` are stale
    // copies a cluster's unclean election cut off (see SetVisibleEnd).
    std::vector<std::vector<Record>> partitions;
    std::vector<std::int64_t> ends;                           // per partition
    std::vector<std::int64_t> log_start;                      // per partition
    std::vector<std::vector<sim::Time>> segment_last_append;  // per partition, per segment
  };
  struct Member {
    bool live = false;
    std::uint64_t incarnation = 0;
    sim::ComponentId component = 0;
    // Incarnations below this one have had their session expire: a join or commit they sent
    // before dying may still arrive, and must not bring them back.
    std::uint64_t first_unexpired = 0;
  };
  struct Group {
    const ConsumerGroupConfig* config;
    std::uint32_t topic;
    std::vector<Member> members;
    std::vector<int> owners;                  // per partition: member index or kUnowned
    std::vector<std::uint32_t> owner_epochs;  // per partition: bumped at each change of owner
    std::vector<std::int64_t> committed;      // per partition: -1 until the first commit
    std::uint32_t generation = 0;
    bool first_rebalance_pending = false;
  };
  struct ParkedFetch {
    std::uint32_t request = 0;  // packet slot of the fetch, kept until the reply
    std::uint64_t token = 0;    // tells a live parking from a stale expiry event
    bool active = false;
  };

  void OnPacket(std::uint32_t slot);
  void OnProduce(const Packet& request);
  // Appends one batch of a produce request and returns its first offset, unless the producer's
  // sequence numbers show a duplicate (the first copy's offset, or -1) or a gap (`error`).
  std::int64_t AppendBatch(const Packet& request, const ProduceBatch& batch, ProduceError& error);
  void TraceRefusal(const Packet& request, const ProduceBatch& batch, ProduceError error);
  void OnFetch(std::uint32_t slot);
  void OnCommit(const Packet& request);
  void OnJoin(const Packet& request);
  void OnLeave(const Packet& request);
  void OnMemberExpired(std::uint64_t arg);
  void OnFetchExpired(std::uint64_t arg);
  void ApplyRetention();
  void OnInitProducer(const Packet& request);
  void OnEndTransaction(const Packet& request);
  void EndTransaction(std::uint32_t producer, std::uint64_t transaction, bool commit);
  void ReplyToTransactional(const Packet& request, bool accepted);
  // How far a group may read a partition: the log end, or the last stable offset.
  std::int64_t VisibleEnd(std::uint32_t group, std::uint32_t partition) const;

  bool HasRecordsFor(const Packet& fetch) const;
  void ReplyToFetch(std::uint32_t request_slot);
  void WakeParkedFetches(std::uint32_t topic, std::uint32_t partition);
  // Records or markers were appended: note the time, for retention.
  void NoteAppendTime(std::uint32_t topic, std::uint32_t partition);
  void Rebalance(std::uint32_t group);
  void SendAssignment(std::uint32_t group, std::uint32_t member);
  void Reply(sim::ComponentId client, std::uint32_t slot);

  sim::Engine& engine_;
  Network& network_;
  const Scenario& scenario_;
  std::vector<GroupMetrics*> metrics_;
  sim::TraceSink* trace_;
  sim::ComponentId id_ = 0;
  std::vector<Topic> topics_;
  ProducerSequences sequences_;
  std::vector<std::uint32_t> grown_partitions_;  // OnProduce's scratch, kept to avoid allocating
  Transactions transactions_;
  std::vector<Group> groups_;
  std::vector<LinkId> reply_links_;  // by client component id
  std::vector<std::string> client_names_;
  std::vector<ParkedFetch> parked_;
  std::uint64_t next_park_token_ = 1;
  std::uint64_t fetches_answered_ = 0;
  std::unique_ptr<ReplicatedLog> cluster_;
};

}  // namespace deliverysim::models
