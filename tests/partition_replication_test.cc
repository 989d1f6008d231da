// The replication model driven through its public operations: appends, follower fetches (whole,
// or with the reply lost on the way back), lag checks at chosen times, crashes and restarts.
// Expected values follow from the Kafka rules stated in models/partition_replication.h; each
// is worked out in a comment.
#include "models/partition_replication.h"

#include <gtest/gtest.h>

namespace deliverysim::models {
namespace {

using sim::kMillisecond;
using sim::kSecond;

// Broker ids on purpose unlike replica positions, so a mix-up between the two shows.
constexpr std::uint32_t kA = 11;
constexpr std::uint32_t kB = 12;
constexpr std::uint32_t kC = 13;

ReplicationConfig ThreeReplicas(std::uint32_t min_insync, bool unclean) {
  return ReplicationConfig{{kA, kB, kC}, min_insync, unclean, 10 * kSecond};
}

// One fetch round trip from the follower on `broker`.
void Replicate(PartitionReplication& p, std::uint32_t broker, sim::Time now) {
  const FetchRequest request = p.NextFetch(broker);
  p.ApplyFetch(broker, request, p.Fetch(broker, request, now));
}

// The leader sees the fetch (and so learns the follower's position) but the reply is lost.
void FetchReplyLost(PartitionReplication& p, std::uint32_t broker, sim::Time now) {
  (void)p.Fetch(broker, p.NextFetch(broker), now);
}

void AppendMany(PartitionReplication& p, int count, Acks acks) {
  for (int i = 0; i < count; ++i) {
    ASSERT_EQ(p.Append(p.leader(), acks).error, ReplicationError::kNone);
  }
}

std::int64_t AcknowledgedCount(const PartitionReplication& p, std::uint64_t records) {
  std::int64_t count = 0;
  for (std::uint64_t r = 0; r < records; ++r) count += p.IsAcknowledged(r) ? 1 : 0;
  return count;
}

// The history of the issue's first check, up to A's failure. A leads and ends with 0-9, B with
// 0-4, C with 0-1, and only A in sync:
//   1s     records 0-1 appended; B and C copy them and fetch again at offset 2, which tells
//          the leader they hold 0-1 (caught up: 2 is the leader's log end).
//   11s    B fetches at 2 again (still caught up); C is silent from 1s on.
//   11.5s  lag check: C last caught up at 1s, 10.5s > 10s ago, so C leaves; {A, B} remain.
//   12s    records 2-4 appended; B copies them (its fetch at 2 reached the leader's log end of
//          its previous fetch, 2, so it counts as caught up at that previous fetch, 11s).
//   13s    records 5-9 appended; B fetches at 5, so the leader learns B holds 0-4 (and B
//          counts as caught up at 12s: 5 was the leader's log end at its fetch at 12s), but
//          the reply with 5-9 is lost and B fetches no more.
//   23s    lag check: B last caught up at 12s, 11s > 10s ago, so B leaves; only A remains.
//   24s    B goes down (`b_down`).
void RunFirstCheckHistory(PartitionReplication& p, Acks acks, ShutdownKind b_down) {
  AppendMany(p, 2, acks);
  for (std::uint32_t follower : {kB, kC}) {
    Replicate(p, follower, 1 * kSecond);
    Replicate(p, follower, 1 * kSecond);
  }
  Replicate(p, kB, 11 * kSecond);
  p.ExpireLaggingReplicas(11 * kSecond + 500 * kMillisecond);
  AppendMany(p, 3, acks);
  Replicate(p, kB, 12 * kSecond);
  AppendMany(p, 5, acks);
  FetchReplyLost(p, kB, 13 * kSecond);
  p.ExpireLaggingReplicas(23 * kSecond);
  p.BrokerDown(kB, b_down, 24 * kSecond);
}

TEST(PartitionReplication, FirstCheckHistoryLeavesTheLogsTheIssueDescribes) {
  PartitionReplication p(ThreeReplicas(2, true), 0);
  RunFirstCheckHistory(p, Acks::kAll, ShutdownKind::kUnclean);
  EXPECT_EQ(p.log_end(kA), 10);
  EXPECT_EQ(p.log_end(kB), 5);
  EXPECT_EQ(p.log_end(kC), 2);
  EXPECT_TRUE(p.in_sync(kA));
  EXPECT_FALSE(p.in_sync(kB));
  EXPECT_FALSE(p.in_sync(kC));
  // The watermark stopped at B's 5 when B left and the ISR fell below 2.
  EXPECT_EQ(p.high_watermark(), 5);
}

TEST(PartitionReplication, AcksOneUncleanElectionLosesEightAcknowledgedRecords) {
  PartitionReplication p(ThreeReplicas(1, true), 0);
  RunFirstCheckHistory(p, Acks::kLeader, ShutdownKind::kUnclean);
  // acks=1: the leader acknowledged each of the 10 records as it appended it.
  EXPECT_EQ(AcknowledgedCount(p, 10), 10);

  p.BrokerDown(kA, ShutdownKind::kUnclean, 25 * kSecond);
  // No live replica in the ISR or ELR, so C (the only live one) is elected uncleanly. C holds
  // 0-1; the acknowledged 2-9 are gone: 10 - 2 = 8.
  ASSERT_EQ(p.leader(), static_cast<int>(kC));
  EXPECT_EQ(p.elections().back().kind, ElectionKind::kUnclean);
  EXPECT_EQ(p.elections().back().lost_acknowledged,
            (std::vector<std::int64_t>{2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(p.acknowledged_lost(), 8);
}

TEST(PartitionReplication, AcksAllUncleanElectionLosesThreeAcknowledgedRecords) {
  PartitionReplication p(ThreeReplicas(2, true), 0);
  RunFirstCheckHistory(p, Acks::kAll, ShutdownKind::kUnclean);
  // acks=all: a record is acknowledged once the watermark passes it, and the watermark
  // stopped at 5, so 0-4 are acknowledged and 5-9 are still waiting.
  std::vector<AckOutcome> settled = p.TakeAckOutcomes();
  ASSERT_EQ(settled.size(), 5u);
  EXPECT_EQ(settled.back().offset, 4);
  EXPECT_EQ(AcknowledgedCount(p, 10), 5);

  p.BrokerDown(kA, ShutdownKind::kUnclean, 25 * kSecond);
  // The five waiting appends die with their leader, never acknowledged.
  settled = p.TakeAckOutcomes();
  ASSERT_EQ(settled.size(), 5u);
  for (const AckOutcome& outcome : settled) {
    EXPECT_EQ(outcome.error, ReplicationError::kNotLeader);
  }
  // C, holding 0-1, is elected uncleanly: the acknowledged 2, 3 and 4 are lost (5 - 2 = 3).
  ASSERT_EQ(p.leader(), static_cast<int>(kC));
  EXPECT_EQ(p.elections().back().kind, ElectionKind::kUnclean);
  EXPECT_EQ(p.elections().back().lost_acknowledged, (std::vector<std::int64_t>{2, 3, 4}));
  EXPECT_EQ(p.acknowledged_lost(), 3);
}

TEST(PartitionReplication, UncleanElectionTruncatesTheReturningLeaderToTheNewLeadersLog) {
  PartitionReplication p(ThreeReplicas(2, true), 0);
  RunFirstCheckHistory(p, Acks::kAll, ShutdownKind::kUnclean);
  p.BrokerDown(kA, ShutdownKind::kUnclean, 25 * kSecond);
  ASSERT_EQ(p.leader(), static_cast<int>(kC));
  ASSERT_EQ(p.Append(kC, Acks::kLeader).offset, 2);

  // A comes back with 0-9 of epoch 0; C's epoch 0 ends at 2, so A cuts to 2 and copies on.
  p.BrokerUp(kA, 30 * kSecond);
  Replicate(p, kA, 30 * kSecond);
  EXPECT_EQ(p.log_end(kA), 2);
  Replicate(p, kA, 30 * kSecond);
  EXPECT_EQ(p.log(kA), p.log(kC));
  EXPECT_EQ(p.acknowledged_lost(), 3);
}

TEST(PartitionReplication, AcksAllWithoutUncleanElectionStaysOfflineUntilALeaderReturns) {
  PartitionReplication p(ThreeReplicas(2, false), 0);
  RunFirstCheckHistory(p, Acks::kAll, ShutdownKind::kUnclean);
  p.BrokerDown(kA, ShutdownKind::kUnclean, 25 * kSecond);
  // B left the ISR when it fell below 2, so it is an eligible leader replica (KIP-966), as is
  // A, the last one standing; both are down and C is neither: nobody may lead.
  EXPECT_TRUE(p.eligible(kA));
  EXPECT_TRUE(p.eligible(kB));
  EXPECT_EQ(p.leader(), kNoLeader);
  EXPECT_EQ(p.Append(kC, Acks::kAll).error, ReplicationError::kNotLeader);

  // B crashed (an unclean shutdown), so on registering it leaves the ELR: still offline.
  p.BrokerUp(kB, 30 * kSecond);
  EXPECT_FALSE(p.eligible(kB));
  EXPECT_EQ(p.leader(), kNoLeader);

  // A, the last leader, comes back and leads again, with every acknowledged record.
  p.BrokerUp(kA, 40 * kSecond);
  EXPECT_EQ(p.leader(), static_cast<int>(kA));
  EXPECT_EQ(p.elections().back().kind, ElectionKind::kLastKnownLeader);
  EXPECT_EQ(p.acknowledged_lost(), 0);
}

TEST(PartitionReplication, AcksAllWithoutUncleanElectionReturnsWithAnEligibleReplica) {
  PartitionReplication p(ThreeReplicas(2, false), 0);
  RunFirstCheckHistory(p, Acks::kAll, ShutdownKind::kClean);
  p.BrokerDown(kA, ShutdownKind::kUnclean, 25 * kSecond);
  EXPECT_EQ(p.leader(), kNoLeader);

  // B was shut down cleanly, so it stays in the ELR and leads when it returns. It holds 0-4,
  // every acknowledged record, so nothing acknowledged is lost.
  p.BrokerUp(kB, 30 * kSecond);
  EXPECT_EQ(p.leader(), static_cast<int>(kB));
  EXPECT_EQ(p.elections().back().kind, ElectionKind::kEligible);
  EXPECT_EQ(p.acknowledged_lost(), 0);

  // A returns: its never-acknowledged 5-9 are cut, it rejoins the ISR at the watermark (5),
  // and with the ISR back at 2 the ELR empties.
  p.BrokerUp(kA, 31 * kSecond);
  Replicate(p, kA, 31 * kSecond);
  Replicate(p, kA, 31 * kSecond);
  EXPECT_EQ(p.log_end(kA), 5);
  EXPECT_TRUE(p.in_sync(kA));
  EXPECT_FALSE(p.eligible(kA));
  EXPECT_FALSE(p.eligible(kB));
}

TEST(PartitionReplication, AcksOneWithoutUncleanElectionWaitsForTheOldLeader) {
  PartitionReplication p(ThreeReplicas(1, false), 0);
  RunFirstCheckHistory(p, Acks::kLeader, ShutdownKind::kClean);
  p.BrokerDown(kA, ShutdownKind::kUnclean, 25 * kSecond);
  // With min ISR 1, B left an ISR that was still large enough, so it is not eligible even
  // after a clean shutdown: it may lack records acknowledged after it left.
  p.BrokerUp(kB, 30 * kSecond);
  EXPECT_EQ(p.leader(), kNoLeader);
  p.BrokerUp(kA, 40 * kSecond);
  EXPECT_EQ(p.leader(), static_cast<int>(kA));
  EXPECT_EQ(p.acknowledged_lost(), 0);
}

TEST(PartitionReplication, HighWatermarkIsTheSlowestInSyncLogEnd) {
  PartitionReplication p(ThreeReplicas(1, false), 0);
  AppendMany(p, 4, Acks::kLeader);
  Replicate(p, kB, kSecond);         // B copies 0-3; the leader knows only B's fetch at 0
  Replicate(p, kB, kSecond);         // now it knows B holds 0-3
  EXPECT_EQ(p.high_watermark(), 0);  // C, in sync, has fetched nothing
  Replicate(p, kC, kSecond);
  Replicate(p, kC, kSecond);
  EXPECT_EQ(p.high_watermark(), 4);
}

TEST(PartitionReplication, AcksAllIsAcknowledgedWhenEveryInSyncReplicaHasIt) {
  PartitionReplication p(ThreeReplicas(2, false), 0);
  const AppendResult append = p.Append(kA, Acks::kAll);
  ASSERT_EQ(append.error, ReplicationError::kNone);
  Replicate(p, kB, kSecond);
  Replicate(p, kB, kSecond);
  EXPECT_TRUE(p.TakeAckOutcomes().empty());  // C is in sync and does not have it yet
  Replicate(p, kC, kSecond);
  Replicate(p, kC, kSecond);
  const std::vector<AckOutcome> settled = p.TakeAckOutcomes();
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].record, append.record);
  EXPECT_EQ(settled[0].error, ReplicationError::kNone);
}

TEST(PartitionReplication, DroppingALaggingFollowerLetsAcksAllComplete) {
  PartitionReplication p(ThreeReplicas(2, false), 0);
  ASSERT_EQ(p.Append(kA, Acks::kAll).error, ReplicationError::kNone);
  Replicate(p, kB, kSecond);
  Replicate(p, kB, 9 * kSecond);          // B caught up at 9s; C never fetched (caught up at 0)
  p.ExpireLaggingReplicas(10 * kSecond);  // C: 10s behind, not more than the limit
  EXPECT_TRUE(p.in_sync(kC));
  EXPECT_EQ(p.NextLagExpiry(), 10 * kSecond + 1);
  p.ExpireLaggingReplicas(10 * kSecond + 1);
  EXPECT_FALSE(p.in_sync(kC));
  // {A, B} is still min ISR: the watermark moves to B's 1 and the append is acknowledged.
  EXPECT_EQ(p.high_watermark(), 1);
  EXPECT_EQ(p.TakeAckOutcomes().size(), 1u);
}

TEST(PartitionReplication, AcksAllIsRefusedWhenTheIsrIsBelowMinimum) {
  PartitionReplication p(ThreeReplicas(2, false), 0);
  p.BrokerDown(kB, ShutdownKind::kUnclean, kSecond);
  EXPECT_EQ(p.Append(kA, Acks::kAll).error, ReplicationError::kNone);  // {A, C}: 2
  p.BrokerDown(kC, ShutdownKind::kUnclean, kSecond);
  EXPECT_EQ(p.Append(kA, Acks::kAll).error, ReplicationError::kNotEnoughReplicas);  // {A}
  EXPECT_EQ(p.Append(kA, Acks::kLeader).error, ReplicationError::kNone);
  EXPECT_EQ(p.log_end(kA), 2);  // the refused append left no record
}

TEST(PartitionReplication, WatermarkStaysFrozenWhileTheIsrIsBelowMinimum) {
  // KIP-966's strict min ISR: even acks=1 records stay invisible to consumers.
  PartitionReplication p(ThreeReplicas(2, false), 0);
  p.BrokerDown(kB, ShutdownKind::kUnclean, kSecond);
  p.BrokerDown(kC, ShutdownKind::kUnclean, kSecond);
  AppendMany(p, 3, Acks::kLeader);
  EXPECT_EQ(p.high_watermark(), 0);
}

TEST(PartitionReplication, OnlyTheLeaderTakesAppends) {
  PartitionReplication p(ThreeReplicas(1, false), 0);
  EXPECT_EQ(p.Append(kB, Acks::kLeader).error, ReplicationError::kNotLeader);
}

TEST(PartitionReplication, AFollowerOneFetchBehindAStreamStaysInSync) {
  // A record every 100 ms, and B fetches 50 ms after each append, so each fetch reaches the
  // leader's log end as of B's previous fetch, though never the current one. Kafka counts that
  // as caught up, so B stays in sync through 60 s with a 10 s limit.
  PartitionReplication p(ThreeReplicas(1, false), 0);
  for (sim::Time t = 0; t < 60 * kSecond; t += 100 * kMillisecond) {
    ASSERT_EQ(p.Append(kA, Acks::kLeader).error, ReplicationError::kNone);
    Replicate(p, kB, t + 50 * kMillisecond);  // fetches at the old log end, copies the new
    p.ExpireLaggingReplicas(t + 99 * kMillisecond);
  }
  EXPECT_TRUE(p.in_sync(kB));
  EXPECT_FALSE(p.in_sync(kC));  // C never fetched
}

TEST(PartitionReplication, ALaggingFollowerRejoinsOnceItReachesTheWatermark) {
  PartitionReplication p(ThreeReplicas(1, false), 0);
  AppendMany(p, 3, Acks::kLeader);
  p.ExpireLaggingReplicas(11 * kSecond);  // neither follower fetched: both leave
  EXPECT_EQ(p.high_watermark(), 3);       // the leader alone is the ISR
  Replicate(p, kB, 12 * kSecond);         // B fetched at 0: below the watermark, still out
  EXPECT_FALSE(p.in_sync(kB));
  Replicate(p, kB, 12 * kSecond);  // B fetched at 3: it holds everything below the watermark
  EXPECT_TRUE(p.in_sync(kB));
}

TEST(PartitionReplication, CleanElectionFromTheIsrKeepsEveryAcknowledgedRecord) {
  PartitionReplication p(ThreeReplicas(2, false), 0);
  AppendMany(p, 3, Acks::kAll);
  for (std::uint32_t follower : {kB, kC}) {
    Replicate(p, follower, kSecond);
    Replicate(p, follower, kSecond);
  }
  EXPECT_EQ(p.TakeAckOutcomes().size(), 3u);
  p.BrokerDown(kA, ShutdownKind::kUnclean, 2 * kSecond);
  // B comes first in placement order among the in-sync survivors.
  EXPECT_EQ(p.leader(), static_cast<int>(kB));
  EXPECT_EQ(p.leader_epoch(), 1);
  EXPECT_EQ(p.elections().back().kind, ElectionKind::kInSync);
  EXPECT_EQ(p.acknowledged_lost(), 0);
}

// Three leaders in turn leave three versions of offset 1 (KIP-279's case):
//   epoch 0, A: a0 a1          B copies a0, C copies a0 a1; then C and A crash.
//   epoch 1, B (clean): a0 b1  A returns, cuts a1, copies b1; then A and B crash.
//   epoch 2, C (unclean, the only live one): a0 a1 c2
// A returns holding a0 b1, the last of epoch 1, which C never had.
void RunThreeEpochHistory(PartitionReplication& p) {
  ASSERT_EQ(p.Append(kA, Acks::kLeader).offset, 0);
  Replicate(p, kB, kSecond);
  Replicate(p, kC, kSecond);
  ASSERT_EQ(p.Append(kA, Acks::kLeader).offset, 1);
  Replicate(p, kC, kSecond);
  p.BrokerDown(kC, ShutdownKind::kUnclean, 2 * kSecond);
  p.BrokerDown(kA, ShutdownKind::kUnclean, 2 * kSecond);
  ASSERT_EQ(p.leader(), static_cast<int>(kB));
  ASSERT_EQ(p.Append(kB, Acks::kLeader).offset, 1);
  p.BrokerUp(kA, 3 * kSecond);
  Replicate(p, kA, 3 * kSecond);  // diverges at epoch 0's end in B's log: cut to 1
  Replicate(p, kA, 3 * kSecond);  // copies b1
  ASSERT_EQ(p.log(kA), p.log(kB));
  p.BrokerDown(kA, ShutdownKind::kUnclean, 4 * kSecond);
  p.BrokerDown(kB, ShutdownKind::kUnclean, 4 * kSecond);
  p.BrokerUp(kC, 5 * kSecond);
  ASSERT_EQ(p.leader(), static_cast<int>(kC));
  ASSERT_EQ(p.Append(kC, Acks::kLeader).offset, 2);
  p.BrokerUp(kA, 6 * kSecond);
}

TEST(PartitionReplication, TruncationFindsTheDivergenceAcrossSeveralEpochs) {
  PartitionReplication p(ThreeReplicas(1, true), 0);
  RunThreeEpochHistory(p);
  // A asks with last epoch 1 at offset 2. C has no epoch 1: its largest at or below is 0,
  // which ends at 2 in C's log; A's own epoch 0 ends at 1, so A cuts to 1 (dropping b1), not
  // to 2, which would keep b1 where C has a1.
  Replicate(p, kA, 6 * kSecond);
  EXPECT_EQ(p.log_end(kA), 1);
  Replicate(p, kA, 6 * kSecond);
  EXPECT_EQ(p.log(kA), p.log(kC));
}

TEST(PartitionReplication, AReplicaDownThroughALossBringsTheLostRecordBack) {
  PartitionReplication p(ThreeReplicas(1, true), 0);
  RunThreeEpochHistory(p);
  // Epoch 1 lost a1 (acknowledged by A, missing from B); epoch 2's C still holds a1, so it is
  // back, and b1 (acknowledged by B, missing from C) is lost instead: one lost in all.
  ASSERT_EQ(p.elections().size(), 2u);
  EXPECT_EQ(p.elections()[0].lost_acknowledged, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(p.elections()[1].lost_acknowledged, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(p.acknowledged_lost(), 1);
}

TEST(PartitionReplication, ADuplicatedFetchReplyIsAppliedOnce) {
  PartitionReplication p(ThreeReplicas(1, false), 0);
  AppendMany(p, 2, Acks::kLeader);
  const FetchRequest request = p.NextFetch(kB);
  const FetchReply reply = p.Fetch(kB, request, kSecond);
  p.ApplyFetch(kB, request, reply);
  p.ApplyFetch(kB, request, reply);
  EXPECT_EQ(p.log(kB), p.log(kA));
}

}  // namespace
}  // namespace deliverysim::models
