// One instance of a consumer group: a poll loop that fetches records from the partitions the
// coordinator assigned it, hands them one at a time to a handler whose side effect takes a
// sampled processing time, and commits offsets as its strategy says.
//
// The strategies (CommitStrategy), in the order of their steps:
//   before-processing   poll; commit the batch's end (waiting for the reply); process the batch.
//   after-processing    poll; process the batch; commit its end (waiting for the reply).
//   inbox               as after-processing, but an effect whose id is in the group's inbox is
//                       skipped, and recording the id commits with the effect.
//   auto-commit-on-poll each poll first commits, without waiting, the positions reached by the
//                       previous poll once auto_commit_interval has passed since the last one
//                       (the Java client's enable.auto.commit).
//   auto-commit-timer   a timer commits every auto_commit_interval, without waiting, the offset
//                       after the last record handed to the handler (librdkafka's default
//                       enable.auto.commit with enable.auto.offset.store).
//
// A new assignment is applied at the next poll, as clients apply rebalances inside poll();
// records already returned by a poll are processed even if their partition moved meanwhile,
// and a commit for a partition the instance no longer owns is refused. A partition that stays
// with its owner keeps its position; a newly assigned one starts at the group's committed
// offset, or by auto_offset_reset when there is none.
//
// TODO: no commit on revocation (onPartitionsRevoked) and no eager stop-the-world rebalance;
// work done since the last commit on a partition that moves away is redone by the new owner,
// so rebalances add duplicates that a Kafka client committing on revocation would not have.
//
// A record whose schema version the group's code cannot read (SchemaRegistry) is dead-lettered
// as it is handed over and never processed; in a group that keeps entity state, each effect
// offers its event to the group's EntityStateTable.
//
// Every request has a timeout (request_timeout) after which it is sent again, so a lossy link
// slows the loop down but never stops it. A join is repeated until an assignment arrives, and
// each fetch carries the instance's generation so that a lost assignment is sent again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/entity_state_table.h"
#include "models/group_metrics.h"
#include "models/inbox.h"
#include "models/log_broker.h"
#include "models/network.h"
#include "models/producer.h"
#include "models/scenario.h"
#include "models/schema_registry.h"
#include "models/service.h"
#include "sim/engine.h"
#include "sim/random.h"
#include "sim/trace.h"

namespace deliverysim::models {

class ConsumerInstance : public sim::Component, public Producer::TransactionListener {
 public:
  static constexpr std::uint32_t kProcessed = 1;           // arg: incarnation
  static constexpr std::uint32_t kRequestTimeout = 2;      // arg: incarnation
  static constexpr std::uint32_t kAutoCommitTick = 3;      // arg: incarnation
  static constexpr std::uint32_t kRestart = 4;             // arg: incarnation that crashed
  static constexpr std::uint32_t kMidProcessingCrash = 5;  // arg: incarnation

  // `inbox` is the group's inbox table, shared by its instances; null unless commit is inbox.
  ConsumerInstance(sim::Engine& engine, Network& network, const LogBroker& broker,
                   const ConsumerGroupConfig& config, std::uint32_t group, std::uint32_t member,
                   std::uint32_t topic, GroupMetrics& metrics, Inbox* inbox, std::uint64_t seed,
                   sim::TraceSink* trace);

  // Opens the link to the broker.
  void Start(sim::ComponentId self, sim::ComponentId broker);

  // The producer client that forwards each processed record to the group's produce_to topic;
  // it crashes and restarts with the instance.
  void SetOutput(Producer* output) { output_ = output; }
  // Makes the instance a service's: each effect runs the service's rules, which publish
  // through the output producer client. REQUIRES: SetOutput was called.
  void SetService(Service* service) { service_ = service; }
  // The group's schema registry (every group has one) and, for a group that keeps entity state,
  // its entity table; both shared by the group's instances and outliving the instance.
  void SetEventHandling(const SchemaRegistry* schemas, EntityStateTable* entities) {
    schemas_ = schemas;
    entities_ = entities;
  }
  void OnTransactionEnded(bool committed) override;

  // Starts the instance, which joins its group: at time 0, or later for a scale-out.
  void JoinGroup();

  // Leaves the group on purpose: finishes the batch in hand and its commit, commits the
  // positions reached when the strategy auto-commits (as a client's close() does), tells the
  // coordinator, and stops; joins again after `rejoin_after` (kForever: never).
  void Leave(sim::Time rejoin_after);

  // Crashes now, losing everything in memory; restarts after `restart_after` (kForever:
  // never). The coordinator notices after the session timeout, when heartbeats would stop.
  void Crash(sim::Time restart_after);

  // Arms a crash that strikes the first time the instance reaches `step` at or after
  // `not_before`. kBetweenEffectAndCommit resolves to the step that splits this strategy's
  // effects from their commit.
  void ArmCrash(CrashStep step, sim::Time not_before, sim::Time restart_after);
  // Cancels every armed crash, and a mid-processing one already scheduled.
  void DisarmCrashes() {
    armed_.clear();
    crashes_disarmed_ = true;
  }

