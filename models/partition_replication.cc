#include "models/partition_replication.h"

#include <algorithm>
#include <cassert>

namespace deliverysim::models {

namespace {

// Epochs never decrease along a log: a leader appends with its own epoch, which is above every
// earlier leader's, and a follower copies only a prefix of its leader's log.
//
// The end of `epoch` in `log`: the first offset holding a later epoch, or the log end.
std::int64_t EndOfEpoch(const std::vector<LogEntry>& log, std::int32_t epoch) {
  const auto after = std::upper_bound(
      log.begin(), log.end(), epoch,
      [](std::int32_t wanted, const LogEntry& entry) { return wanted < entry.epoch; });
  return after - log.begin();
}

}  // namespace

PartitionReplication::PartitionReplication(ReplicationConfig config, sim::Time now)
    : config_(std::move(config)) {
  assert(!config_.brokers.empty() && config_.min_insync_replicas >= 1);
  for (std::uint32_t broker : config_.brokers) {
    Replica replica;
    replica.broker = broker;
    replica.last_caught_up = now;
    replica.last_fetch = now;
    replicas_.push_back(replica);
  }
}

std::size_t PartitionReplication::IndexOf(std::uint32_t broker) const {
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    if (replicas_[i].broker == broker) return i;
  }
  assert(false && "no replica on that broker");
  return 0;
}

bool PartitionReplication::HasReplicaOn(std::uint32_t broker) const {
  return std::any_of(replicas_.begin(), replicas_.end(),
                     [&](const Replica& r) { return r.broker == broker; });
}

int PartitionReplication::leader() const {
  return leader_ == kNoLeader ? kNoLeader : static_cast<int>(replicas_[leader_].broker);
}

std::int64_t PartitionReplication::log_end(std::uint32_t broker) const {
  return static_cast<std::int64_t>(ReplicaOn(broker).log.size());
}

const std::vector<LogEntry>& PartitionReplication::log(std::uint32_t broker) const {
  return ReplicaOn(broker).log;
}

bool PartitionReplication::in_sync(std::uint32_t broker) const { return ReplicaOn(broker).in_sync; }

bool PartitionReplication::eligible(std::uint32_t broker) const {
  return ReplicaOn(broker).eligible;
}

bool PartitionReplication::live(std::uint32_t broker) const { return ReplicaOn(broker).live; }

std::uint32_t PartitionReplication::in_sync_count() const {
  return static_cast<std::uint32_t>(std::count_if(replicas_.begin(), replicas_.end(),
                                                  [](const Replica& r) { return r.in_sync; }));
}

bool PartitionReplication::IsAcknowledged(std::uint64_t record) const {
  return record < records_.size() && records_[record] != RecordState::kUnacknowledged;
}

AppendResult PartitionReplication::Append(std::uint32_t broker, Acks acks) {
  AppendResult result;
  if (leader_ == kNoLeader || replicas_[leader_].broker != broker) {
    result.error = ReplicationError::kNotLeader;
    return result;
  }
  if (acks == Acks::kAll && in_sync_count() < config_.min_insync_replicas) {
    result.error = ReplicationError::kNotEnoughReplicas;
    return result;
  }
  Replica& leader = replicas_[leader_];
  result.offset = static_cast<std::int64_t>(leader.log.size());
  result.record = records_.size();
  leader.log.push_back({result.record, epoch_});
  records_.push_back(acks == Acks::kLeader ? RecordState::kAcknowledged
                                           : RecordState::kUnacknowledged);
  if (acks == Acks::kAll) pending_.push_back({result.offset, result.record});
  // The leader alone may be the whole ISR, in which case its own append moves the watermark.
  MaybeAdvanceHighWatermark();
  return result;
}

FetchRequest PartitionReplication::NextFetch(std::uint32_t broker) const {
  const Replica& follower = ReplicaOn(broker);
  FetchRequest request;
  request.offset = static_cast<std::int64_t>(follower.log.size());
  if (!follower.log.empty()) request.last_epoch = follower.log.back().epoch;
  return request;
}

FetchReply PartitionReplication::Fetch(std::uint32_t broker, const FetchRequest& request,
                                       sim::Time now) {
  FetchReply reply;
  if (leader_ == kNoLeader) {
    reply.error = ReplicationError::kNotLeader;
    return reply;
  }
  const Replica& leader = replicas_[leader_];
  Replica& follower = ReplicaOn(broker);
  assert(&follower != &leader && follower.live);
  reply.leader_epoch = epoch_;
  reply.high_watermark = high_watermark_;

  // KIP-101/279: does the follower's last entry agree with the leader's log? The leader finds
  // the largest epoch it has at or below the follower's, and where that epoch ends for it.
  if (request.offset > 0) {
    const std::int64_t end = EndOfEpoch(leader.log, request.last_epoch);
    const std::int32_t epoch =
        end > 0 ? leader.log[static_cast<std::size_t>(end - 1)].epoch : kNoEpoch;
    if (epoch != request.last_epoch || end < request.offset) {
      reply.diverging = true;
      reply.diverging_epoch = epoch;
      reply.diverging_end_offset = end;
      return reply;
    }
  }

  TrackFollower(follower, request.offset, now);
  reply.entries.assign(leader.log.begin() + request.offset, leader.log.end());
  reply.high_watermark = high_watermark_;
  return reply;
}

