#include "models/replicated_log.h"

#include <algorithm>
#include <cassert>

#include "models/log_broker.h"

namespace deliverysim::models {

namespace {
using sim::TraceField;

std::uint64_t SlotToken(std::uint32_t slot, std::uint64_t token) {
  return slot | ((token & 0xffffffff) << 32);
}

bool TokenMatches(std::uint64_t token, std::uint64_t arg) {
  return (token & 0xffffffff) == (arg >> 32);
}

const char* ElectionKindName(ElectionKind kind) {
  switch (kind) {
    case ElectionKind::kInSync: return "in-sync";
    case ElectionKind::kEligible: return "eligible";
    case ElectionKind::kLastKnownLeader: return "last-leader";
    case ElectionKind::kUnclean: return "unclean";
  }
  return "?";
}
}  // namespace

// A broker node as a network endpoint: packets addressed to it go to the log with its index.
class ReplicatedLog::NodeEndpoint : public sim::Component {
 public:
  NodeEndpoint(ReplicatedLog& log, std::uint32_t node) : log_(log), node_(node) {}
  void OnEvent(const sim::Event& event) override {
    assert(event.kind == kPacketArrived);
    log_.OnNodePacket(node_, static_cast<std::uint32_t>(event.arg));
  }

 private:
  ReplicatedLog& log_;
  std::uint32_t node_;
};

ReplicatedLog::ReplicatedLog(sim::Engine& engine, Network& network, const Scenario& scenario,
                             LogBroker& broker, sim::TraceSink* trace)
    : engine_(engine), network_(network), scenario_(scenario), broker_(broker), trace_(trace) {
  const std::uint32_t brokers = scenario.brokers;
  assert(brokers > 1);
  for (std::uint32_t n = 0; n < brokers; ++n) nodes_.push_back(Node{BrokerName(brokers, n)});
  client_links_.resize(brokers);
  node_links_.assign(std::size_t{brokers} * brokers, kNoLink);
  for (std::uint32_t t = 0; t < scenario.topics.size(); ++t) {
    const TopicConfig& topic = scenario.topics[t];
    topic_base_.push_back(static_cast<std::uint32_t>(partitions_.size()));
    for (std::uint32_t p = 0; p < topic.partitions; ++p) {
      ReplicationConfig config;
      for (std::uint32_t k = 0; k < topic.replication; ++k) {
        config.brokers.push_back((t + p + k) % brokers);
      }
      config.min_insync_replicas = topic.min_insync_replicas;
      config.unclean_leader_election = topic.unclean_leader_election;
      config.replica_lag_max = topic.replica_lag_max;
      const auto slot = static_cast<std::uint32_t>(partitions_.size());
      partitions_.emplace_back(t, p, config);
      partitions_.back().first_follower = static_cast<std::uint32_t>(followers_.size());
      for (std::uint32_t node : config.brokers) followers_.push_back(Follower{slot, node, 0});
    }
  }
}

ReplicatedLog::~ReplicatedLog() = default;

void ReplicatedLog::Start(sim::ComponentId self) {
  self_ = self;
  for (std::uint32_t n = 0; n < nodes_.size(); ++n) {
    endpoints_.push_back(std::make_unique<NodeEndpoint>(*this, n));
    nodes_[n].component = engine_.Register(endpoints_.back().get());
  }
  for (std::uint32_t f = 0; f < followers_.size(); ++f) FetchAgain(f);
}

int ReplicatedLog::FindNode(const std::string& name) const {
  for (std::uint32_t n = 0; n < nodes_.size(); ++n) {
    if (nodes_[n].name == name) return static_cast<int>(n);
  }
  return -1;
}

void ReplicatedLog::AddClient(const std::string& name, sim::ComponentId client) {
  if (client >= client_names_.size()) client_names_.resize(client + 1);
  client_names_[client] = name;
}

std::uint32_t ReplicatedLog::LeaderNode(std::uint32_t topic, std::uint32_t partition) const {
  const int leader = Of(topic, partition).replication.leader();
  if (leader != kNoLeader) return static_cast<std::uint32_t>(leader);
  // Offline: the first replica's node, which refuses (or, down, loses) what it is sent.
  return (topic + partition) % static_cast<std::uint32_t>(nodes_.size());
}

std::int64_t ReplicatedLog::leader_log_end(std::uint32_t topic, std::uint32_t partition) const {
  return static_cast<std::int64_t>(Of(topic, partition).replication.leader_log().size());
}

void ReplicatedLog::OnEvent(const sim::Event& event) {
  const auto slot = static_cast<std::uint32_t>(event.arg & 0xffffffff);
  switch (event.kind) {
    case kLagCheck: {
      PartitionState& state = partitions_[slot];
      if (engine_.now() != state.lag_check_at) break;  // superseded by an earlier check
      state.lag_check_at = sim::kForever;
      state.replication.ExpireLaggingReplicas(engine_.now());
      AfterChange(slot);
      break;
    }
    case kFetchTimeout:
    case kFetchRetry:
      if (TokenMatches(followers_[slot].token, event.arg)) FetchAgain(slot);
      break;
    case kParkedExpired: {
      ParkedFetch& parked = parked_[slot];
      if (!parked.active || !TokenMatches(parked.token, event.arg)) break;
      parked.active = false;
      AnswerReplicaFetch(parked.leader_node, parked.request);
      break;
    }
    case kNodeRestart: RestartNode(slot, static_cast<std::uint32_t>(event.arg >> 32)); break;
    default: assert(false && "unknown replicated log event");
  }
}

void ReplicatedLog::OnNodePacket(std::uint32_t node, std::uint32_t slot) {
  const Packet& packet = network_.packet(slot);
  if (!nodes_[node].live) {  // a crashed broker hears nothing
    network_.Release(slot);
    return;
  }
  switch (packet.type) {
    case PacketType::kProduce: OnProduce(node, packet); break;
    case PacketType::kReplicaFetch: OnReplicaFetch(node, slot); return;  // may stay parked
    case PacketType::kReplicaFetchResponse: OnReplicaFetchResponse(node, packet); break;
    default: assert(false && "a broker node receives produce and replica fetch traffic only");
  }
  network_.Release(slot);
}

void ReplicatedLog::OnProduce(std::uint32_t node, const Packet& request) {
  PendingProduce pending{node, 0, request.sender, {}};
  if (request.wants_reply) {
    pending.reply = network_.NewPacket();
    Packet& ack = network_.packet(pending.reply);
    ack.type = PacketType::kProduceAck;
    ack.record = request.record;
    ack.correlation = request.correlation;
    ack.incarnation = request.incarnation;
  }
  const Acks acks = request.wants_reply ? request.acks : Acks::kNone;
  std::vector<std::uint32_t> touched;
  for (const ProduceBatch& batch : request.batches) {
    std::int64_t settles_at = 0;
    const ProduceBatch outcome = AppendBatch(node, request, batch, acks, settles_at);
    const std::uint32_t slot = topic_base_[request.topic] + batch.partition;
    if (settles_at > 0) pending.waits.emplace_back(slot, settles_at);
    if (request.wants_reply) network_.packet(pending.reply).batches.push_back(outcome);
    if (std::find(touched.begin(), touched.end(), slot) == touched.end()) touched.push_back(slot);
  }
  // Answered once every batch is settled, which may be now (acks=1, refusals).
  if (request.wants_reply) pending_.push_back(std::move(pending));
  for (std::uint32_t slot : touched) AfterChange(slot);
  AnswerSettledProduces();
}

ProduceBatch ReplicatedLog::AppendBatch(std::uint32_t node, const Packet& request,
                                        const ProduceBatch& batch, Acks acks,
                                        std::int64_t& settles_at) {
  PartitionState& state = partitions_[topic_base_[request.topic] + batch.partition];
  PartitionReplication& model = state.replication;
  ProduceBatch outcome = batch;
  if (model.leader() != static_cast<int>(node)) {
    outcome.error = ProduceError::kNotLeader;
    return outcome;
  }
  if (acks == Acks::kAll &&
      model.in_sync_count() < scenario_.topics[request.topic].min_insync_replicas) {
    outcome.error = ProduceError::kNotEnoughReplicas;
    return outcome;
  }
  const auto count = static_cast<std::int64_t>(batch.count);
  if (const std::optional<std::int64_t> answer =
          broker_.AdmitBatch(request, batch, outcome.error)) {
    // A duplicate is acknowledged as its first copy would be: with acks=all, once that copy
    // is below the watermark.
    outcome.offset = *answer;
    if (outcome.error == ProduceError::kNone && *answer >= 0 && acks == Acks::kAll) {
      settles_at = *answer + count;
    }
    return outcome;
  }
  outcome.offset = static_cast<std::int64_t>(model.leader_log().size());
  for (std::uint32_t i = batch.first; i < batch.first + batch.count; ++i) {
    const Record& record = request.records[i];
    const std::int64_t offset = AppendRecord(node, state, record, acks);
    if (!trace_) continue;
    trace_->Record(
        engine_.now(), "append",
        {TraceField::Text("topic", broker_.topic_name(request.topic)),
         TraceField::Number("partition", batch.partition), TraceField::Number("offset", offset),
         TraceField::Number("producer", record.id.producer),
         TraceField::Number("message", record.id.number)});
  }
  broker_.BatchAppended(request, batch, outcome.offset);
  if (batch.base_sequence >= 0) {
    state.batches.push_back({request.producer_id, batch.base_sequence,
                             static_cast<std::int32_t>(count), outcome.offset,
                             model.leader_log().back().record});
  }
  if (acks == Acks::kAll) settles_at = outcome.offset + count;
  return outcome;
}

std::int64_t ReplicatedLog::AppendRecord(std::uint32_t node, PartitionState& state,
                                         const Record& record, Acks acks) {
  const AppendResult result = state.replication.Append(node, acks);
  assert(result.error == ReplicationError::kNone && result.record == state.payloads.size());
  state.payloads.push_back(record);
  return result.offset;
}

void ReplicatedLog::AppendMarker(std::uint32_t topic, std::uint32_t partition,
                                 const Record& marker) {
  const std::uint32_t slot = topic_base_[topic] + partition;
  partitions_[slot].markers_waiting.push_back(marker);
  AppendWaitingMarkers(slot);
  AfterChange(slot);
}

void ReplicatedLog::AppendWaitingMarkers(std::uint32_t partition_slot) {
  PartitionState& state = partitions_[partition_slot];
  const int leader = state.replication.leader();
  if (leader == kNoLeader) return;
  while (!state.markers_waiting.empty()) {
    const Record marker = state.markers_waiting.front();
    state.markers_waiting.pop_front();
    const std::int64_t offset =
        AppendRecord(static_cast<std::uint32_t>(leader), state, marker, Acks::kNone);
    if (!trace_) continue;
    const bool commit = marker.kind == RecordKind::kCommitMarker;
    trace_->Record(
        engine_.now(), commit ? "commit-marker" : "abort-marker",
        {TraceField::Text("topic", broker_.topic_name(state.topic)),
         TraceField::Number("partition", state.partition), TraceField::Number("offset", offset),
         TraceField::Number("producer", marker.id.producer),
         TraceField::Number("transaction", static_cast<std::int64_t>(marker.transaction))});
  }
}

void ReplicatedLog::AfterChange(std::uint32_t slot) {
  PartitionState& state = partitions_[slot];
  PartitionReplication& model = state.replication;
  // Replies follow the watermark (pending_), so the model's own settlements are not needed.
  (void)model.TakeAckOutcomes();

  bool elected = false;
  TraceElections(state, elected);
  if (elected) RebuildSequences(state);
  if (trace_ && model.leader() == kNoLeader && state.online) {
    trace_->Record(engine_.now(), "offline",
                   {TraceField::Text("topic", broker_.topic_name(state.topic)),
                    TraceField::Number("partition", state.partition)});
  }
  state.online = model.leader() != kNoLeader;
  if (state.online && !state.markers_waiting.empty()) AppendWaitingMarkers(slot);

  ExposeBelowWatermark(state);
  AnswerSettledProduces();

  const auto log_end = static_cast<std::int64_t>(model.leader_log().size());
  if (log_end != state.leader_end_seen) {
    state.leader_end_seen = log_end;
    WakeParkedReplicaFetches(slot);
  }
  if (elected) {
    for (std::uint32_t f = state.first_follower; f < followers_.size(); ++f) {
      if (followers_[f].partition_slot != slot) break;
      FetchAgain(f);
    }
  }

  const sim::Time next = std::max(model.NextLagExpiry(), engine_.now());
  if (next < state.lag_check_at) {
    state.lag_check_at = next;
    engine_.Schedule(next, self_, kLagCheck, slot);
  }
}

void ReplicatedLog::TraceElections(PartitionState& state, bool& elected) {
  const PartitionReplication& model = state.replication;
  for (; state.elections_seen < model.elections().size(); ++state.elections_seen) {
    elected = true;
    const Election& election = model.elections()[state.elections_seen];
    if (!trace_) continue;
    trace_->Record(
        engine_.now(), "election",
        {TraceField::Text("topic", broker_.topic_name(state.topic)),
         TraceField::Number("partition", state.partition),
         TraceField::Text("leader", nodes_[election.broker].name),
         TraceField::Number("epoch", election.epoch),
         TraceField::Text("rule", ElectionKindName(election.kind)),
         TraceField::Number("lost_acknowledged",
                            static_cast<std::int64_t>(election.lost_acknowledged.size()))});
  }
}

void ReplicatedLog::RebuildSequences(const PartitionState& state) {
  // A new leader knows the idempotent producers' sequences from the batches in its own log:
  // one truncated away is unknown to it, and its retry is appended again.
  ProducerSequences& sequences = broker_.sequences();
  sequences.Forget(state.topic, state.partition);
  const std::vector<LogEntry>& log = state.replication.leader_log();
  for (const SequencedBatch& batch : state.batches) {
    const std::int64_t end = batch.first_offset + batch.count;
    if (end > static_cast<std::int64_t>(log.size()) ||
        log[static_cast<std::size_t>(end - 1)].record != batch.last_record) {
      continue;
    }
    sequences.Appended(state.topic, state.partition, batch.producer_id, batch.base_sequence,
                       batch.count, batch.first_offset);
  }
}

void ReplicatedLog::ExposeBelowWatermark(PartitionState& state) {
  // An unclean election can lower the watermark; offsets above it are exposed again, with the
  // new leader's records, as it rises.
  const std::int64_t watermark = state.replication.high_watermark();
  if (watermark < state.exposed_to) {
    state.exposed_to = watermark;
    broker_.SetVisibleEnd(state.topic, state.partition, watermark);
  }
  if (watermark == state.exposed_to) return;
  const std::vector<LogEntry>& log = state.replication.leader_log();
  for (std::int64_t o = state.exposed_to; o < watermark; ++o) {
    const std::uint64_t record = log[static_cast<std::size_t>(o)].record;
    broker_.SetVisibleRecord(state.topic, state.partition, o, state.payloads[record]);
  }
  state.exposed_to = watermark;
  broker_.SetVisibleEnd(state.topic, state.partition, watermark);
}

void ReplicatedLog::AnswerSettledProduces() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    const bool settled = std::all_of(it->waits.begin(), it->waits.end(), [&](const auto& wait) {
      return partitions_[wait.first].replication.high_watermark() >= wait.second;
    });
    if (!settled) {
      ++it;
      continue;
    }
    network_.Send(ClientLink(it->node, it->client), it->reply);
    it = pending_.erase(it);
  }
}

