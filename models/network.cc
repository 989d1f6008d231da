#include "models/network.h"

#include <algorithm>
#include <cassert>

namespace deliverysim::models {

namespace {

const char* PacketTypeName(PacketType type) {
  switch (type) {
    case PacketType::kProduce: return "produce";
    case PacketType::kProduceAck: return "produce-ack";
    case PacketType::kJoinGroup: return "join-group";
    case PacketType::kAssignment: return "assignment";
    case PacketType::kFetch: return "fetch";
    case PacketType::kFetchResponse: return "fetch-response";
    case PacketType::kCommit: return "commit";
    case PacketType::kCommitResponse: return "commit-response";
    case PacketType::kLeaveGroup: return "leave-group";
    case PacketType::kInitProducer: return "init-producer";
    case PacketType::kEndTransaction: return "end-transaction";
    case PacketType::kTxnResponse: return "transaction-response";
    case PacketType::kConsume: return "consume";
    case PacketType::kConsumeOk: return "consume-ok";
    case PacketType::kDeliver: return "deliver";
    case PacketType::kAck: return "ack";
    case PacketType::kNack: return "nack";
    case PacketType::kClose: return "close";
    case PacketType::kConnectionLost: return "connection-lost";
    case PacketType::kReplicaFetch: return "replica-fetch";
    case PacketType::kReplicaFetchResponse: return "replica-fetch-response";
    case PacketType::kCall: return "call";
    case PacketType::kCallReply: return "call-reply";
  }
  return "?";
}

// Independent chances combine: a packet survives only if it survives each of them.
double Combine(double base, const std::vector<const LinkFault*>& faults, double LinkFault::*p) {
  double survive = 1.0 - base;
  for (const LinkFault* fault : faults) survive *= 1.0 - fault->*p;
  return 1.0 - survive;
}

}  // namespace

Network::Network(sim::Engine& engine, std::uint64_t seed, const NetworkConfig& config,
                 sim::TraceSink* trace)
    : engine_(engine), seed_(seed), config_(config), trace_(trace) {}

LinkId Network::Connect(const std::string& from_name, const std::string& to_name,
                        sim::ComponentId to) {
  for (LinkId id = 0; id < links_.size(); ++id) {
    if (links_[id].from == from_name && links_[id].to == to_name) return id;
  }
  std::string name = from_name + "->" + to_name;
  Link link{from_name,
            to_name,
            name,
            to,
            config_.latency,
            0,
            0,
            {},
            sim::RandomStream::ForComponent(seed_, "link:" + name),
            0};
  // Later entries of the scenario's link list override earlier ones for the same pair.
  for (const LinkConfig& entry : config_.links) {
    if (!NameMatches(entry.from, from_name) || !NameMatches(entry.to, to_name)) continue;
    if (entry.has_latency) link.latency = entry.latency;
    link.loss = entry.loss;
    link.duplicate = entry.duplicate;
  }
  links_.push_back(std::move(link));
  return static_cast<LinkId>(links_.size() - 1);
}

std::uint32_t Network::NewPacket() {
  std::uint32_t slot = packets_.Acquire();
  packets_[slot].ranges.clear();
  packets_[slot].records.clear();
  packets_[slot].batches.clear();
  return slot;
}

void Network::TraceLoss(const Link& link, const Packet& packet) {
  // Replication between broker nodes carries no producer record; it names its partition.
  if (packet.type == PacketType::kReplicaFetch ||
      packet.type == PacketType::kReplicaFetchResponse) {
    trace_->Record(engine_.now(), "link-loss",
                   {sim::TraceField::Text("link", link.name),
                    sim::TraceField::Text("packet", PacketTypeName(packet.type)),
                    sim::TraceField::Number("partition", packet.partition)});
    return;
  }
  // A produce batch names each of its records, so that a message's story shows the loss.
  auto record_loss = [&](const Record& record) {
    trace_->Record(engine_.now(), "link-loss",
                   {sim::TraceField::Text("link", link.name),
                    sim::TraceField::Text("packet", PacketTypeName(packet.type)),
                    sim::TraceField::Number("producer", record.id.producer),
                    sim::TraceField::Number("message", record.id.number)});
  };
  if (packet.records.empty()) {
    record_loss(packet.record);
  } else {
    for (const Record& record : packet.records) record_loss(record);
  }
}

void Network::Send(LinkId id, std::uint32_t slot) {
  Link& link = links_[id];
  const double loss = Combine(link.loss, link.faults, &LinkFault::loss);
  if (sim::SampleBernoulli(link.random, loss)) {
    ++lost_;
    if (trace_) TraceLoss(link, packets_[slot]);
    packets_.Release(slot);
    return;
  }
  const bool duplicate = sim::SampleBernoulli(
      link.random, Combine(link.duplicate, link.faults, &LinkFault::duplicate));
  const sim::Time arrival = Deliver(link, slot, engine_.now());
  if (!duplicate) return;

  ++duplicated_;
  const std::uint32_t copy = packets_.Acquire();
  packets_[copy] = packets_[slot];
  engine_.Schedule(arrival, link.target, kPacketArrived, copy);
  if (trace_) {
    trace_->Record(engine_.now(), "link-duplicate",
                   {sim::TraceField::Text("link", link.name),
                    sim::TraceField::Text("packet", PacketTypeName(packets_[slot].type)),
                    sim::TraceField::Number("producer", packets_[slot].record.id.producer),
                    sim::TraceField::Number("message", packets_[slot].record.id.number)});
  }
}

sim::Time Network::Deliver(Link& link, std::uint32_t slot, sim::Time earliest) {
  sim::Time latency = link.latency.SampleTime(link.random);
  for (const LinkFault* fault : link.faults) {
    // Each sample is at most kMaxSampledTime; their sum is held there too (without adding
    // past it first), so adding it to the clock cannot overflow.
    if (fault->has_delay) {
      const sim::Time delay = fault->delay.SampleTime(link.random);
      latency = latency > sim::kMaxSampledTime - delay ? sim::kMaxSampledTime : latency + delay;
    }
  }
  const sim::Time arrival = std::max(earliest + latency, link.last_arrival);
  link.last_arrival = arrival;
  engine_.Schedule(arrival, link.target, kPacketArrived, slot);
  return arrival;
}

void Network::AddFault(LinkId link, const LinkFault& fault) {
  links_[link].faults.push_back(&fault);
}

void Network::RemoveFault(LinkId link, const LinkFault& fault) {
  auto& faults = links_[link].faults;
  faults.erase(std::remove(faults.begin(), faults.end(), &fault), faults.end());
}

std::vector<LinkId> Network::Find(const std::string& from, const std::string& to) const {
  std::vector<LinkId> found;
  for (LinkId id = 0; id < links_.size(); ++id) {
    if (NameMatches(from, links_[id].from) && NameMatches(to, links_[id].to)) found.push_back(id);
  }
  return found;
}

void Network::SetGroupOf(const std::string& instance, const std::string& group) {
  group_of_.emplace_back(instance, group);
}

bool Network::NameMatches(const std::string& pattern, const std::string& name) const {
  if (pattern == name) return true;
  return std::any_of(group_of_.begin(), group_of_.end(), [&](const auto& entry) {
    return entry.first == name && entry.second == pattern;
  });
}

}  // namespace deliverysim::models