void PartitionReplication::TrackFollower(Replica& follower, std::int64_t offset, sim::Time now) {
  // Kafka's rule for "caught up": reaching the leader's log end now, or reaching the log end
  // the leader had at the previous fetch (then it was caught up as of that fetch), so that a
  // follower kept one fetch behind by a steady stream of appends still counts.
  const auto leader_end = static_cast<std::int64_t>(replicas_[leader_].log.size());
  if (offset >= leader_end) {
    follower.last_caught_up = std::max(follower.last_caught_up, now);
  } else if (offset >= follower.leader_end_at_last_fetch) {
    follower.last_caught_up = std::max(follower.last_caught_up, follower.last_fetch);
  }
  follower.leader_end_at_last_fetch = leader_end;
  follower.last_fetch = now;
  follower.fetched_to = offset;
  MaybeJoinIsr(follower, now);
  MaybeAdvanceHighWatermark();
}

void PartitionReplication::MaybeJoinIsr(Replica& follower, sim::Time now) {
  if (follower.in_sync || follower.fetched_to < high_watermark_ ||
      follower.fetched_to < epoch_start_offset_) {
    return;
  }
  follower.in_sync = true;
  follower.eligible = false;
  // It reached the watermark just now; count it caught up from here, or the next lag check
  // would drop it again at once.
  follower.last_caught_up = std::max(follower.last_caught_up, now);
  ClearEligibleIfIsrLargeEnough();
}

void PartitionReplication::ApplyFetch(std::uint32_t broker, const FetchRequest& request,
                                      const FetchReply& reply) {
  Replica& follower = ReplicaOn(broker);
  if (!follower.live || reply.error != ReplicationError::kNone || reply.leader_epoch != epoch_ ||
      static_cast<std::int64_t>(follower.log.size()) != request.offset) {
    return;
  }
  if (reply.diverging) {
    const std::int64_t keep =
        std::min(reply.diverging_end_offset, EndOfEpoch(follower.log, reply.diverging_epoch));
    if (keep < static_cast<std::int64_t>(follower.log.size())) {
      follower.log.resize(static_cast<std::size_t>(keep));
    }
    return;
  }
  follower.log.insert(follower.log.end(), reply.entries.begin(), reply.entries.end());
}

void PartitionReplication::ExpireLaggingReplicas(sim::Time now) {
  if (leader_ == kNoLeader) return;
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    Replica& follower = replicas_[i];
    if (static_cast<int>(i) == leader_ || !follower.in_sync) continue;
    if (now - follower.last_caught_up > config_.replica_lag_max) LeaveIsr(follower);
  }
  // Dropping the slowest follower lets the watermark move up to the next slowest.
  MaybeAdvanceHighWatermark();
}

sim::Time PartitionReplication::NextLagExpiry() const {
  sim::Time next = sim::kForever;
  if (leader_ == kNoLeader) return next;
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    const Replica& follower = replicas_[i];
    if (static_cast<int>(i) == leader_ || !follower.in_sync) continue;
    next = std::min(next, follower.last_caught_up + config_.replica_lag_max + 1);
  }
  return next;
}

void PartitionReplication::LeaveIsr(Replica& replica) {
  replica.in_sync = false;
  // KIP-966: below min ISR the watermark is frozen, so the leaver holds everything below it.
  if (in_sync_count() < config_.min_insync_replicas) replica.eligible = true;
}

void PartitionReplication::ClearEligibleIfIsrLargeEnough() {
  if (in_sync_count() < config_.min_insync_replicas) return;
  for (Replica& replica : replicas_) replica.eligible = false;
}

void PartitionReplication::MaybeAdvanceHighWatermark() {
  if (leader_ == kNoLeader || in_sync_count() < config_.min_insync_replicas) return;
  std::int64_t lowest = INT64_MAX;
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    const Replica& replica = replicas_[i];
    if (!replica.in_sync) continue;
    const auto end = static_cast<int>(i) == leader_ ? static_cast<std::int64_t>(replica.log.size())
                                                    : replica.fetched_to;
    lowest = std::min(lowest, end);
  }
  if (lowest <= high_watermark_) return;
  high_watermark_ = lowest;

  // Every acks=all append below the watermark is now on min_insync_replicas replicas or more.
  while (!pending_.empty() && pending_.front().offset < high_watermark_) {
    AckOutcome done = pending_.front();
    pending_.pop_front();
    records_[done.record] = RecordState::kAcknowledged;
    settled_.push_back(done);
  }
}

std::vector<AckOutcome> PartitionReplication::TakeAckOutcomes() {
  std::vector<AckOutcome> out;
  out.swap(settled_);
  return out;
}