void ReplicatedLog::FetchAgain(std::uint32_t follower_slot) {
  Follower& follower = followers_[follower_slot];
  follower.token = next_token_++;
  const PartitionState& state = partitions_[follower.partition_slot];
  const int leader = state.replication.leader();
  if (!nodes_[follower.node].live || leader == kNoLeader ||
      static_cast<std::uint32_t>(leader) == follower.node) {
    return;  // idle until it restarts or a leader is elected
  }
  const std::uint32_t slot = network_.NewPacket();
  Packet& fetch = network_.packet(slot);
  fetch.type = PacketType::kReplicaFetch;
  fetch.sender = nodes_[follower.node].component;
  fetch.record = Record{};
  fetch.topic = state.topic;
  fetch.partition = state.partition;
  fetch.node = follower.node;
  fetch.correlation = follower.token;
  fetch.replica_fetch = state.replication.NextFetch(follower.node);
  Send(follower.node, static_cast<std::uint32_t>(leader), slot);
  engine_.ScheduleAfter(kReplicaSocketTimeout, self_, kFetchTimeout,
                        SlotToken(follower_slot, follower.token));
}

std::uint32_t ReplicatedLog::FollowerSlot(std::uint32_t partition_slot, std::uint32_t node) const {
  for (std::uint32_t f = partitions_[partition_slot].first_follower;; ++f) {
    assert(f < followers_.size() && followers_[f].partition_slot == partition_slot);
    if (followers_[f].node == node) return f;
  }
}

