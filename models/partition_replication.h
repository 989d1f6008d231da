// One partition's replicas and what keeps them consistent: leader appends, follower fetches,
// the in-sync replica set (ISR) with its lag limit, the high watermark, acknowledgements for
// acks=all, broker crashes and restarts, and leader elections with log truncation. A pure
// model: it schedules nothing and draws nothing; the caller passes the time and decides when
// fetches, checks and crashes happen, so a unit test can drive an exact history.
//
// Which Kafka behaviour it follows: Apache Kafka 4.1 with eligible leader replicas enabled
// (KIP-966 part 1, `eligible.leader.replicas.version=1`, the default for new 4.1 clusters):
//   - acks=0 appends and never acknowledges; acks=1 acknowledges once the leader has appended;
//     acks=all is refused with NOT_ENOUGH_REPLICAS when the ISR is smaller than
//     min.insync.replicas, and is otherwise acknowledged once the high watermark passes it.
//   - A follower fetch at offset o tells the leader that the follower holds everything below
//     o. A follower stays in the ISR while it catches up to the leader's log end at least once
//     every replica.lag.time.max.ms (Kafka's rule: a fetch that reaches the leader's log end as
//     of the previous fetch counts as caught up at that previous fetch), and rejoins once its
//     log end reaches the high watermark and the current leader epoch's start.
//   - The high watermark is the smallest log end over the ISR, and advances only while the
//     ISR has at least min.insync.replicas members (KIP-966's "strict min ISR"); consumers
//     read only below it. So an acks=all record is acknowledged only while the ISR is large
//     enough, which is Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND check made structural.
//   - A replica leaving the ISR (by lag or by crashing) while the ISR is left smaller than
//     min.insync.replicas joins the eligible leader replicas (ELR): it holds everything below
//     the frozen high watermark. The ELR empties once the ISR is back to min.insync.replicas,
//     and a replica restarting after an unclean shutdown leaves it (it may have lost unflushed
//     data). A crash is an unclean shutdown; a clean one is a controlled shutdown.
//   - Election when the leader dies: a live ISR member, else a live ELR member, else the last
//     leader if it is live again (all clean); else, with unclean.leader.election.enable, any
//     live replica (unclean); else the partition is offline until one of those returns.
//     Candidates are tried in placement order. Every election bumps the leader epoch.
//   - Followers truncate by leader epoch (KIP-101, with KIP-279's fix for several diverging
//     epochs): a fetch says the epoch of the follower's last entry; the leader answers with the
//     end of the largest epoch it has at or below that one, and a follower past it truncates
//     and fetches again, until its log is a prefix of the leader's.
//
// Simplifications (the caller's job or not modelled):
// TODO: a crash keeps the whole log (a process crash; the page cache survives). A power loss
// that drops an unflushed tail is not modelled, so no replica ever loses data by crashing.
// TODO: leadership moves only when the leader dies; auto.leader.rebalance.enable (moving it
// back to the preferred leader) and partition reassignment are not modelled.
// TODO: the controller learns of a crash, and followers of a new leader, at once; Kafka needs
// a broker session timeout and a metadata update, during which produce requests fail.
//
// Example:
//   PartitionReplication p({.brokers = {1, 2, 3}, .min_insync_replicas = 2}, 0);
//   AppendResult a = p.Append(1, Acks::kAll);           // pending until the HW passes it
//   FetchRequest r = p.NextFetch(2);
//   p.ApplyFetch(2, r, p.Fetch(2, r, now));              // broker 2 copies the record
//   for (AckOutcome o : p.TakeAckOutcomes()) ...         // answer the producers
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "sim/time.h"

