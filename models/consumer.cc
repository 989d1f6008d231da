#include "models/consumer.h"

#include <algorithm>
#include <cassert>

namespace deliverysim::models {

namespace {
using sim::TraceField;

// "billing-1 stopped at 12345 ms: partition 2: ..."; whole milliseconds, so the text never
// depends on how a platform prints a double.
std::string ErrorText(const std::string& instance, sim::Time at, std::uint32_t partition,
                      const std::string& reason) {
  return instance + " stopped at " + std::to_string(at / sim::kMillisecond) + " ms: partition " +
         std::to_string(partition) + ": " + reason;
}

bool CommitsBeforeEffects(CommitStrategy strategy) {
  return strategy == CommitStrategy::kBeforeProcessing ||
         strategy == CommitStrategy::kAutoCommitTimer;
}
}  // namespace

ConsumerInstance::ConsumerInstance(sim::Engine& engine, Network& network, const LogBroker& broker,
                                   const ConsumerGroupConfig& config, std::uint32_t group,
                                   std::uint32_t member, std::uint32_t topic, GroupMetrics& metrics,
                                   Inbox* inbox, std::uint64_t seed, sim::TraceSink* trace)
    : engine_(engine),
      network_(network),
      broker_(broker),
      config_(config),
      group_(group),
      member_(member),
      topic_(topic),
      metrics_(metrics),
      inbox_(inbox),
      trace_(trace),
      name_(InstanceName(config.group, member)),
      random_(sim::RandomStream::ForComponent(seed, "consumer:" + name_)),
      partitions_(broker.partitions(topic)) {}

void ConsumerInstance::Start(sim::ComponentId self, sim::ComponentId broker) {
  self_ = self;
  broker_id_ = broker;
  link_ = network_.Connect(name_, "broker", broker);
}

void ConsumerInstance::Leave(sim::Time rejoin_after) {
  if (!alive_ || leaving_) return;
  leaving_ = true;
  rejoin_after_ = rejoin_after;
  // Between polls there is nothing to finish; otherwise the next poll leaves.
  if (phase_ == Phase::kWaitingForAssignment || phase_ == Phase::kFetching) LeaveNow();
}

void ConsumerInstance::LeaveNow() {
  const bool auto_commits = config_.commit == CommitStrategy::kAutoCommitOnPoll ||
                            config_.commit == CommitStrategy::kAutoCommitTimer;
  if (auto_commits && Commit(false, AfterCommit::kPoll) == CommitOutcome::kCrashed) return;
  const std::uint32_t slot = NewRequest(PacketType::kLeaveGroup);
  network_.Send(link_, slot);
  if (trace_) trace_->Record(engine_.now(), "leave", {TraceField::Text("component", name_)});
  GoDown();
  if (rejoin_after_ != sim::kForever) {
    engine_.ScheduleAfter(rejoin_after_, self_, kRestart, incarnation_);
  }
}

void ConsumerInstance::OnEvent(const sim::Event& event) {
  switch (event.kind) {
    case kPacketArrived: {
      const auto slot = static_cast<std::uint32_t>(event.arg);
      OnPacket(network_.packet(slot));
      network_.Release(slot);
      break;
    }
    case kProcessed: OnProcessed(event.arg); break;
    case kRequestTimeout: OnRequestTimeout(event.arg); break;
    case kAutoCommitTick: OnAutoCommitTick(event.arg); break;
    case kRestart: Restart(event.arg); break;
    case kMidProcessingCrash:
      // Disarming at the drain also stops a crash already on its way.
      if (alive_ && event.arg == incarnation_ && !crashes_disarmed_) {
        TraceCrashStep(CrashStep::kMidProcessing);
        Crash(mid_processing_restart_after_);
      }
      break;
    default: assert(false && "unknown consumer event");
  }
}

void ConsumerInstance::OnPacket(const Packet& packet) {
  // Replies addressed to an earlier incarnation were meant for a process that is gone.
  if (!alive_ || packet.incarnation != incarnation_) return;
  switch (packet.type) {
    case PacketType::kAssignment: OnAssignment(packet); break;
    case PacketType::kFetchResponse: OnFetchResponse(packet); break;
    case PacketType::kCommitResponse: OnCommitResponse(packet); break;
    default: assert(false && "a consumer receives only replies");
  }
}

std::uint32_t ConsumerInstance::NewRequest(PacketType type) {
  const std::uint32_t slot = network_.NewPacket();
  Packet& packet = network_.packet(slot);
  packet.type = type;
  packet.sender = self_;
  packet.topic = topic_;
  packet.group = group_;
  packet.member = member_;
  packet.incarnation = incarnation_;
  packet.correlation = ++request_serial_;
  return slot;
}

void ConsumerInstance::SendJoin() {
  phase_ = Phase::kWaitingForAssignment;
  const std::uint32_t slot = NewRequest(PacketType::kJoinGroup);
  awaited_ = network_.packet(slot).correlation;
  network_.Send(link_, slot);
  StartRequestTimer();
}

void ConsumerInstance::OnAssignment(const Packet& packet) {
  // Duplicated or stale assignments carry a generation already seen.
  if (packet.generation <= generation_seen_) return;
  generation_seen_ = packet.generation;
  pending_assignment_ = packet.ranges;
  has_pending_assignment_ = true;
  if (phase_ == Phase::kWaitingForAssignment) {
    awaited_ = 0;
    Poll();
  }
}

bool ConsumerInstance::ApplyAssignment() {
  has_pending_assignment_ = false;
  std::vector<bool> keep(partitions_.size(), false);
  for (const PartitionRange& assigned : pending_assignment_) {
    keep[assigned.partition] = true;
    PartitionState& state = partitions_[assigned.partition];
    // A partition that stayed keeps its position. One that left and came back while this
    // instance missed an assignment has a new epoch: someone else read it meanwhile.
    if (state.owned && state.owner_epoch == assigned.owner_epoch) continue;
    // assigned.offset is the committed offset (-1: none), assigned.log_start and .end the log's
    // first and next offsets.
    std::int64_t start = assigned.offset;
    if (start < 0) {
      if (config_.auto_offset_reset == OffsetReset::kNone) {
        Fail(assigned.partition, "no committed offset and auto_offset_reset is none");
        return false;
      }
      start =
          config_.auto_offset_reset == OffsetReset::kEarliest ? assigned.log_start : assigned.end;
    }
    state = PartitionState{true, start, start, assigned.offset, assigned.owner_epoch, start};
  }
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    if (!keep[p]) partitions_[p].owned = false;
  }
  if (trace_) {
    trace_->Record(
        engine_.now(), "assigned",
        {TraceField::Text("component", name_), TraceField::Number("generation", generation_seen_),
         TraceField::Number("partitions", static_cast<std::int64_t>(pending_assignment_.size()))});
  }
  return true;
}