void ReplicatedLog::OnReplicaFetch(std::uint32_t node, std::uint32_t slot) {
  const Packet& fetch = network_.packet(slot);
  const std::uint32_t partition_slot = topic_base_[fetch.topic] + fetch.partition;
  if (IsStale(fetch)) {
    network_.Release(slot);
    return;
  }
  PartitionReplication& model = partitions_[partition_slot].replication;
  const auto end = static_cast<std::int64_t>(model.leader_log().size());
  const bool leads = model.leader() == static_cast<int>(node);
  if (leads && fetch.replica_fetch.offset == end &&
      fetch.replica_fetch.last_epoch == (end > 0 ? model.leader_log().back().epoch : kNoEpoch)) {
    // Caught up: record that, then hold the fetch until a record arrives or the wait ends.
    (void)model.Fetch(fetch.node, fetch.replica_fetch, engine_.now());
    AfterChange(partition_slot);
    auto free = std::find_if(parked_.begin(), parked_.end(), [](auto& p) { return !p.active; });
    if (free == parked_.end()) free = parked_.insert(parked_.end(), ParkedFetch{});
    *free = ParkedFetch{slot, node, next_token_++, true};
    const auto index = static_cast<std::uint32_t>(free - parked_.begin());
    engine_.ScheduleAfter(kReplicaFetchWait, self_, kParkedExpired, SlotToken(index, free->token));
    return;
  }
  AnswerReplicaFetch(node, slot);
}