  void OnEvent(const sim::Event& event) override;

  const std::string& name() const { return name_; }

 private:
  enum class Phase { kDown, kWaitingForAssignment, kFetching, kCommitting, kProcessing };
  enum class AfterCommit { kProcessBatch, kPoll };
  enum class CommitOutcome { kCrashed, kNothingToCommit, kSent };

  struct PartitionState {
    bool owned = false;
    std::int64_t position = 0;       // next offset to fetch
    std::int64_t stored = 0;         // auto-commit-timer: after the last record handed over
    std::int64_t acked_commit = -1;  // the last commit of it known to be accepted
    std::uint32_t owner_epoch = 0;   // of the assignment that gave it
    std::int64_t rewind_to = 0;      // transactional: where to resume if a transaction aborts
  };
  struct BatchItem {
    std::uint32_t partition;
    std::int64_t offset;
  };
  struct ArmedCrash {
    CrashStep step;
    sim::Time not_before;
    sim::Time restart_after;
  };

  void OnPacket(const Packet& packet);
  void OnAssignment(const Packet& packet);
  void OnFetchResponse(const Packet& packet);
  void OnCommitResponse(const Packet& packet);
  void OnRequestTimeout(std::uint64_t incarnation);
  // Arms the timeout of the request just sent; one pending timer serves every request.
  void StartRequestTimer();
  void OnAutoCommitTick(std::uint64_t incarnation);
  void OnProcessed(std::uint64_t incarnation);
  void Restart(std::uint64_t crashed_incarnation);
  // Applies auto_offset_reset to a partition whose position retention deleted; false when the
  // policy is none and the instance stopped.
  bool ResetOffset(const PartitionRange& range);
  // Stops the instance on an error the application cannot handle.
  void Fail(std::uint32_t partition, const std::string& reason);

  void SendJoin();
  void LeaveNow();
  // Forgets everything in memory and stops; the next incarnation starts afresh.
  void GoDown();
  void Poll();
  // Applies the pending assignment; false when the instance stopped on an offset error.
  bool ApplyAssignment();
  void ProcessNext();
  bool HiddenFromApplication(const Record& record) const;
  // Counts and traces the hand-over of the batch's current record to the handler.
  void HandOver(const BatchItem& item, const Record& record);
  // A record whose schema version the group's code cannot read goes to the group's dead-letter
  // queue unprocessed; true when `record` was one.
  bool DeadLetterIfUnreadable(const BatchItem& item, const Record& record);
  void EndBatch();
  // Consume-transform-produce: commits the batch's outputs and input offsets together.
  void CommitTransaction();
  CommitOutcome Commit(bool wait_for_reply, AfterCommit after);
  bool MaybeCrashAt(CrashStep step);
  // Removes and returns the first armed crash for `step` that may strike now, if any.
  std::optional<ArmedCrash> TakeArmedCrash(CrashStep step);
  void TraceCrashStep(CrashStep step);
  std::uint32_t NewRequest(PacketType type);

  sim::Engine& engine_;
  Network& network_;
  const LogBroker& broker_;
  const ConsumerGroupConfig& config_;
  std::uint32_t group_;
  std::uint32_t member_;
  std::uint32_t topic_;
  GroupMetrics& metrics_;
  Inbox* inbox_;
  Producer* output_ = nullptr;
  Service* service_ = nullptr;
  const SchemaRegistry* schemas_ = nullptr;
  EntityStateTable* entities_ = nullptr;
  std::vector<PartitionRange> transaction_offsets_;  // sent with the transaction in progress
  sim::TraceSink* trace_;
  std::string name_;
  sim::RandomStream random_;
  sim::ComponentId self_ = 0;
  sim::ComponentId broker_id_ = 0;
  LinkId link_ = 0;

  bool alive_ = false;
  bool leaving_ = false;
  sim::Time rejoin_after_ = sim::kForever;
  std::uint64_t incarnation_ = 0;
  Phase phase_ = Phase::kDown;
  std::vector<PartitionState> partitions_;
  bool has_pending_assignment_ = false;
  std::vector<PartitionRange> pending_assignment_;
  std::uint32_t generation_seen_ = 0;
  std::vector<BatchItem> batch_;
  std::size_t next_item_ = 0;
  std::uint64_t request_serial_ = 0;
  std::uint64_t awaited_ = 0;  // the serial of the fetch or commit the loop waits for; 0: none
  AfterCommit after_commit_ = AfterCommit::kPoll;
  sim::Time request_deadline_ = 0;  // of the awaited request
  bool request_timer_pending_ = false;
  std::vector<std::uint32_t> committing_partitions_;  // of the awaited commit
  sim::Time next_auto_commit_ = 0;
  std::vector<ArmedCrash> armed_;
  bool crashes_disarmed_ = false;
  sim::Time mid_processing_restart_after_ = 0;  // of the mid-processing crash scheduled
};

}  // namespace deliverysim::models