void ConsumerInstance::Poll() {
  if (leaving_) {
    LeaveNow();
    return;
  }
  if (has_pending_assignment_ && !ApplyAssignment()) return;
  if (config_.commit == CommitStrategy::kAutoCommitOnPoll && engine_.now() >= next_auto_commit_) {
    next_auto_commit_ = engine_.now() + config_.auto_commit_interval;
    if (Commit(false, AfterCommit::kPoll) == CommitOutcome::kCrashed) return;
  }

  // A fetch doubles as the heartbeat: it carries the generation the instance works in, and
  // the coordinator answers a stale one with the current assignment. An instance that owns no
  // partition still sends one, with no ranges, and the broker holds it for fetch_max_wait.
  const std::uint32_t slot = NewRequest(PacketType::kFetch);
  Packet& fetch = network_.packet(slot);
  fetch.generation = generation_seen_;
  for (std::uint32_t p = 0; p < partitions_.size(); ++p) {
    if (partitions_[p].owned) fetch.ranges.push_back({p, partitions_[p].position, 0});
  }
  awaited_ = fetch.correlation;
  phase_ = Phase::kFetching;
  network_.Send(link_, slot);
  StartRequestTimer();
}

void ConsumerInstance::OnFetchResponse(const Packet& packet) {
  if (phase_ != Phase::kFetching || packet.correlation != awaited_) return;
  awaited_ = 0;
  // A rebalance arrived while the fetch was out: its records were never returned to the
  // application, so poll again under the new assignment.
  if (has_pending_assignment_) {
    Poll();
    return;
  }
  batch_.clear();
  next_item_ = 0;
  for (const PartitionRange& range : packet.ranges) {
    if (range.out_of_range) {
      if (!ResetOffset(range)) return;
      continue;
    }
    partitions_[range.partition].position = range.end;
    for (std::int64_t offset = range.offset; offset < range.end; ++offset) {
      batch_.push_back({range.partition, offset});
    }
  }
  if (batch_.empty()) {
    Poll();
    return;
  }
  if (config_.commit != CommitStrategy::kBeforeProcessing) {
    ProcessNext();
    return;
  }
  if (Commit(true, AfterCommit::kProcessBatch) == CommitOutcome::kNothingToCommit) ProcessNext();
}