bool ReplicatedLog::IsStale(const Packet& fetch) const {
  // A fetch the follower has given up on (after a timeout, or a copy the link made) is
  // dropped, as a TCP connection would never deliver it.
  const std::uint32_t partition_slot = topic_base_[fetch.topic] + fetch.partition;
  return !nodes_[fetch.node].live ||
         followers_[FollowerSlot(partition_slot, fetch.node)].token != fetch.correlation;
}

void ReplicatedLog::AnswerReplicaFetch(std::uint32_t leader_node, std::uint32_t request_slot) {
  const Packet& request = network_.packet(request_slot);
  if (IsStale(request)) {
    network_.Release(request_slot);
    return;
  }
  const std::uint32_t partition_slot = topic_base_[request.topic] + request.partition;
  PartitionState& state = partitions_[partition_slot];
  const std::uint32_t slot = network_.NewPacket();
  Packet& response = network_.packet(slot);
  response.type = PacketType::kReplicaFetchResponse;
  response.sender = nodes_[leader_node].component;
  response.record = Record{};
  response.topic = request.topic;
  response.partition = request.partition;
  response.node = request.node;
  response.correlation = request.correlation;
  response.replica_fetch = request.replica_fetch;
  if (state.replication.leader() == static_cast<int>(leader_node)) {
    response.replica_reply =
        state.replication.Fetch(request.node, request.replica_fetch, engine_.now());
  } else {
    response.replica_reply = FetchReply{};
    response.replica_reply.error = ReplicationError::kNotLeader;
  }
  const std::uint32_t follower_node = request.node;
  network_.Release(request_slot);
  Send(leader_node, follower_node, slot);
  AfterChange(partition_slot);
}