namespace deliverysim::models {

enum class Acks { kNone, kLeader, kAll };  // acks=0, acks=1, acks=all

enum class ReplicationError {
  kNone,
  kNotLeader,          // NOT_LEADER_OR_FOLLOWER: that broker does not lead (or none does)
  kNotEnoughReplicas,  // NOT_ENOUGH_REPLICAS: acks=all and the ISR < min.insync.replicas
};

enum class ShutdownKind { kUnclean, kClean };  // a crash, or a controlled shutdown

enum class ElectionKind {
  kInSync,           // from the ISR
  kEligible,         // from the ELR (KIP-966)
  kLastKnownLeader,  // the last leader came back when nobody else was eligible
  kUnclean,          // any live replica, with unclean.leader.election.enable
};

inline constexpr std::int32_t kNoEpoch = -1;
inline constexpr int kNoLeader = -1;

struct ReplicationConfig {
  std::vector<std::uint32_t> brokers;  // brokers[i] holds replica i; brokers[0] leads first
  std::uint32_t min_insync_replicas = 1;
  bool unclean_leader_election = false;
  sim::Time replica_lag_max = 30 * sim::kSecond;  // replica.lag.time.max.ms
};

// One log entry: the record (an id this model hands out at append, one per accepted append)
// and the epoch of the leader that appended it.
struct LogEntry {
  std::uint64_t record = 0;
  std::int32_t epoch = 0;

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

struct AppendResult {
  ReplicationError error = ReplicationError::kNone;
  std::int64_t offset = -1;  // where the record went, when accepted
  std::uint64_t record = 0;
};

// What a follower sends: its log end and the epoch of its last entry (kNoEpoch when empty).
struct FetchRequest {
  std::int64_t offset = 0;
  std::int32_t last_epoch = kNoEpoch;
};

struct FetchReply {
  ReplicationError error = ReplicationError::kNone;
  std::int32_t leader_epoch = 0;
  // KIP-101/279: the follower's log diverges from the leader's. It truncates to at most
  // `diverging_end_offset` and to the end of `diverging_epoch` in its own log.
  bool diverging = false;
  std::int32_t diverging_epoch = kNoEpoch;
  std::int64_t diverging_end_offset = 0;
  std::vector<LogEntry> entries;  // to append at the request's offset
  std::int64_t high_watermark = 0;
};

// An acks=all append that was settled: acknowledged, or dropped because its leader died.
struct AckOutcome {
  std::int64_t offset = 0;
  std::uint64_t record = 0;
  ReplicationError error = ReplicationError::kNone;
};

struct Election {
  sim::Time at = 0;
  std::uint32_t broker = 0;  // the new leader
  std::int32_t epoch = 0;
  ElectionKind kind = ElectionKind::kInSync;
  // Acknowledged records the previous leader held that the new leader lacks, by offset.
  std::vector<std::int64_t> lost_acknowledged;
};

class PartitionReplication {
 public:
  // REQUIRES: at least one broker, no broker twice, 1 <= min_insync_replicas.
  // Every replica starts live, empty and in sync; brokers[0] leads in epoch 0.
  PartitionReplication(ReplicationConfig config, sim::Time now);

  // A produce arriving at `broker`. Refused unless that broker leads; with acks=all, also
  // refused when the ISR is too small. An accepted acks=all append settles later, through
  // TakeAckOutcomes().
  AppendResult Append(std::uint32_t broker, Acks acks);

  // The fetch the follower on `broker` would send now.
  FetchRequest NextFetch(std::uint32_t broker) const;
  // The leader's side of a follower fetch arriving from `broker`: records the follower's
  // position, updates the ISR and high watermark, and returns the entries to copy.
  FetchReply Fetch(std::uint32_t broker, const FetchRequest& request, sim::Time now);
  // The follower's side: applies a reply to `request`. A reply from an older leader epoch, or
  // one that no longer matches the follower's log end (a duplicate), is ignored.
  void ApplyFetch(std::uint32_t broker, const FetchRequest& request, const FetchReply& reply);

  // The leader drops from the ISR every follower not caught up within replica_lag_max.
  void ExpireLaggingReplicas(sim::Time now);
  // The earliest time ExpireLaggingReplicas could drop someone; sim::kForever when it cannot.
  sim::Time NextLagExpiry() const;

  // The broker goes down: its replica leaves the ISR and, if it led, a new leader is elected.
  void BrokerDown(std::uint32_t broker, ShutdownKind kind, sim::Time now);
  // The broker comes back with its log; an offline partition may elect it.
  void BrokerUp(std::uint32_t broker, sim::Time now);