bool ConsumerInstance::ResetOffset(const PartitionRange& range) {
  PartitionState& state = partitions_[range.partition];
  if (config_.auto_offset_reset == OffsetReset::kNone) {
    Fail(range.partition, "position " + std::to_string(state.position) +
                              " is below the log start " + std::to_string(range.offset) +
                              " and auto_offset_reset is none");
    return false;
  }
  const std::int64_t to =
      config_.auto_offset_reset == OffsetReset::kEarliest ? range.offset : range.end;
  if (trace_) {
    trace_->Record(
        engine_.now(), "offset-reset",
        {TraceField::Text("component", name_), TraceField::Number("partition", range.partition),
         TraceField::Number("from", state.position), TraceField::Number("to", to)});
  }
  state.position = to;
  state.stored = to;
  return true;
}

void ConsumerInstance::Fail(std::uint32_t partition, const std::string& reason) {
  // The client raises the error to the application, which stops; the coordinator notices
  // when the session times out, and hands the partition to another member.
  const std::string error = ErrorText(name_, engine_.now(), partition, reason);
  metrics_.RecordError(error);
  if (trace_) {
    trace_->Record(engine_.now(), "consumer-error",
                   {TraceField::Text("component", name_),
                    TraceField::Number("partition", partition), TraceField::Text("error", reason)});
  }
  Crash(sim::kForever);
}

bool ConsumerInstance::HiddenFromApplication(const Record& record) const {
  // Markers take offsets but are never returned by poll(); read_committed also drops the
  // records of aborted transactions, as the client does with the fetch's aborted list.
  if (record.kind != RecordKind::kData) return true;
  return config_.read_committed && record.transaction != 0 &&
         broker_.transaction_aborted(record.transaction);
}

void ConsumerInstance::ProcessNext() {
  for (;; ++next_item_) {
    while (next_item_ < batch_.size()) {
      const BatchItem item = batch_[next_item_];
      if (!HiddenFromApplication(broker_.record(topic_, item.partition, item.offset))) break;
      ++next_item_;
    }
    if (next_item_ == batch_.size()) {
      EndBatch();
      return;
    }
    const BatchItem item = batch_[next_item_];
    const Record& record = broker_.record(topic_, item.partition, item.offset);
    HandOver(item, record);
    if (!DeadLetterIfUnreadable(item, record)) break;
  }
  if (MaybeCrashAt(CrashStep::kBeforeEffect)) return;
  phase_ = Phase::kProcessing;
  sim::Time processing = config_.processing.SampleTime(random_);
  if (service_) {
    const BatchItem item = batch_[next_item_];
    processing += service_->ExtraTime(broker_.record(topic_, item.partition, item.offset));
  }
  // The crash is scheduled first so that, with a processing time under 2 ns, it still comes
  // before the effect at the same instant.
  if (auto armed = TakeArmedCrash(CrashStep::kMidProcessing)) {
    mid_processing_restart_after_ = armed->restart_after;
    engine_.ScheduleAfter(processing / 2, self_, kMidProcessingCrash, incarnation_);
  }
  engine_.ScheduleAfter(processing, self_, kProcessed, incarnation_);
}

void ConsumerInstance::HandOver(const BatchItem& item, const Record& record) {
  metrics_.OnDelivery(record);
  if (trace_) {
    trace_->Record(
        engine_.now(), "deliver",
        {TraceField::Text("component", name_), TraceField::Number("partition", item.partition),
         TraceField::Number("offset", item.offset),
         TraceField::Number("producer", record.id.producer),
         TraceField::Number("message", record.id.number)});
  }
  if (config_.commit == CommitStrategy::kAutoCommitTimer) {
    partitions_[item.partition].stored = item.offset + 1;
  }
}