void ReplicatedLog::WakeParkedReplicaFetches(std::uint32_t partition_slot) {
  const PartitionState& state = partitions_[partition_slot];
  for (ParkedFetch& parked : parked_) {
    if (!parked.active) continue;
    const Packet& fetch = network_.packet(parked.request);
    if (fetch.topic != state.topic || fetch.partition != state.partition) continue;
    parked.active = false;
    AnswerReplicaFetch(parked.leader_node, parked.request);
  }
}

void ReplicatedLog::OnReplicaFetchResponse(std::uint32_t node, const Packet& response) {
  const std::uint32_t partition_slot = topic_base_[response.topic] + response.partition;
  const std::uint32_t follower_slot = FollowerSlot(partition_slot, node);
  if (followers_[follower_slot].token != response.correlation) return;  // a stale reply
  partitions_[partition_slot].replication.ApplyFetch(node, response.replica_fetch,
                                                     response.replica_reply);
  if (response.replica_reply.error != ReplicationError::kNone) {
    engine_.ScheduleAfter(kReplicaFetchBackoff, self_, kFetchRetry,
                          SlotToken(follower_slot, followers_[follower_slot].token));
    return;
  }
  FetchAgain(follower_slot);
}

void ReplicatedLog::CrashNode(std::uint32_t node, sim::Time restart_after) {
  Node& crashed = nodes_[node];
  if (!crashed.live) return;
  crashed.live = false;
  ++crashed.incarnation;
  if (trace_) trace_->Record(engine_.now(), "crash", {TraceField::Text("component", crashed.name)});
  // Fetches and produce requests it held die with it, unanswered.
  for (ParkedFetch& parked : parked_) {
    if (!parked.active || parked.leader_node != node) continue;
    parked.active = false;
    network_.Release(parked.request);
  }
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->node != node) {
      ++it;
      continue;
    }
    network_.Release(it->reply);
    it = pending_.erase(it);
  }
  for (std::uint32_t slot = 0; slot < partitions_.size(); ++slot) {
    if (!partitions_[slot].replication.HasReplicaOn(node)) continue;
    partitions_[slot].replication.BrokerDown(node, ShutdownKind::kUnclean, engine_.now());
    AfterChange(slot);
  }
  if (restart_after != sim::kForever) {
    engine_.ScheduleAfter(restart_after, self_, kNodeRestart,
                          node | (std::uint64_t{crashed.incarnation} << 32));
  }
}