  // The acks=all appends settled since the last call, in offset order.
  std::vector<AckOutcome> TakeAckOutcomes();

  // Observers.
  bool HasReplicaOn(std::uint32_t broker) const;
  int leader() const;  // the leading broker, or kNoLeader while offline
  std::int32_t leader_epoch() const { return epoch_; }
  std::int64_t high_watermark() const { return high_watermark_; }
  std::int64_t log_end(std::uint32_t broker) const;
  const std::vector<LogEntry>& log(std::uint32_t broker) const;
  // The leader's log; while offline, the log of the last leader.
  const std::vector<LogEntry>& leader_log() const { return replicas_[last_leader_].log; }
  bool in_sync(std::uint32_t broker) const;
  bool eligible(std::uint32_t broker) const;  // in the ELR
  bool live(std::uint32_t broker) const;
  std::uint32_t in_sync_count() const;
  // Whether the record was ever acknowledged (lost since, or not).
  bool IsAcknowledged(std::uint64_t record) const;
  // Acknowledged records missing from the leader's log (the last leader's, while offline).
  std::int64_t acknowledged_lost() const { return acknowledged_lost_; }
  const std::vector<Election>& elections() const { return elections_; }

 private:
  // Invariants:
  //   1. leader_ is kNoLeader or a live replica in the ISR; last_leader_ is the last one that
  //      led (replica 0 at first).
  //   2. Every ISR member is live; ISR and ELR are disjoint; the ELR is empty whenever the ISR
  //      has at least min_insync_replicas members.
  //   3. high_watermark_ <= the leader's log end, and rises only while the ISR is at least
  //      min_insync_replicas; it falls only at an unclean election.
  //   4. Every acknowledged record not counted lost is in the last leader's log.
  //   5. pending_ holds the leader's unsettled acks=all appends, in offset order, all at or
  //      above high_watermark_.
  struct Replica {
    std::uint32_t broker = 0;
    bool live = true;
    bool unclean_shutdown = false;  // how it last went down
    bool in_sync = true;
    bool eligible = false;
    std::vector<LogEntry> log;
    // The leader's view of this follower, reset at each election.
    std::int64_t fetched_to = 0;  // the follower holds every offset below this
    sim::Time last_caught_up = 0;
    sim::Time last_fetch = 0;
    std::int64_t leader_end_at_last_fetch = INT64_MAX;
  };
  enum class RecordState : std::uint8_t { kUnacknowledged, kAcknowledged, kLost };

  std::size_t IndexOf(std::uint32_t broker) const;
  const Replica& ReplicaOn(std::uint32_t broker) const { return replicas_[IndexOf(broker)]; }
  Replica& ReplicaOn(std::uint32_t broker) { return replicas_[IndexOf(broker)]; }

  void TrackFollower(Replica& follower, std::int64_t offset, sim::Time now);
  void MaybeJoinIsr(Replica& follower, sim::Time now);
  void LeaveIsr(Replica& replica);
  void ClearEligibleIfIsrLargeEnough();
  void MaybeAdvanceHighWatermark();
  void Elect(sim::Time now);
  int PickLeader(ElectionKind& kind) const;
  void BecomeLeader(std::size_t index, ElectionKind kind, sim::Time now);
  void CountLostAcknowledged(const Replica& previous, const Replica& next, Election& election);

  ReplicationConfig config_;
  std::vector<Replica> replicas_;
  int leader_ = 0;  // index into replicas_, or kNoLeader
  std::size_t last_leader_ = 0;
  std::int32_t epoch_ = 0;
  std::int64_t epoch_start_offset_ = 0;  // the leader's log end when it was elected
  std::int64_t high_watermark_ = 0;
  std::vector<RecordState> records_;  // by record id
  std::int64_t acknowledged_lost_ = 0;
  std::deque<AckOutcome> pending_;
  std::vector<AckOutcome> settled_;
  std::vector<Election> elections_;
};

}  // namespace deliverysim::models