bool ConsumerInstance::DeadLetterIfUnreadable(const BatchItem& item, const Record& record) {
  if (schemas_ == nullptr) return false;
  const SchemaRead read = schemas_->Read(config_, record);
  if (read == SchemaRead::kAsOlderVersion) metrics_.OnReadAsOlderVersion(record.id);
  if (read != SchemaRead::kUnreadable) return false;
  // The dead-letter queue is a count: the write to it is assumed to succeed at once, as if a
  // recoverer published it to a DLQ topic within the poll loop.
  // TODO: no DLQ topic is written, so its lag, latency and a failed DLQ write are not modelled.
  metrics_.OnUnreadable(record.id);
  if (trace_) {
    trace_->Record(
        engine_.now(), "dead-letter-unreadable",
        {TraceField::Text("component", name_), TraceField::Number("partition", item.partition),
         TraceField::Number("offset", item.offset),
         TraceField::Number("producer", record.id.producer),
         TraceField::Number("message", record.id.number),
         TraceField::Number("schema_version", record.schema_version)});
  }
  return true;
}

void ConsumerInstance::OnProcessed(std::uint64_t incarnation) {
  if (!alive_ || incarnation != incarnation_) return;
  const BatchItem item = batch_[next_item_];
  // A copy: what a service publishes may grow the very log the record lives in.
  const Record record = broker_.record(topic_, item.partition, item.offset);
  const bool run_effect = inbox_ == nullptr || inbox_->RecordIfNew(record.id);
  if (run_effect) {
    metrics_.OnEffect(record, engine_.now());
    if (entities_ && record.key != kNoKey) entities_->Offer(record);
    if (output_ && !service_) output_->Forward(record);
  }
  if (trace_) {
    trace_->Record(
        engine_.now(), run_effect ? "effect" : "effect-skipped",
        {TraceField::Text("component", name_), TraceField::Number("partition", item.partition),
         TraceField::Number("offset", item.offset),
         TraceField::Number("producer", record.id.producer),
         TraceField::Number("message", record.id.number)});
  }
  if (!run_effect && service_) service_->Repeat(record, *output_);
  if (run_effect && service_) {
    // The effect and an outbox row commit together; a dual write publishes after the commit,
    // so a crash between the two loses what the service meant to publish.
    const bool outbox = service_->publish() == PublishMode::kOutbox;
    if (!outbox) {
      if (const auto armed = TakeArmedCrash(CrashStep::kAfterDatabaseCommit)) {
        // The effects commit (and what was to be published is traced as meant) before the
        // process dies.
        service_->Act(record, nullptr, engine_.now(), name_);
        TraceCrashStep(CrashStep::kAfterDatabaseCommit);
        Crash(armed->restart_after);
        return;
      }
    }
    service_->Act(record, output_, engine_.now());
    if (outbox && MaybeCrashAt(CrashStep::kAfterDatabaseCommit)) return;
  }
  ++next_item_;
  if (MaybeCrashAt(CrashStep::kAfterEffect)) return;
  ProcessNext();
}

void ConsumerInstance::EndBatch() {
  if (config_.commit == CommitStrategy::kTransactional) {
    CommitTransaction();
    return;
  }
  const bool commits_after = config_.commit == CommitStrategy::kAfterProcessing ||
                             config_.commit == CommitStrategy::kInbox;
  if (!commits_after) {
    Poll();
    return;
  }
  if (Commit(true, AfterCommit::kPoll) == CommitOutcome::kNothingToCommit) Poll();
}

void ConsumerInstance::CommitTransaction() {
  transaction_offsets_.clear();
  for (std::uint32_t p = 0; p < partitions_.size(); ++p) {
    const PartitionState& state = partitions_[p];
    if (state.owned && state.position != state.acked_commit) {
      transaction_offsets_.push_back({p, state.position, 0});
    }
  }
  if (MaybeCrashAt(CrashStep::kBeforeCommit)) return;
  if (!output_->CommitWithOffsets(group_, member_, incarnation_, transaction_offsets_)) {
    // Nothing was forwarded (the batch held only markers or skipped records): a plain
    // commit moves the offsets on.
    if (Commit(true, AfterCommit::kPoll) == CommitOutcome::kNothingToCommit) Poll();
    return;
  }
  // The producer's request timeout and retries carry the commit; the loop waits for it.
  phase_ = Phase::kCommitting;
  awaited_ = 0;
}