void ReplicatedLog::RestartNode(std::uint32_t node, std::uint32_t incarnation) {
  Node& restarted = nodes_[node];
  if (restarted.live || restarted.incarnation != incarnation) return;
  restarted.live = true;
  if (trace_) {
    trace_->Record(engine_.now(), "restart", {TraceField::Text("component", restarted.name)});
  }
  for (std::uint32_t slot = 0; slot < partitions_.size(); ++slot) {
    if (!partitions_[slot].replication.HasReplicaOn(node)) continue;
    partitions_[slot].replication.BrokerUp(node, engine_.now());
    AfterChange(slot);
  }
  for (std::uint32_t f = 0; f < followers_.size(); ++f) {
    if (followers_[f].node == node) FetchAgain(f);
  }
}

LinkId ReplicatedLog::ClientLink(std::uint32_t node, sim::ComponentId client) {
  auto& links = client_links_[node];
  if (client >= links.size()) links.resize(client + 1, kNoLink);
  if (links[client] == kNoLink) {
    links[client] = network_.Connect(nodes_[node].name, client_names_[client], client);
  }
  return links[client];
}

void ReplicatedLog::Send(std::uint32_t from_node, std::uint32_t to_node, std::uint32_t slot) {
  LinkId& link = node_links_[from_node * nodes_.size() + to_node];
  if (link == kNoLink) {
    link =
        network_.Connect(nodes_[from_node].name, nodes_[to_node].name, nodes_[to_node].component);
  }
  network_.Send(link, slot);
}

void ReplicatedLog::FillResults(std::vector<TopicResult>& topics) const {
  for (const PartitionState& state : partitions_) {
    TopicResult& topic = topics[state.topic];
    const PartitionReplication& model = state.replication;
    topic.replicated = true;
    topic.replication = scenario_.topics[state.topic].replication;
    topic.high_watermarks.push_back(model.high_watermark());
    topic.acknowledged_lost += model.acknowledged_lost();
    topic.elections += model.elections().size();
    for (const Election& election : model.elections()) {
      if (election.kind == ElectionKind::kUnclean) ++topic.unclean_elections;
    }
    if (model.leader() == kNoLeader) ++topic.offline_partitions;
  }
}

}  // namespace deliverysim::models
