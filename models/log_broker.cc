#include "models/log_broker.h"

#include <algorithm>
#include <cassert>

#include "models/assignment.h"
#include "models/replicated_log.h"

namespace deliverysim::models {

namespace {
using sim::TraceField;

// Scenario producers first, then one producer client per consumer instance, in order, for the
// instances that forward what they process (ProducerSlot in simulation.cc numbers them alike).
std::size_t ProducerSlots(const Scenario& scenario) {
  std::size_t slots = scenario.producers.size();
  for (const ConsumerGroupConfig& group : scenario.consumers) slots += group.instances;
  return slots;
}

std::vector<std::uint32_t> PartitionCounts(const Scenario& scenario) {
  std::vector<std::uint32_t> counts;
  for (const TopicConfig& topic : scenario.topics) counts.push_back(topic.partitions);
  return counts;
}
}  // namespace

std::uint64_t LogBroker::MemberExpiryArg(std::uint32_t group, std::uint32_t member,
                                         std::uint64_t incarnation) {
  return (std::uint64_t{group} << 48) | (std::uint64_t{member} << 32) | (incarnation & 0xffffffff);
}

LogBroker::LogBroker(sim::Engine& engine, Network& network, const Scenario& scenario,
                     std::vector<GroupMetrics*> metrics, sim::TraceSink* trace)
    : engine_(engine),
      network_(network),
      scenario_(scenario),
      metrics_(std::move(metrics)),
      trace_(trace),
      transactions_(PartitionCounts(scenario), ProducerSlots(scenario)) {
  for (const TopicConfig& topic : scenario.topics) {
    topics_.push_back(Topic{&topic, topic.name, std::vector<std::vector<Record>>(topic.partitions),
                            std::vector<std::int64_t>(topic.partitions, 0),
                            std::vector<std::int64_t>(topic.partitions, 0),
                            std::vector<std::vector<sim::Time>>(topic.partitions)});
  }
  for (const ConsumerGroupConfig& config : scenario.consumers) {
    const std::uint32_t topic = TopicIndex(scenario, config.topic);
    const std::size_t partitions = topics_[topic].partitions.size();
    groups_.push_back(
        Group{&config, topic, std::vector<Member>(config.instances),
              std::vector<int>(partitions, kUnowned), std::vector<std::uint32_t>(partitions, 0),
              std::vector<std::int64_t>(partitions, config.existing_group ? 0 : -1), 0, false});
  }
  if (scenario.brokers > 1) {
    cluster_ = std::make_unique<ReplicatedLog>(engine, network, scenario, *this, trace);
  }
}

LogBroker::~LogBroker() = default;

void LogBroker::Start(sim::ComponentId id) {
  id_ = id;
  engine_.Schedule(scenario_.retention_check_interval, id_, kRetentionCheck, 0);
}

void LogBroker::ApplyRetention() {
  for (std::uint32_t t = 0; t < topics_.size(); ++t) {
    Topic& topic = topics_[t];
    const TopicConfig& config = *topic.config;
    const auto segment = static_cast<std::int64_t>(config.segment_records);
    const auto size_limit = static_cast<std::int64_t>(config.retention_records);
    for (std::uint32_t p = 0; p < topic.partitions.size(); ++p) {
      const std::int64_t end = log_end(t, p);
      if (end == 0) continue;
      const std::int64_t active = (end - 1) / segment;  // the newest segment is never deleted
      std::int64_t& start = topic.log_start[p];
      const std::int64_t before = start;
      for (std::int64_t s = start / segment; s < active; ++s) {
        const sim::Time last_append = topic.segment_last_append[p][static_cast<std::size_t>(s)];
        const bool expired = engine_.now() - last_append > config.retention;
        const bool too_big = size_limit > 0 && end - (s + 1) * segment >= size_limit;
        if (!expired && !too_big) break;
        start = (s + 1) * segment;
      }
      if (start != before && trace_) {
        trace_->Record(
            engine_.now(), "retention-delete",
            {TraceField::Text("topic", topic.name), TraceField::Number("partition", p),
             TraceField::Number("from", before), TraceField::Number("log_start", start)});
      }
    }
  }
}

void LogBroker::AddClient(const std::string& name, sim::ComponentId client) {
  if (client >= reply_links_.size()) {
    reply_links_.resize(client + 1, 0);
    client_names_.resize(client + 1);
  }
  reply_links_[client] = network_.Connect("broker", name, client);
  client_names_[client] = name;
  if (cluster_) cluster_->AddClient(name, client);
}

void LogBroker::OnEvent(const sim::Event& event) {
  switch (event.kind) {
    case kPacketArrived: OnPacket(static_cast<std::uint32_t>(event.arg)); break;
    case kFetchExpired: OnFetchExpired(event.arg); break;
    case kRebalanceDue:
      groups_[event.arg].first_rebalance_pending = false;
      Rebalance(static_cast<std::uint32_t>(event.arg));
      break;
    case kMemberExpired: OnMemberExpired(event.arg); break;
    case kTransactionTimeout: {
      // Transaction t belongs to producer (t >> 32) - 1; see Producer::TransactionId.
      const auto producer = static_cast<std::uint32_t>((event.arg >> 32) - 1);
      if (transactions_.open(producer, event.arg)) EndTransaction(producer, event.arg, false);
      break;
    }
    case kRetentionCheck:
      ApplyRetention();
      engine_.ScheduleAfter(scenario_.retention_check_interval, id_, kRetentionCheck, 0);
      break;
    default: assert(false && "unknown broker event");
  }
}

void LogBroker::OnPacket(std::uint32_t slot) {
  const Packet& packet = network_.packet(slot);
  switch (packet.type) {
    case PacketType::kProduce:
      assert(!cluster_ && "in a cluster produce requests go to the leaders' nodes");
      OnProduce(packet);
      break;
    case PacketType::kFetch: OnFetch(slot); return;  // the fetch keeps its slot until answered
    case PacketType::kCommit: OnCommit(packet); break;
    case PacketType::kJoinGroup: OnJoin(packet); break;
    case PacketType::kLeaveGroup: OnLeave(packet); break;
    case PacketType::kInitProducer: OnInitProducer(packet); break;
    case PacketType::kEndTransaction: OnEndTransaction(packet); break;
    default: assert(false && "a broker receives only requests");
  }
  network_.Release(slot);
}

void LogBroker::OnProduce(const Packet& request) {
  std::uint32_t reply_slot = 0;
  if (request.wants_reply) {
    reply_slot = network_.NewPacket();
    Packet& ack = network_.packet(reply_slot);
    ack.type = PacketType::kProduceAck;
    ack.record = request.record;
    ack.correlation = request.correlation;
    ack.incarnation = request.incarnation;
  }
  std::vector<std::uint32_t>& grown = grown_partitions_;
  grown.clear();
  for (const ProduceBatch& batch : request.batches) {
    ProduceBatch outcome = batch;
    const std::int64_t end_before = log_end(request.topic, batch.partition);
    outcome.offset = AppendBatch(request, batch, outcome.error);
    if (log_end(request.topic, batch.partition) != end_before) grown.push_back(batch.partition);
    if (request.wants_reply) network_.packet(reply_slot).batches.push_back(outcome);
  }
  if (request.wants_reply) Reply(request.sender, reply_slot);
  // The acknowledgement goes out first, then the fetches waiting for these records.
  for (std::uint32_t partition : grown) WakeParkedFetches(request.topic, partition);
}

std::optional<std::int64_t> LogBroker::AdmitBatch(const Packet& request, const ProduceBatch& batch,
                                                  ProduceError& error) {
  const Record& first = request.records[batch.first];
  // A transaction id names its producer (Producer::TransactionId); a forwarded record keeps
  // the id of the message's first producer, so that cannot.
  const auto transactional = static_cast<std::uint32_t>((first.transaction >> 32) - 1);
  if (first.transaction != 0 && transactions_.Fenced(transactional, request.incarnation)) {
    error = ProduceError::kProducerFenced;
    return -1;
  }
  if (batch.base_sequence < 0) return std::nullopt;
  const ProducerSequences::Decision decision =
      sequences_.Check(request.topic, batch.partition, request.producer_id, batch.base_sequence,
                       static_cast<std::int32_t>(batch.count));
  if (decision.verdict == ProducerSequences::Verdict::kAppend) return std::nullopt;
  if (decision.verdict == ProducerSequences::Verdict::kGap) {
    error = ProduceError::kOutOfOrderSequence;
  }
  if (trace_) TraceRefusal(request, batch, error);
  return decision.offset;
}

void LogBroker::BatchAppended(const Packet& request, const ProduceBatch& batch,
                              std::int64_t first_offset) {
  if (batch.base_sequence >= 0) {
    sequences_.Appended(request.topic, batch.partition, request.producer_id, batch.base_sequence,
                        static_cast<std::int32_t>(batch.count), first_offset);
  }
  const Record& first = request.records[batch.first];
  const auto transactional = static_cast<std::uint32_t>((first.transaction >> 32) - 1);
  if (first.transaction != 0 &&
      transactions_.Appended(transactional, first.transaction, {request.topic, batch.partition},
                             first_offset)) {
    engine_.ScheduleAfter(scenario_.transaction_timeout, id_, kTransactionTimeout,
                          first.transaction);
  }
}

std::int64_t LogBroker::AppendBatch(const Packet& request, const ProduceBatch& batch,
                                    ProduceError& error) {
  if (const std::optional<std::int64_t> answer = AdmitBatch(request, batch, error)) return *answer;
  auto& log = topics_[request.topic].partitions[batch.partition];
  const auto first_offset = static_cast<std::int64_t>(log.size());
  for (std::uint32_t i = batch.first; i < batch.first + batch.count; ++i) {
    const Record& record = request.records[i];
    if (trace_) {
      trace_->Record(engine_.now(), "append",
                     {TraceField::Text("topic", topics_[request.topic].name),
                      TraceField::Number("partition", batch.partition),
                      TraceField::Number("offset", static_cast<std::int64_t>(log.size())),
                      TraceField::Number("producer", record.id.producer),
                      TraceField::Number("message", record.id.number)});
    }
    log.push_back(record);
  }
  topics_[request.topic].ends[batch.partition] = static_cast<std::int64_t>(log.size());
  BatchAppended(request, batch, first_offset);
  NoteAppendTime(request.topic, batch.partition);
  return first_offset;
}

void LogBroker::SetVisibleRecord(std::uint32_t topic, std::uint32_t partition, std::int64_t offset,
                                 const Record& record) {
  auto& log = topics_[topic].partitions[partition];
  const auto at = static_cast<std::size_t>(offset);
  if (at < log.size()) {
    log[at] = record;  // an offset an unclean election cut off and a new leader filled again
  } else {
    assert(at == log.size());
    log.push_back(record);
  }
}

void LogBroker::SetVisibleEnd(std::uint32_t topic, std::uint32_t partition, std::int64_t end) {
  Topic& t = topics_[topic];
  const std::int64_t before = t.ends[partition];
  t.ends[partition] = end;
  // TODO: an unclean election lowering the watermark below the log start leaves the log start
  // above the end until the log grows past it; Kafka would truncate the log start too.
  if (end <= before) return;
  NoteAppendTime(topic, partition);
  WakeParkedFetches(topic, partition);
}

void LogBroker::NoteAppendTime(std::uint32_t topic, std::uint32_t partition) {
  // Remember when each segment last grew, for time-based retention.
  auto& last_append = topics_[topic].segment_last_append[partition];
  const std::uint64_t segment_records = topics_[topic].config->segment_records;
  last_append.resize((log_end(topic, partition) - 1) / segment_records + 1, engine_.now());
  last_append.back() = engine_.now();
}

void LogBroker::OnInitProducer(const Packet& request) {
  const std::uint32_t producer = request.record.id.producer;
  if (transactions_.Fenced(producer, request.incarnation)) {
    ReplyToTransactional(request, false);
    return;
  }
  // The new epoch fences the old one, whose open transaction can never be committed now.
  const std::uint64_t orphan = transactions_.Init(producer, request.incarnation);
  if (orphan != 0) EndTransaction(producer, orphan, false);
  ReplyToTransactional(request, true);
}

void LogBroker::OnEndTransaction(const Packet& request) {
  const std::uint32_t producer = request.record.id.producer;
  if (transactions_.Fenced(producer, request.incarnation)) {
    ReplyToTransactional(request, false);
    return;
  }
  const std::uint64_t transaction = request.record.transaction;
  bool commit = request.accepted && !transactions_.aborted(transaction);
  if (commit && !request.ranges.empty()) {
    // The offsets of a consume-transform-produce stage commit with its outputs, and only
    // from the partitions' current owner (KIP-447): otherwise the whole transaction aborts,
    // and the new owner redoes the inputs.
    Group& group = groups_[request.group];
    const Member& member = group.members[request.member];
    const bool owner =
        member.live && member.incarnation == request.member_incarnation &&
        std::all_of(request.ranges.begin(), request.ranges.end(), [&](const PartitionRange& range) {
          return group.owners[range.partition] == static_cast<int>(request.member);
        });
    if (!owner) {
      commit = false;
      metrics_[request.group]->CountRefusedCommit();
    } else {
      for (const PartitionRange& range : request.ranges) {
        group.committed[range.partition] = range.offset;
      }
    }
  }
  // A repeated request finds the transaction ended and changes nothing.
  EndTransaction(producer, transaction, commit);
  ReplyToTransactional(request, commit && !transactions_.aborted(transaction));
}

void LogBroker::EndTransaction(std::uint32_t producer, std::uint64_t transaction, bool commit) {
  for (const auto& [topic, partition] : transactions_.End(producer, transaction, commit)) {
    auto& log = topics_[topic].partitions[partition];
    Record marker;
    marker.id = MessageId{producer, 0};
    marker.transaction = transaction;
    marker.kind = commit ? RecordKind::kCommitMarker : RecordKind::kAbortMarker;
    if (cluster_) {
      cluster_->AppendMarker(topic, partition, marker);  // the partition's leader writes it
      continue;
    }
    if (trace_) {
      trace_->Record(engine_.now(), commit ? "commit-marker" : "abort-marker",
                     {TraceField::Text("topic", topics_[topic].name),
                      TraceField::Number("partition", partition),
                      TraceField::Number("offset", static_cast<std::int64_t>(log.size())),
                      TraceField::Number("producer", producer),
                      TraceField::Number("transaction", static_cast<std::int64_t>(transaction))});
    }
    log.push_back(marker);
    topics_[topic].ends[partition] = static_cast<std::int64_t>(log.size());
    NoteAppendTime(topic, partition);
    WakeParkedFetches(topic, partition);
  }
}

void LogBroker::ReplyToTransactional(const Packet& request, bool accepted) {
  const std::uint32_t slot = network_.NewPacket();
  Packet& reply = network_.packet(slot);
  reply.type = PacketType::kTxnResponse;
  reply.accepted = accepted;
  reply.record = request.record;
  reply.correlation = request.correlation;
  reply.incarnation = request.incarnation;
  Reply(request.sender, slot);
}

std::int64_t LogBroker::VisibleEnd(std::uint32_t group, std::uint32_t partition) const {
  const Group& g = groups_[group];
  return g.config->read_committed ? last_stable_offset(g.topic, partition)
                                  : log_end(g.topic, partition);
}

void LogBroker::TraceRefusal(const Packet& request, const ProduceBatch& batch, ProduceError error) {
  // One line per record, so that each message's story shows what became of this copy.
  const char* what = error == ProduceError::kNone ? "duplicate-dropped" : "out-of-sequence";
  for (std::uint32_t i = batch.first; i < batch.first + batch.count; ++i) {
    trace_->Record(engine_.now(), what,
                   {TraceField::Text("topic", topics_[request.topic].name),
                    TraceField::Number("partition", batch.partition),
                    TraceField::Number("producer", request.records[i].id.producer),
                    TraceField::Number("message", request.records[i].id.number),
                    TraceField::Number("sequence", batch.base_sequence)});
  }
}

bool LogBroker::HasRecordsFor(const Packet& fetch) const {
  const std::uint32_t topic = groups_[fetch.group].topic;
  return std::any_of(fetch.ranges.begin(), fetch.ranges.end(), [&](const PartitionRange& r) {
    return r.offset < VisibleEnd(fetch.group, r.partition) ||
           r.offset < log_start(topic, r.partition);
  });
}

void LogBroker::OnFetch(std::uint32_t slot) {
  const Packet& fetch = network_.packet(slot);
  const Group& fetching_group = groups_[fetch.group];
  const Member& member = fetching_group.members[fetch.member];
  // The fetch is also the member's heartbeat: a member working in an old generation missed
  // an assignment, so it gets the current one again, ahead of the fetch's reply.
  if (member.live && member.incarnation == fetch.incarnation &&
      fetch.generation != fetching_group.generation) {
    SendAssignment(fetch.group, fetch.member);
  }
  if (HasRecordsFor(fetch)) {
    ReplyToFetch(slot);
    return;
  }
  // Nothing to return yet: park the fetch until a record arrives or the wait runs out.
  auto free = std::find_if(parked_.begin(), parked_.end(), [](auto& p) { return !p.active; });
  if (free == parked_.end()) free = parked_.insert(parked_.end(), ParkedFetch{});
  *free = ParkedFetch{slot, next_park_token_++, true};
  const auto index = static_cast<std::uint64_t>(free - parked_.begin());
  const Group& group = groups_[network_.packet(slot).group];
  engine_.ScheduleAfter(group.config->fetch_max_wait, id_, kFetchExpired,
                        index | (free->token << 32));
}

void LogBroker::OnFetchExpired(std::uint64_t arg) {
  ParkedFetch& parked = parked_[arg & 0xffffffff];
  if (!parked.active || parked.token != (arg >> 32)) return;  // answered already
  parked.active = false;
  ReplyToFetch(parked.request);
}

void LogBroker::WakeParkedFetches(std::uint32_t topic, std::uint32_t partition) {
  for (ParkedFetch& parked : parked_) {
    if (!parked.active) continue;
    const Packet& fetch = network_.packet(parked.request);
    if (groups_[fetch.group].topic != topic) continue;
    const bool wants =
        std::any_of(fetch.ranges.begin(), fetch.ranges.end(),
                    [&](const PartitionRange& r) { return r.partition == partition; });
    if (!wants || !HasRecordsFor(fetch)) continue;
    parked.active = false;
    ReplyToFetch(parked.request);
  }
}

void LogBroker::ReplyToFetch(std::uint32_t request_slot) {
  const Packet& request = network_.packet(request_slot);
  const Group& group = groups_[request.group];
  const std::uint32_t slot = network_.NewPacket();
  Packet& response = network_.packet(slot);
  response.type = PacketType::kFetchResponse;
  response.group = request.group;
  response.member = request.member;
  response.incarnation = request.incarnation;
  response.correlation = request.correlation;

  // Share max_poll_records over the partitions, starting from a rotating one so that a busy
  // partition cannot starve the others.
  std::int64_t remaining = group.config->max_poll_records;
  const std::size_t n = request.ranges.size();
  const std::size_t start = n ? fetches_answered_++ % n : 0;
  for (std::size_t i = 0; i < n && remaining > 0; ++i) {
    const PartitionRange& wanted = request.ranges[(start + i) % n];
    const std::int64_t end = VisibleEnd(request.group, wanted.partition);
    const std::int64_t first = log_start(group.topic, wanted.partition);
    if (wanted.offset < first) {
      PartitionRange out_of_range{wanted.partition, first, end};
      out_of_range.out_of_range = true;
      response.ranges.push_back(out_of_range);
      continue;
    }
    if (wanted.offset >= end) continue;
    const std::int64_t take = std::min(end - wanted.offset, remaining);
    response.ranges.push_back({wanted.partition, wanted.offset, wanted.offset + take});
    remaining -= take;
  }
  Reply(request.sender, slot);
  network_.Release(request_slot);
}

void LogBroker::OnCommit(const Packet& request) {
  Group& group = groups_[request.group];
  const Member& member = group.members[request.member];
  bool all_accepted = true;
  std::vector<PartitionRange> accepted_ranges;
  for (const PartitionRange& range : request.ranges) {
    const bool accepted = member.live && member.incarnation == request.incarnation &&
                          group.owners[range.partition] == static_cast<int>(request.member);
    if (accepted) {
      group.committed[range.partition] = range.offset;
      accepted_ranges.push_back(range);
    } else {
      all_accepted = false;
      metrics_[request.group]->CountRefusedCommit();
    }
    if (trace_) {
      trace_->Record(engine_.now(), accepted ? "commit" : "commit-refused",
                     {TraceField::Text("consumer", client_names_[request.sender]),
                      TraceField::Number("partition", range.partition),
                      TraceField::Number("offset", range.offset)});
    }
  }
  const std::uint32_t slot = network_.NewPacket();
  Packet& response = network_.packet(slot);
  response.type = PacketType::kCommitResponse;
  response.accepted = all_accepted;
  response.ranges = std::move(accepted_ranges);
  response.correlation = request.correlation;
  response.incarnation = request.incarnation;
  Reply(request.sender, slot);
}

void LogBroker::OnJoin(const Packet& request) {
  Group& group = groups_[request.group];
  Member& member = group.members[request.member];
  if ((request.incarnation & 0xffffffff) < member.first_unexpired) return;  // a dead process
  // A repeated join (its assignment was lost) changes no membership: resend the assignment.
  if (member.live && member.incarnation == request.incarnation) {
    if (group.generation > 0) SendAssignment(request.group, request.member);
    return;
  }
  member = Member{true, request.incarnation, request.sender};
  if (group.generation > 0) {
    Rebalance(request.group);
  } else if (!group.first_rebalance_pending) {
    group.first_rebalance_pending = true;
    engine_.ScheduleAfter(scenario_.initial_rebalance_delay, id_, kRebalanceDue, request.group);
  }
}

void LogBroker::OnLeave(const Packet& request) {
  Group& group = groups_[request.group];
  Member& member = group.members[request.member];
  if (!member.live || member.incarnation != request.incarnation) return;
  member.live = false;
  // A join this incarnation sent before leaving may still arrive; it must not bring it back.
  member.first_unexpired = std::max(member.first_unexpired, (request.incarnation & 0xffffffff) + 1);
  if (group.generation > 0) Rebalance(request.group);
}

void LogBroker::OnMemberExpired(std::uint64_t arg) {
  const auto group_index = static_cast<std::uint32_t>(arg >> 48);
  const auto member_index = static_cast<std::uint32_t>((arg >> 32) & 0xffff);
  Group& group = groups_[group_index];
  Member& member = group.members[member_index];
  const std::uint64_t expired = arg & 0xffffffff;
  member.first_unexpired = std::max(member.first_unexpired, expired + 1);
  // A member that rejoined since has a new incarnation and is not the one that went silent.
  if (!member.live || (member.incarnation & 0xffffffff) != expired) return;
  member.live = false;
  if (group.generation > 0) Rebalance(group_index);
}

void LogBroker::Rebalance(std::uint32_t group_index) {
  Group& group = groups_[group_index];
  std::vector<int> live;
  for (std::size_t m = 0; m < group.members.size(); ++m) {
    if (group.members[m].live) live.push_back(static_cast<int>(m));
  }
  const std::vector<int> owners = AssignPartitions(group.owners, live);
  for (std::size_t p = 0; p < owners.size(); ++p) {
    if (owners[p] != group.owners[p]) ++group.owner_epochs[p];
  }
  group.owners = owners;
  ++group.generation;
  metrics_[group_index]->CountRebalance();
  if (trace_) {
    trace_->Record(engine_.now(), "rebalance",
                   {TraceField::Text("group", group.config->group),
                    TraceField::Number("generation", group.generation),
                    TraceField::Number("members", static_cast<std::int64_t>(live.size()))});
  }
  for (int member : live) SendAssignment(group_index, static_cast<std::uint32_t>(member));
}

void LogBroker::SendAssignment(std::uint32_t group_index, std::uint32_t member_index) {
  const Group& group = groups_[group_index];
  const Member& member = group.members[member_index];
  const std::uint32_t slot = network_.NewPacket();
  Packet& assignment = network_.packet(slot);
  assignment.type = PacketType::kAssignment;
  assignment.group = group_index;
  assignment.member = member_index;
  assignment.incarnation = member.incarnation;
  assignment.generation = group.generation;
  for (std::uint32_t p = 0; p < group.owners.size(); ++p) {
    if (group.owners[p] != static_cast<int>(member_index)) continue;
    assignment.ranges.push_back({p, group.committed[p], log_end(group.topic, p),
                                 group.owner_epochs[p], log_start(group.topic, p)});
  }
  Reply(member.component, slot);

  // A member that owned nothing has a fetch parked here, waiting for records it will never get;
  // answer it now, behind the assignment on the same link, so the member polls again at once.
  for (ParkedFetch& parked : parked_) {
    if (!parked.active) continue;
    const Packet& fetch = network_.packet(parked.request);
    if (fetch.group != group_index || fetch.member != member_index) continue;
    parked.active = false;
    ReplyToFetch(parked.request);
  }
}

void LogBroker::Reply(sim::ComponentId client, std::uint32_t slot) {
  assert(client < reply_links_.size());
  network_.Send(reply_links_[client], slot);
}

}  // namespace deliverysim::models