void ConsumerInstance::OnTransactionEnded(bool committed) {
  if (!alive_ || phase_ != Phase::kCommitting) return;
  for (const PartitionRange& range : transaction_offsets_) {
    PartitionState& state = partitions_[range.partition];
    if (committed) {
      state.acked_commit = state.rewind_to = range.offset;
    } else if (state.owned) {
      // Aborted: its outputs are void and its offsets were not stored, so the inputs must be
      // read again, as an application seeks back to the committed offsets after an abort.
      state.position = state.stored = state.rewind_to;
    }
  }
  if (trace_) {
    trace_->Record(
        engine_.now(), committed ? "offsets-in-transaction" : "transaction-rewind",
        {TraceField::Text("component", name_),
         TraceField::Number("partitions", static_cast<std::int64_t>(transaction_offsets_.size()))});
  }
  if (committed && MaybeCrashAt(CrashStep::kAfterCommit)) return;
  Poll();
}

ConsumerInstance::CommitOutcome ConsumerInstance::Commit(bool wait_for_reply, AfterCommit after) {
  const bool stored_offsets = config_.commit == CommitStrategy::kAutoCommitTimer;
  const std::uint32_t slot = NewRequest(PacketType::kCommit);
  Packet& commit = network_.packet(slot);
  for (std::uint32_t p = 0; p < partitions_.size(); ++p) {
    const PartitionState& state = partitions_[p];
    const std::int64_t offset = stored_offsets ? state.stored : state.position;
    if (state.owned && offset != state.acked_commit) commit.ranges.push_back({p, offset, 0});
  }
  if (commit.ranges.empty()) {
    network_.Release(slot);
    return CommitOutcome::kNothingToCommit;
  }
  if (MaybeCrashAt(CrashStep::kBeforeCommit)) {
    network_.Release(slot);
    return CommitOutcome::kCrashed;
  }
  if (wait_for_reply) {
    awaited_ = commit.correlation;
    after_commit_ = after;
    phase_ = Phase::kCommitting;
    committing_partitions_.clear();
    for (const PartitionRange& range : commit.ranges) {
      committing_partitions_.push_back(range.partition);
    }
    StartRequestTimer();
  }
  network_.Send(link_, slot);
  return CommitOutcome::kSent;
}

void ConsumerInstance::OnCommitResponse(const Packet& packet) {
  for (const PartitionRange& range : packet.ranges) {
    partitions_[range.partition].acked_commit = range.offset;
  }
  if (!packet.ranges.empty() && MaybeCrashAt(CrashStep::kAfterCommit)) return;
  if (phase_ != Phase::kCommitting || packet.correlation != awaited_) return;
  awaited_ = 0;
  if (after_commit_ == AfterCommit::kPoll) {
    Poll();
    return;
  }
  // At most once: records of a partition whose commit was refused belong to its new owner,
  // which starts from the old committed offset; processing them here could run them twice.
  // When an earlier send of this commit was accepted and only its reply was lost, the new owner
  // starts past them and they are lost instead, which at-most-once allows.
  for (std::uint32_t partition : committing_partitions_) {
    const bool accepted =
        std::any_of(packet.ranges.begin(), packet.ranges.end(),
                    [&](const PartitionRange& r) { return r.partition == partition; });
    if (accepted) continue;
    batch_.erase(std::remove_if(batch_.begin(), batch_.end(),
                                [&](const BatchItem& item) { return item.partition == partition; }),
                 batch_.end());
  }
  ProcessNext();
}

void ConsumerInstance::StartRequestTimer() {
  request_deadline_ = engine_.now() + config_.request_timeout;
  if (request_timer_pending_) return;  // it will find the new deadline when it fires
  request_timer_pending_ = true;
  engine_.Schedule(request_deadline_, self_, kRequestTimeout, incarnation_);
}

