#include "models/rpc_server.h"

#include <cassert>

#include "models/service.h"

namespace deliverysim::models {

RpcServer::RpcServer(sim::Engine& engine, Network& network, const FlowConfig& flow,
                     std::uint32_t flow_index, std::string name, sim::Distribution processing,
                     std::uint64_t seed, CallLedger& ledger, FlowMetrics& metrics)
    : engine_(engine),
      network_(network),
      flow_(flow),
      flow_index_(flow_index),
      name_(std::move(name)),
      processing_(processing),
      seed_(seed),
      ledger_(ledger),
      metrics_(metrics),
      random_(sim::RandomStream::ForComponent(seed, "rpc:" + name_)) {}

void RpcServer::Start(sim::ComponentId self, const std::string& caller,
                      sim::ComponentId caller_id) {
  self_ = self;
  reply_link_ = network_.Connect(name_, caller, caller_id);
}

void RpcServer::OnEvent(const sim::Event& event) {
  switch (event.kind) {
    case kPacketArrived: {
      const auto slot = static_cast<std::uint32_t>(event.arg);
      const Packet& packet = network_.packet(slot);
      if (alive_ && packet.type == PacketType::kCall) {
        queue_.push_back({packet.record.flow, static_cast<std::uint64_t>(packet.offset),
                          packet.record.event_type});
        if (!busy_) StartNext();
      }
      network_.Release(slot);
      break;
    }
    case kDone:
      if (event.arg == incarnation_) Finish();
      break;
    case kRestart:
      if (event.arg == incarnation_ && !alive_) alive_ = true;
      break;
    default: assert(false && "unknown rpc server event");
  }
}

void RpcServer::StartNext() {
  if (queue_.empty()) return;
  busy_ = true;
  engine_.ScheduleAfter(processing_.SampleTime(random_), self_, kDone, incarnation_);
}

void RpcServer::Finish() {
  busy_ = false;
  const Call call = queue_.front();
  queue_.pop_front();
  const bool ok = Perform(call);
  const std::uint32_t slot = network_.NewPacket();
  Packet& reply = network_.packet(slot);
  reply.type = PacketType::kCallReply;
  reply.sender = self_;
  reply.correlation = call.flow;
  reply.offset = static_cast<std::int64_t>(call.number);
  reply.accepted = ok;
  reply.record = Record{};
  reply.record.flow = call.flow;
  reply.record.event_type = call.asked;
  network_.Send(reply_link_, slot);
  StartNext();
}

bool RpcServer::Perform(const Call& call) {
  if (const bool* known = ledger_.Find(call.flow, call.asked)) return *known;
  for (std::uint32_t i = 0; i < flow_.steps.size(); ++i) {
    const FlowStep& step = flow_.steps[i];
    if (call.asked == step.command) {
      const bool fails =
          step.failure > 0 && FlowStepDraw(seed_, flow_index_, call.flow, i, RuleRole::kStep,
                                           kFailureDraw) < step.failure;
      metrics_.OnStepEffect(call.flow, i, fails, engine_.now());
      ledger_.Record(call.flow, call.asked, !fails);
      return !fails;
    }
    if (!step.compensation.empty() && call.asked == step.compensation_command) {
      metrics_.OnCompensationEffect(call.flow, i, engine_.now());
      ledger_.Record(call.flow, call.asked, true);
      return true;
    }
  }
  assert(false && "a call for no step of the flow");
  return false;
}

void RpcServer::Crash(sim::Time restart_after) {
  if (!alive_) return;
  alive_ = false;
  busy_ = false;
  queue_.clear();
  ++incarnation_;
  if (restart_after != sim::kForever) {
    engine_.ScheduleAfter(restart_after, self_, kRestart, incarnation_);
  }
}

}  // namespace deliverysim::models