void PartitionReplication::BrokerDown(std::uint32_t broker, ShutdownKind kind, sim::Time now) {
  const std::size_t index = IndexOf(broker);
  Replica& replica = replicas_[index];
  if (!replica.live) return;
  replica.live = false;
  replica.unclean_shutdown = kind == ShutdownKind::kUnclean;
  // The controller fences the broker and takes it out of every ISR it was in.
  if (replica.in_sync) LeaveIsr(replica);
  if (leader_ != static_cast<int>(index)) {
    MaybeAdvanceHighWatermark();
    return;
  }
  // The leader's unsettled appends die with it: their producers hear nothing.
  for (AckOutcome& dropped : pending_) {
    dropped.error = ReplicationError::kNotLeader;
    settled_.push_back(dropped);
  }
  pending_.clear();
  leader_ = kNoLeader;
  Elect(now);
}

void PartitionReplication::BrokerUp(std::uint32_t broker, sim::Time now) {
  Replica& replica = ReplicaOn(broker);
  if (replica.live) return;
  replica.live = true;
  // KIP-966: a broker registering after an unclean shutdown may have lost unflushed records,
  // so it is no longer trusted to hold the watermark.
  if (replica.unclean_shutdown) replica.eligible = false;
  replica.leader_end_at_last_fetch = INT64_MAX;
  replica.fetched_to = 0;
  replica.last_fetch = now;
  if (leader_ == kNoLeader) Elect(now);
}

void PartitionReplication::Elect(sim::Time now) {
  ElectionKind kind = ElectionKind::kInSync;
  const int chosen = PickLeader(kind);
  if (chosen == kNoLeader) return;  // offline until an eligible replica returns
  BecomeLeader(static_cast<std::size_t>(chosen), kind, now);
}

int PartitionReplication::PickLeader(ElectionKind& kind) const {
  auto first = [&](auto&& accept) {
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
      if (replicas_[i].live && accept(replicas_[i], i)) return static_cast<int>(i);
    }
    return kNoLeader;
  };
  const int from_isr = first([](const Replica& r, std::size_t) { return r.in_sync; });
  if (from_isr != kNoLeader) {
    kind = ElectionKind::kInSync;
    return from_isr;
  }
  const int from_elr = first([](const Replica& r, std::size_t) { return r.eligible; });
  if (from_elr != kNoLeader) {
    kind = ElectionKind::kEligible;
    return from_elr;
  }
  if (replicas_[last_leader_].live) {
    kind = ElectionKind::kLastKnownLeader;
    return static_cast<int>(last_leader_);
  }
  if (!config_.unclean_leader_election) return kNoLeader;
  kind = ElectionKind::kUnclean;
  return first([](const Replica&, std::size_t) { return true; });
}

void PartitionReplication::BecomeLeader(std::size_t index, ElectionKind kind, sim::Time now) {
  Replica& next = replicas_[index];
  Election election{now, next.broker, ++epoch_, kind, {}};
  CountLostAcknowledged(replicas_[last_leader_], next, election);
  elections_.push_back(std::move(election));

  leader_ = static_cast<int>(index);
  last_leader_ = index;
  epoch_start_offset_ = static_cast<std::int64_t>(next.log.size());
  if (kind == ElectionKind::kUnclean) {
    // Nobody is known to hold the watermark any more; the new leader's log is the truth.
    for (Replica& replica : replicas_) replica.eligible = false;
    high_watermark_ = std::min(high_watermark_, epoch_start_offset_);
  }
  next.in_sync = true;
  next.eligible = false;
  ClearEligibleIfIsrLargeEnough();

  // The new leader knows nothing yet of its followers' positions.
  for (Replica& follower : replicas_) {
    follower.fetched_to = 0;
    follower.last_fetch = now;
    follower.leader_end_at_last_fetch = INT64_MAX;
    if (follower.in_sync) follower.last_caught_up = now;
  }
  MaybeAdvanceHighWatermark();
}

void PartitionReplication::CountLostAcknowledged(const Replica& previous, const Replica& next,
                                                 Election& election) {
  // The two logs agree up to the first offset where their epochs differ (an epoch's leader
  // wrote each offset once); past it, what the previous leader held is gone.
  const bool previous_shorter = previous.log.size() < next.log.size();
  const auto& shorter = previous_shorter ? previous.log : next.log;
  const auto& longer = previous_shorter ? next.log : previous.log;
  const auto agree = static_cast<std::size_t>(
      std::mismatch(shorter.begin(), shorter.end(), longer.begin()).first - shorter.begin());

  for (std::size_t offset = agree; offset < previous.log.size(); ++offset) {
    RecordState& state = records_[previous.log[offset].record];
    if (state != RecordState::kAcknowledged) continue;
    state = RecordState::kLost;
    ++acknowledged_lost_;
    election.lost_acknowledged.push_back(static_cast<std::int64_t>(offset));
  }
  // A replica that was down through an earlier unclean election may bring back records that
  // election had lost.
  for (std::size_t offset = agree; offset < next.log.size(); ++offset) {
    RecordState& state = records_[next.log[offset].record];
    if (state != RecordState::kLost) continue;
    state = RecordState::kAcknowledged;
    --acknowledged_lost_;
  }
}

}  // namespace deliverysim::models