void ConsumerInstance::OnRequestTimeout(std::uint64_t incarnation) {
  if (!alive_ || incarnation != incarnation_) return;
  request_timer_pending_ = false;
  if (awaited_ == 0) return;  // answered in time, and nothing else is awaited
  if (engine_.now() < request_deadline_) {
    // A newer request is awaited; its deadline is later.
    request_timer_pending_ = true;
    engine_.Schedule(request_deadline_, self_, kRequestTimeout, incarnation_);
    return;
  }
  awaited_ = 0;
  if (phase_ == Phase::kWaitingForAssignment) {
    SendJoin();  // the join or its assignment was lost
  } else if (phase_ == Phase::kFetching) {
    Poll();
  } else if (phase_ == Phase::kCommitting &&
             Commit(true, after_commit_) == CommitOutcome::kNothingToCommit) {
    if (after_commit_ == AfterCommit::kProcessBatch) {
      ProcessNext();
    } else {
      Poll();
    }
  }
}

void ConsumerInstance::OnAutoCommitTick(std::uint64_t incarnation) {
  if (!alive_ || incarnation != incarnation_) return;
  if (Commit(false, AfterCommit::kPoll) == CommitOutcome::kCrashed) return;
  engine_.ScheduleAfter(config_.auto_commit_interval, self_, kAutoCommitTick, incarnation_);
}

void ConsumerInstance::ArmCrash(CrashStep step, sim::Time not_before, sim::Time restart_after) {
  if (step == CrashStep::kBetweenEffectAndCommit) {
    step = CommitsBeforeEffects(config_.commit) ? CrashStep::kAfterCommit : CrashStep::kAfterEffect;
  }
  armed_.push_back({step, not_before, restart_after});
}

std::optional<ConsumerInstance::ArmedCrash> ConsumerInstance::TakeArmedCrash(CrashStep step) {
  for (auto it = armed_.begin(); it != armed_.end(); ++it) {
    if (it->step != step || engine_.now() < it->not_before) continue;
    const ArmedCrash armed = *it;
    armed_.erase(it);
    return armed;
  }
  return std::nullopt;
}

bool ConsumerInstance::MaybeCrashAt(CrashStep step) {
  const auto armed = TakeArmedCrash(step);
  if (!armed) return false;
  TraceCrashStep(step);
  Crash(armed->restart_after);
  return true;
}

void ConsumerInstance::TraceCrashStep(CrashStep step) {
  if (!trace_) return;
  trace_->Record(
      engine_.now(), "crash-at-step",
      {TraceField::Text("component", name_), TraceField::Text("step", CrashStepName(step))});
}

void ConsumerInstance::Crash(sim::Time restart_after) {
  if (!alive_) return;
  if (trace_) trace_->Record(engine_.now(), "crash", {TraceField::Text("component", name_)});
  // TODO: heartbeats are not packets; the coordinator learns of the crash exactly one session
  // timeout later, so a lossy or slow link cannot make it expire a live member.
  engine_.ScheduleAfter(config_.session_timeout, broker_id_, LogBroker::kMemberExpired,
                        LogBroker::MemberExpiryArg(group_, member_, incarnation_));
  GoDown();
  if (output_) output_->Crash(restart_after);  // one process: the producer client dies too
  if (restart_after != sim::kForever) {
    engine_.ScheduleAfter(restart_after, self_, kRestart, incarnation_);
  }
}

void ConsumerInstance::GoDown() {
  alive_ = false;
  leaving_ = false;
  ++incarnation_;
  phase_ = Phase::kDown;
  awaited_ = 0;
  request_timer_pending_ = false;
  batch_.clear();
  has_pending_assignment_ = false;
  generation_seen_ = 0;
  for (PartitionState& state : partitions_) state = PartitionState{};
}

void ConsumerInstance::Restart(std::uint64_t crashed_incarnation) {
  if (alive_ || crashed_incarnation != incarnation_) return;
  if (trace_) trace_->Record(engine_.now(), "restart", {TraceField::Text("component", name_)});
  JoinGroup();
}

void ConsumerInstance::JoinGroup() {
  alive_ = true;
  next_auto_commit_ = engine_.now() + config_.auto_commit_interval;
  SendJoin();
  if (config_.commit == CommitStrategy::kAutoCommitTimer) {
    engine_.ScheduleAfter(config_.auto_commit_interval, self_, kAutoCommitTick, incarnation_);
  }
}

}  // namespace deliverysim::models
