#include "models/producer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "models/event_stamp.h"

namespace deliverysim::models {

namespace {
using sim::TraceField;

}  // namespace

Producer::Producer(sim::Engine& engine, Network& network, MessageLedger& ledger,
                   const ProducerConfig& config, std::uint32_t index, std::uint32_t topic,
                   std::uint32_t partitions, std::uint64_t seed, sim::TraceSink* trace)
    : engine_(engine),
      network_(network),
      ledger_(ledger),
      config_(config),
      index_(index),
      topic_(topic),
      partitions_(partitions),
      trace_(trace),
      random_(sim::RandomStream::ForComponent(seed, "producer:" + config.name)),
      next_sequence_(config.keys + 1, 0),
      waiting_(partitions),
      next_batch_sequence_(partitions, 0),
      marked_ready_(partitions, false),
      retry_policy_(config.retry),
      retry_random_(sim::RandomStream::ForComponent(seed, "producer-retry:" + config.name)) {
  if (config.keys > 0 && config.zipf_exponent > 0) zipf_.emplace(config.keys, config.zipf_exponent);
}

void Producer::Start(sim::ComponentId self, sim::ComponentId broker) {
  self_ = self;
  link_ = network_.Connect(config_.name, "broker", broker);
  for (const auto& [name, node] : nodes_)
    node_links_.push_back(network_.Connect(config_.name, name, node));
  in_flight_.resize(leaders_ ? nodes_.size() : 1);
  sticky_partition_ = static_cast<std::uint32_t>(random_.NextBelow(partitions_));
  if (!embedded_) ScheduleNextIntent();
  if (config_.publish == PublishMode::kOutbox) {
    engine_.ScheduleAfter(config_.relay_poll_interval, self_, kRelayPoll, incarnation_);
  }
  if (!config_.transactional_id.empty()) {
    txn_phase_ = TxnPhase::kInitializing;
    SendTransactional(PacketType::kInitProducer);
  }
}

void Producer::RouteToLeaders(const PartitionLeaders* leaders,
                              std::vector<std::pair<std::string, sim::ComponentId>> nodes) {
  leaders_ = leaders;
  nodes_ = std::move(nodes);
}

void Producer::Forward(const Record& record) {
  if (!alive_) return;
  if (txn_phase_ != TxnPhase::kOff) {
    AddToTransaction(record);
    return;
  }
  Append(record, ChoosePartition(record.key));
  Drain();
}

bool Producer::CommitWithOffsets(std::uint32_t group, std::uint32_t member,
                                 std::uint64_t incarnation, std::vector<PartitionRange> offsets) {
  if (txn_phase_ != TxnPhase::kOpen) return false;
  offsets_group_ = group;
  offsets_member_ = member;
  offsets_incarnation_ = incarnation;
  offsets_ = std::move(offsets);
  RequestCommit();
  return true;
}

void Producer::AddToTransaction(Record record) {
  if (txn_phase_ == TxnPhase::kInitializing || txn_phase_ == TxnPhase::kCommitting) {
    held_.push_back(record);
    return;
  }
  if (txn_phase_ == TxnPhase::kIdle) {
    ++txn_number_;
    txn_phase_ = TxnPhase::kOpen;
    txn_intents_ = txn_unsettled_ = 0;
    txn_failed_ = false;
  }
  record.transaction = TransactionId();
  ++txn_intents_;
  ++txn_unsettled_;
  Append(record, ChoosePartition(record.key));
  Drain();
  // An embedded client commits when its consumer instance says so.
  if (!embedded_ && txn_intents_ >= config_.transaction_records) RequestCommit();
}

void Producer::RequestCommit() {
  txn_phase_ = TxnPhase::kCommitting;
  // commitTransaction() flushes first: the request goes once every record was answered.
  if (txn_unsettled_ == 0) SendTransactional(PacketType::kEndTransaction);
}

void Producer::SettleTransactional(const Record& record, bool acknowledged) {
  if (record.transaction != TransactionId() || txn_unsettled_ == 0) return;
  --txn_unsettled_;
  if (!acknowledged) txn_failed_ = true;
  if (txn_phase_ == TxnPhase::kCommitting && txn_unsettled_ == 0) {
    SendTransactional(PacketType::kEndTransaction);
  }
}

void Producer::SendTransactional(PacketType type) {
  const std::uint32_t slot = network_.NewPacket();
  Packet& packet = network_.packet(slot);
  packet.type = type;
  packet.sender = self_;
  packet.incarnation = incarnation_;
  packet.record.id = MessageId{index_, 0};
  packet.record.transaction = TransactionId();
  packet.accepted = !txn_failed_;  // end requests: commit, or abort
  if (type == PacketType::kEndTransaction && embedded_) {
    // sendOffsetsToTransaction: the input offsets commit, or not, with the outputs.
    packet.group = offsets_group_;
    packet.member = offsets_member_;
    packet.member_incarnation = offsets_incarnation_;
    packet.ranges = offsets_;
  }
  packet.correlation = ++request_serial_;
  txn_awaited_ = packet.correlation;
  txn_deadline_ = engine_.now() + config_.request_timeout;
  network_.Send(link_, slot);
  if (!txn_timer_armed_) {
    txn_timer_armed_ = true;
    engine_.Schedule(txn_deadline_, self_, kTxnTimeout, incarnation_);
  }
}

void Producer::OnTxnTimeout(std::uint64_t incarnation) {
  if (!alive_ || incarnation != incarnation_) return;
  txn_timer_armed_ = false;
  if (txn_awaited_ == 0) return;
  if (engine_.now() < txn_deadline_) {
    txn_timer_armed_ = true;
    engine_.Schedule(txn_deadline_, self_, kTxnTimeout, incarnation_);
    return;
  }
  // The request or its reply was lost; both are safe to repeat.
  SendTransactional(txn_phase_ == TxnPhase::kInitializing ? PacketType::kInitProducer
                                                          : PacketType::kEndTransaction);
}

void Producer::OnTransactionalReply(const Packet& reply) {
  if (reply.correlation != txn_awaited_) return;  // a duplicate, or for an earlier request
  txn_awaited_ = 0;
  // TODO: a refused (fenced) init would mean a newer incarnation is running; the model never
  // has two alive, so this one simply goes on.
  const bool was_committing = txn_phase_ == TxnPhase::kCommitting;
  txn_phase_ = TxnPhase::kIdle;
  if (was_committing) {
    // `accepted`: the transaction committed. The broker aborts it instead when asked to, or
    // when the consumer whose offsets it carries no longer owns their partitions.
    if (trace_) {
      trace_->Record(
          engine_.now(), reply.accepted ? "transaction-committed" : "transaction-aborted",
          {TraceField::Text("component", config_.name), TraceField::Number("producer", index_),
           TraceField::Number("transaction", static_cast<std::int64_t>(TransactionId())),
           TraceField::Number("records", txn_intents_)});
    }
    if (listener_) listener_->OnTransactionEnded(reply.accepted);
  }
  while (!held_.empty() && txn_phase_ != TxnPhase::kCommitting) {
    const Record record = held_.front();
    held_.pop_front();
    AddToTransaction(record);
  }
  if (!producing_ && txn_phase_ == TxnPhase::kOpen) RequestCommit();
}

void Producer::ArmCrash(CrashStep step, sim::Time not_before, sim::Time restart_after) {
  armed_.push_back({step, not_before, restart_after});
}

bool Producer::MaybeCrashAt(CrashStep step) {
  for (auto it = armed_.begin(); it != armed_.end(); ++it) {
    if (it->step != step || engine_.now() < it->not_before) continue;
    const sim::Time restart_after = it->restart_after;
    armed_.erase(it);
    if (trace_) {
      trace_->Record(engine_.now(), "crash-at-step",
                     {TraceField::Text("component", config_.name),
                      TraceField::Text("step", CrashStepName(step))});
    }
    Crash(restart_after);
    return true;
  }
  return false;
}

void Producer::OnRelayPoll(std::uint64_t incarnation) {
  if (!alive_ || incarnation != incarnation_) return;
  engine_.ScheduleAfter(config_.relay_poll_interval, self_, kRelayPoll, incarnation_);
  if (outbox_.round_open() || outbox_.size() == 0) return;
  const std::vector<Record> rows = outbox_.StartRound(config_.relay_batch);
  if (trace_) {
    trace_->Record(engine_.now(), "relay-round",
                   {TraceField::Text("component", config_.name),
                    TraceField::Number("rows", static_cast<std::int64_t>(rows.size()))});
  }
  for (const Record& record : rows) Append(record, ChoosePartition(record.key));
  Drain();
}

void Producer::SettleOutboxRow(MessageId id, bool published) {
  if (published) {
    outbox_.Published(id);
  } else {
    outbox_.Failed(id);
  }
  if (!outbox_.round_settled()) return;
  if (MaybeCrashAt(CrashStep::kAfterPublish)) return;
  const std::size_t deleted = outbox_.DeletePublished();
  if (trace_) {
    trace_->Record(engine_.now(), "relay-delete",
                   {TraceField::Text("component", config_.name),
                    TraceField::Number("rows", static_cast<std::int64_t>(deleted))});
  }
}

void Producer::StopProducing() {
  producing_ = false;
  if (!alive_) return;
  // The application commits its last, partial transaction as it shuts down.
  if (txn_phase_ == TxnPhase::kOpen) RequestCommit();
  // Linger no longer holds anything back.
  for (std::uint32_t p = 0; p < partitions_; ++p) {
    if (!waiting_[p].empty()) MarkReady(p);
  }
  Drain();
}

void Producer::ScheduleNextIntent() {
  sim::Time next;
  if (config_.arrivals == Arrivals::kPoisson) {
    next = engine_.now() +
           sim::Distribution::Exponential(1e9 / config_.rate_per_second).SampleTime(random_);
  } else {
    // Intent k falls at origin + k / rate, rounded once, so rounding never accumulates.
    ++intents_since_origin_;
    next = schedule_origin_ +
           static_cast<sim::Time>(std::llround(static_cast<double>(intents_since_origin_) * 1e9 /
                                               config_.rate_per_second));
  }
  engine_.Schedule(std::max(next, engine_.now()), self_, kIntent, incarnation_);
}

void Producer::OnEvent(const sim::Event& event) {
  switch (event.kind) {
    case kPacketArrived: {
      const auto slot = static_cast<std::uint32_t>(event.arg);
      OnReply(network_.packet(slot));
      network_.Release(slot);
      break;
    }
    case kIntent: OnIntent(event.arg); break;
    case kTimeout: OnTimeoutTimer(event.arg); break;
    case kLingerDue:
      if (event.arg == incarnation_) OnDue(linger_due_, linger_timer_armed_, kLingerDue);
      break;
    case kRetryDue:
      if (event.arg == incarnation_) OnRetryDue();
      break;
    case kRestart: Restart(event.arg); break;
    case kRelayPoll: OnRelayPoll(event.arg); break;
    case kTxnTimeout: OnTxnTimeout(event.arg); break;
    default: assert(false && "unknown producer event");
  }
}

void Producer::OnIntent(std::uint64_t incarnation) {
  if (!alive_ || incarnation != incarnation_ || !producing_) return;

  Record record;
  record.id = ledger_.Intend(index_, engine_.now());
  record.intent_time = engine_.now();
  if (config_.starts_flow >= 0) record.flow = record.id.number;
  if (config_.keys > 0) {
    record.key = static_cast<std::uint32_t>(zipf_ ? zipf_->Sample(random_)
                                                  : random_.NextBelow(config_.keys));
    record.sequence = next_sequence_[record.key]++;
  } else {
    record.sequence = next_sequence_.back()++;
  }
  record.event_type = config_.event_script.empty() ? config_.event_type
                                                   : ScriptedEventType(config_, record.sequence);
  record.schema_version = SchemaVersionAt(config_, record.intent_time);
  if (config_.calls_instead) {
    ScheduleNextIntent();  // the flow's caller heard of the intent through the ledger
    return;
  }
  // An outbox row is safe once committed, which is now.
  if (acceptance_ && config_.publish == PublishMode::kOutbox) {
    acceptance_->OnAccepted(record, engine_.now());
  }
  if (PublishIntent(record)) ScheduleNextIntent();
}

void Producer::Publish(const Record& record) {
  if (alive_) PublishIntent(record);
}

bool Producer::PublishIntent(const Record& record) {
  // The outbox relay picks partitions when it publishes; otherwise they are picked now.
  const bool outbox = config_.publish == PublishMode::kOutbox;
  const std::uint32_t partition = outbox ? 0 : ChoosePartition(record.key);
  if (trace_) {
    trace_->Record(engine_.now(), "intent",
                   {TraceField::Text("component", config_.name),
                    TraceField::Number("producer", record.id.producer),
                    TraceField::Number("message", record.id.number),
                    TraceField::Number(
                        "key", record.key == kNoKey ? std::int64_t{-1} : std::int64_t{record.key}),
                    TraceField::Number("sequence", record.sequence),
                    TraceField::Number("partition", outbox ? -1 : partition)});
  }
  if (txn_phase_ != TxnPhase::kOff) {
    AddToTransaction(record);
    return true;
  }
  if (config_.publish == PublishMode::kDirect) {
    Append(record, partition);
    Drain();
    return true;
  }
  if (trace_) {
    trace_->Record(engine_.now(), "db-commit",
                   {TraceField::Text("component", config_.name),
                    TraceField::Number("producer", record.id.producer),
                    TraceField::Number("message", record.id.number)});
  }
  if (outbox) {
    outbox_.Insert(record);
    return true;
  }
  if (MaybeCrashAt(CrashStep::kAfterDatabaseCommit)) return false;  // the event is lost
  Append(record, partition);
  Drain();
  return true;
}

std::uint32_t Producer::ChoosePartition(std::uint32_t key) {
  // The key hash is the project's splitmix64 of the key number, not Kafka's murmur2 of the
  // key bytes: one key's messages still share a partition, but not the one Kafka would pick.
  const bool keyed = key != kNoKey;
  switch (config_.partitioner) {
    case Partitioner::kExplicit: return config_.explicit_partition;
    case Partitioner::kRoundRobin: return round_robin_++ % partitions_;
    case Partitioner::kDefault:
    case Partitioner::kKeyHash:
      if (keyed) return static_cast<std::uint32_t>(sim::Mix64(key) % partitions_);
      break;
    case Partitioner::kSticky: break;
  }
  // Sticky: stay on one partition while its batch fills; once that batch is closed (full or
  // sent), the next record picks another partition at random (Kafka 2.4+, KIP-480).
  const std::deque<std::uint32_t>& queue = waiting_[sticky_partition_];
  const bool open_batch = !queue.empty() && !batches_[queue.back()].closed;
  if (!open_batch && sticky_used_ && partitions_ > 1) {
    const auto other = static_cast<std::uint32_t>(random_.NextBelow(partitions_ - 1));
    sticky_partition_ = other >= sticky_partition_ ? other + 1 : other;
  }
  sticky_used_ = true;
  return sticky_partition_;
}

void Producer::Append(const Record& record, std::uint32_t partition) {
  std::deque<std::uint32_t>& queue = waiting_[partition];
  if (queue.empty() || batches_[queue.back()].closed) {
    const std::uint32_t slot = batches_.Acquire();
    Batch& batch = batches_[slot];
    batch.records.clear();
    batch.partition = partition;
    batch.serial = batch_serial_++;
    batch.base_sequence = -1;
    batch.epoch = epoch_;
    batch.created = engine_.now();
    batch.retry_at = 0;
    batch.last_delay = 0;
    batch.attempts = 0;
    batch.closed = false;
    queue.push_back(slot);
    if (config_.linger > 0) {
      AddDue(linger_due_, linger_timer_armed_, kLingerDue,
             {engine_.now() + config_.linger, partition});
    }
  }
  Batch& batch = batches_[queue.back()];
  batch.records.push_back(record);
  if (batch.records.size() >= config_.batch_size) batch.closed = true;
  // Behind a batch backing off, a publisher that republishes on its own may send this one.
  const bool front_or_free = queue.size() == 1 || RepublishesEachOnItsOwn();
  if (front_or_free && (batch.closed || config_.linger == 0)) MarkReady(partition);
}

void Producer::MarkReady(std::uint32_t partition) {
  if (marked_ready_[partition]) return;
  marked_ready_[partition] = true;
  ready_.push_back(partition);
}

void Producer::AddDue(std::deque<Due>& dues, bool& armed, std::uint32_t kind, Due due) {
  dues.push_back(due);
  if (!armed) {
    armed = true;
    engine_.Schedule(due.at, self_, kind, incarnation_);
  }
}

void Producer::OnDue(std::deque<Due>& dues, bool& armed, std::uint32_t kind) {
  armed = false;
  while (!dues.empty() && dues.front().at <= engine_.now()) {
    MarkReady(dues.front().partition);
    dues.pop_front();
  }
  if (!dues.empty()) {
    armed = true;
    engine_.Schedule(dues.front().at, self_, kind, incarnation_);
  }
  Drain();
}

void Producer::AddRetryDue(sim::Time at, std::uint32_t partition) {
  retry_due_.Push(at, partition);
  // A jittered or growing delay can fall before the armed timer: arm an earlier one, and let
  // the later one find it is no longer the armed one.
  if (!retry_timer_armed_ || at < retry_timer_at_) {
    retry_timer_armed_ = true;
    retry_timer_at_ = at;
    engine_.Schedule(at, self_, kRetryDue, incarnation_);
  }
}

void Producer::OnRetryDue() {
  if (!retry_timer_armed_ || engine_.now() != retry_timer_at_) return;  // replaced
  retry_timer_armed_ = false;
  while (!retry_due_.Empty() && retry_due_.Top().at <= engine_.now()) {
    MarkReady(retry_due_.Top().partition);
    retry_due_.Pop();
  }
  if (!retry_due_.Empty()) {
    retry_timer_armed_ = true;
    retry_timer_at_ = retry_due_.Top().at;
    engine_.Schedule(retry_timer_at_, self_, kRetryDue, incarnation_);
  }
  Drain();
}

bool Producer::EarlierInFlight(const Batch& batch) const {
  for (const std::deque<Request>& connection : in_flight_) {
    for (const Request& request : connection) {
      for (std::uint32_t slot : request.batches) {
        const Batch& other = batches_[slot];
        if (other.partition == batch.partition && other.serial < batch.serial) return true;
      }
    }
  }
  return false;
}

std::uint32_t Producer::ConnectionOf(std::uint32_t partition) const {
  return leaders_ ? leaders_->LeaderNode(topic_, partition) : 0;
}

bool Producer::HasRoom(std::uint32_t connection) const {
  return config_.acks == 0 || in_flight_[connection].size() < config_.max_in_flight;
}

bool Producer::Sendable(const Batch& batch) const {
  const sim::Time now = engine_.now();
  if (batch.retry_at > now) return false;
  if (!batch.closed && producing_ && batch.created + config_.linger > now) return false;
  // An idempotent retry must not overtake an earlier batch of its partition: the broker would
  // refuse it as a sequence gap.
  return !(config_.idempotence && batch.attempts > 0 && EarlierInFlight(batch));
}

std::deque<std::uint32_t>::iterator Producer::NextSendable(std::deque<std::uint32_t>& queue) {
  if (queue.empty() || Sendable(batches_[queue.front()])) return queue.begin();
  if (!RepublishesEachOnItsOwn()) return queue.end();
  return std::find_if(queue.begin(), queue.end(),
                      [&](std::uint32_t slot) { return Sendable(batches_[slot]); });
}

void Producer::Drain() {
  if (!alive_) return;
  auto any_room = [&] {
    for (std::uint32_t c = 0; c < in_flight_.size(); ++c) {
      if (HasRoom(c)) return true;
    }
    return false;
  };
  while (!ready_.empty() && any_room()) {
    // One request per connection takes the front batch of each marked partition it serves. A
    // partition whose front is not sendable yet drops its mark: the linger, backoff or reply
    // that changes that marks it again. One whose connection is full keeps it.
    std::vector<Request> requests(in_flight_.size());
    std::vector<std::uint32_t>& still_ready = still_ready_;
    still_ready.clear();
    for (std::size_t n = ready_.size(); n > 0; --n) {
      const std::uint32_t partition = ready_.front();
      ready_.pop_front();
      marked_ready_[partition] = false;
      std::deque<std::uint32_t>& queue = waiting_[partition];
      const auto next = NextSendable(queue);
      if (next == queue.end()) continue;
      const std::uint32_t connection = ConnectionOf(partition);
      if (!HasRoom(connection)) {
        still_ready.push_back(partition);
        continue;
      }
      requests[connection].batches.push_back(*next);
      queue.erase(next);
      if (NextSendable(queue) != queue.end()) still_ready.push_back(partition);
    }
    for (std::uint32_t partition : still_ready) MarkReady(partition);
    bool sent = false;
    for (std::uint32_t c = 0; c < requests.size(); ++c) {
      if (requests[c].batches.empty()) continue;
      requests[c].connection = c;
      SendRequest(std::move(requests[c]));
      sent = true;
    }
    if (!sent) break;
  }
}

std::uint64_t Producer::ProducerId() const {
  // Unique per producer, incarnation (a restarted client gets a new id) and epoch.
  return (std::uint64_t{index_} << 40) | ((incarnation_ & 0xfffff) << 20) | (epoch_ & 0xfffff);
}

void Producer::SendRequest(Request request) {
  const std::uint32_t packet_slot = network_.NewPacket();
  Packet& packet = network_.packet(packet_slot);
  packet.type = PacketType::kProduce;
  packet.sender = self_;
  packet.topic = topic_;
  packet.incarnation = incarnation_;
  packet.wants_reply = config_.acks != 0;
  packet.producer_id = ProducerId();
  packet.acks = config_.acks == 0 ? Acks::kNone : config_.acks == 1 ? Acks::kLeader : Acks::kAll;
  request.serial = ++request_serial_;
  packet.correlation = request.serial;
  for (std::uint32_t slot : request.batches) {
    Batch& batch = batches_[slot];
    batch.closed = true;
    ++batch.attempts;
    sends_ += batch.records.size();
    if (config_.idempotence && (batch.base_sequence < 0 || batch.epoch != epoch_)) {
      batch.epoch = epoch_;
      batch.base_sequence = next_batch_sequence_[batch.partition];
      next_batch_sequence_[batch.partition] += static_cast<std::int32_t>(batch.records.size());
    }
    packet.batches.push_back({batch.partition, static_cast<std::uint32_t>(packet.records.size()),
                              static_cast<std::uint32_t>(batch.records.size()),
                              config_.idempotence ? batch.base_sequence : -1});
    packet.records.insert(packet.records.end(), batch.records.begin(), batch.records.end());
    if (trace_) {
      for (const Record& record : batch.records) {
        trace_->Record(engine_.now(), "send",
                       {TraceField::Text("component", config_.name),
                        TraceField::Number("producer", record.id.producer),
                        TraceField::Number("message", record.id.number),
                        TraceField::Number("attempt", batch.attempts),
                        TraceField::Number("partition", batch.partition),
                        TraceField::Number("batch", static_cast<std::int64_t>(batch.serial)),
                        TraceField::Number("request", request.serial)});
      }
    }
  }
  packet.record = packet.records.front();
  network_.Send(leaders_ ? node_links_[request.connection] : link_, packet_slot);

  if (config_.acks == 0) {
    // Fire and forget: nothing will come back, so there is nothing to wait for.
    for (std::uint32_t slot : request.batches) batches_.Release(slot);
    return;
  }
  request.deadline = engine_.now() + config_.request_timeout;
  in_flight_[request.connection].push_back(std::move(request));
  if (!timer_armed_) ArmTimeoutTimer();
}

void Producer::ArmTimeoutTimer() {
  sim::Time earliest = sim::kForever;
  for (const std::deque<Request>& connection : in_flight_) {
    if (!connection.empty()) earliest = std::min(earliest, connection.front().deadline);
  }
  timer_armed_ = earliest != sim::kForever;
  if (timer_armed_) engine_.Schedule(earliest, self_, kTimeout, incarnation_);
}

void Producer::OnTimeoutTimer(std::uint64_t incarnation) {
  if (incarnation != incarnation_) return;
  timer_armed_ = false;
  bool timed_out = false;
  for (std::uint32_t c = 0; c < in_flight_.size(); ++c) {
    std::deque<Request>& connection = in_flight_[c];
    if (connection.empty() || connection.front().deadline > engine_.now()) continue;
    timed_out = true;
    if (config_.timeout_closes_connection) {
      CloseConnection(c);
      continue;
    }
    while (!connection.empty() && connection.front().deadline <= engine_.now()) {
      const Request overdue = std::move(connection.front());
      connection.pop_front();
      for (std::uint32_t slot : overdue.batches) Fail(slot);
    }
  }
  if (timed_out) Drain();
  if (!timer_armed_) ArmTimeoutTimer();
}

void Producer::CloseConnection(std::uint32_t connection) {
  // Replies still on their way belong to the closed connection; their serials no longer match.
  std::deque<Request> failed;
  failed.swap(in_flight_[connection]);
  if (trace_ && leaders_) {
    trace_->Record(engine_.now(), "disconnect",
                   {TraceField::Text("component", config_.name),
                    TraceField::Text("broker", nodes_[connection].first),
                    TraceField::Number("requests", static_cast<std::int64_t>(failed.size()))});
  } else if (trace_) {
    trace_->Record(engine_.now(), "disconnect",
                   {TraceField::Text("component", config_.name),
                    TraceField::Number("requests", static_cast<std::int64_t>(failed.size()))});
  }
  for (const Request& request : failed) {
    for (std::uint32_t slot : request.batches) Fail(slot);
  }
}

void Producer::OnReply(const Packet& reply) {
  if (!alive_ || reply.incarnation != incarnation_) return;
  if (reply.type == PacketType::kTxnResponse) {
    OnTransactionalReply(reply);
    return;
  }
  // Serials are unique over all connections.
  std::deque<Request>* connection = nullptr;
  std::deque<Request>::iterator found;
  for (std::deque<Request>& candidate : in_flight_) {
    found = std::find_if(candidate.begin(), candidate.end(),
                         [&](const Request& r) { return r.serial == reply.correlation; });
    if (found == candidate.end()) continue;
    connection = &candidate;
    break;
  }
  if (connection == nullptr) return;  // duplicated, or for a closed connection
  const Request request = std::move(*found);
  connection->erase(found);
  assert(reply.batches.size() == request.batches.size());
  for (std::size_t i = 0; i < request.batches.size(); ++i) {
    const std::uint32_t slot = request.batches[i];
    const ProduceBatch& outcome = reply.batches[i];
    // The partition's next batch may have waited for this one (idempotent retries).
    const std::uint32_t partition = batches_[slot].partition;
    if (outcome.error == ProduceError::kProducerFenced) {
      GiveUp(slot);  // fatal in Kafka: a newer producer with this transactional id runs
    } else if (outcome.error != ProduceError::kNone) {
      if (trace_) TraceRecords("produce-refused", batches_[slot], -1);
      Fail(slot);
    } else {
      acknowledged_ += batches_[slot].records.size();
      if (trace_) TraceRecords("acked", batches_[slot], outcome.offset);
      if (!SettleAndRelease(slot, true)) return;  // crashed after the round was acknowledged
    }
    if (!waiting_[partition].empty()) MarkReady(partition);
  }
  Drain();
}

bool Producer::SettleAndRelease(std::uint32_t slot, bool acknowledged) {
  const std::vector<Record>& records = batches_[slot].records;
  for (const Record& record : records) SettleTransactional(record, acknowledged);
  if (acceptance_ && acknowledged && config_.publish != PublishMode::kOutbox) {
    for (const Record& record : records) acceptance_->OnAccepted(record, engine_.now());
  }
  if (config_.publish == PublishMode::kOutbox) {
    // The relay's crash step can strike here; a crash frees the waiting and in-flight batches,
    // never this one, which is neither any more, so it is freed below in any case.
    for (const Record& record : records) {
      SettleOutboxRow(record.id, acknowledged);
      if (!alive_) break;
    }
  }
  batches_.Release(slot);
  return alive_;
}

void Producer::Fail(std::uint32_t batch_slot) {
  const Batch& batch = batches_[batch_slot];
  const bool out_of_attempts = config_.max_attempts != 0 && batch.attempts >= config_.max_attempts;
  const bool expired = engine_.now() - batch.created >= config_.delivery_timeout;
  if (out_of_attempts || expired) {
    GiveUp(batch_slot);
  } else {
    Requeue(batch_slot);
  }
}

void Producer::Requeue(std::uint32_t batch_slot) {
  Batch& batch = batches_[batch_slot];
  const sim::Time delay = RetryDelay(batch);
  batch.retry_at = engine_.now() + delay;
  std::deque<std::uint32_t>& queue = waiting_[batch.partition];
  auto later = std::find_if(queue.begin(), queue.end(), [&](std::uint32_t other) {
    return batches_[other].serial > batch.serial;
  });
  queue.insert(later, batch_slot);
  if (delay == 0) {
    MarkReady(batch.partition);
  } else {
    AddRetryDue(batch.retry_at, batch.partition);
  }
}

sim::Time Producer::RetryDelay(Batch& batch) {
  if (!config_.has_retry_policy) return config_.retry_backoff;
  batch.last_delay = retry_policy_.Delay(batch.attempts, batch.last_delay, retry_random_);
  return batch.last_delay;
}

void Producer::GiveUp(std::uint32_t batch_slot) {
  const Batch& batch = batches_[batch_slot];
  gave_up_ += batch.records.size();
  if (trace_) TraceRecords("give-up", batch, -1);
  // An outbox row given up stays in the table; the next round publishes it again.
  if (!SettleAndRelease(batch_slot, false)) return;
  if (!config_.idempotence) return;
  // The broker would refuse every later batch as a gap after the abandoned sequences. Bump the
  // epoch and number the partitions' batches from zero again (KIP-360).
  ++epoch_;
  std::fill(next_batch_sequence_.begin(), next_batch_sequence_.end(), 0);
}

void Producer::TraceRecords(const char* what, const Batch& batch, std::int64_t first_offset) {
  // Acknowledgements name each record's offset; failures name the sends it took.
  std::int64_t offset = first_offset;
  for (const Record& record : batch.records) {
    const TraceField detail = first_offset >= 0 ? TraceField::Number("offset", offset++)
                                                : TraceField::Number("attempts", batch.attempts);
    trace_->Record(engine_.now(), what,
                   {TraceField::Text("component", config_.name),
                    TraceField::Number("producer", record.id.producer),
                    TraceField::Number("message", record.id.number), detail});
  }
}

void Producer::Crash(sim::Time restart_after) {
  if (!alive_) return;
  alive_ = false;
  ++incarnation_;
  for (std::deque<Request>& connection : in_flight_) {
    for (const Request& request : connection) {
      for (std::uint32_t slot : request.batches) batches_.Release(slot);
    }
    connection.clear();
  }
  for (std::deque<std::uint32_t>& queue : waiting_) {
    for (std::uint32_t slot : queue) batches_.Release(slot);
    queue.clear();
  }
  ready_.clear();
  std::fill(marked_ready_.begin(), marked_ready_.end(), false);
  outbox_.AbandonRound();  // the table is durable; only the relay's round is forgotten
  held_.clear();
  txn_awaited_ = 0;
  txn_timer_armed_ = false;
  if (txn_phase_ != TxnPhase::kOff) txn_phase_ = TxnPhase::kInitializing;
  linger_due_.clear();
  retry_due_.Clear();
  timer_armed_ = linger_timer_armed_ = retry_timer_armed_ = false;
  if (trace_) {
    trace_->Record(engine_.now(), "crash", {TraceField::Text("component", config_.name)});
  }
  if (restart_after != sim::kForever) {
    engine_.ScheduleAfter(restart_after, self_, kRestart, incarnation_);
  }
}

void Producer::Restart(std::uint64_t crashed_incarnation) {
  if (alive_ || crashed_incarnation != incarnation_) return;
  alive_ = true;
  // A new client gets a new producer id, so its sequences start again at zero.
  epoch_ = 0;
  std::fill(next_batch_sequence_.begin(), next_batch_sequence_.end(), 0);
  if (trace_) {
    trace_->Record(engine_.now(), "restart", {TraceField::Text("component", config_.name)});
  }
  schedule_origin_ = engine_.now();
  intents_since_origin_ = 0;
  if (!embedded_) ScheduleNextIntent();
  if (config_.publish == PublishMode::kOutbox) {
    engine_.ScheduleAfter(config_.relay_poll_interval, self_, kRelayPoll, incarnation_);
  }
  // The same transactional id with a higher epoch: the broker aborts what the crash left open.
  if (txn_phase_ != TxnPhase::kOff) SendTransactional(PacketType::kInitProducer);
}

ProducerResult Producer::Result() const {
  return ProducerResult{config_.name,  "",      ledger_.intended(index_), sends_,
                        acknowledged_, gave_up_};
}

}  // namespace deliverysim::models
