#include "models/sync_caller.h"

#include <cassert>

namespace deliverysim::models {

SyncCaller::SyncCaller(sim::Engine& engine, Network& network, MessageLedger& ledger,
                       const FlowConfig& flow, FlowMetrics& metrics)
    : Orchestrator(engine, ledger, flow, kNoMessages, metrics), network_(network) {}

void SyncCaller::AddInstance(const std::string& service, const std::string& instance,
                             sim::ComponentId component) {
  ServiceLinks* links = nullptr;
  for (ServiceLinks& existing : services_) {
    if (existing.name == service) links = &existing;
  }
  if (links == nullptr) {
    services_.push_back({service, {}});
    links = &services_.back();
  }
  links->instances.push_back(network_.Connect(NameOf(flow_), instance, component));
}

void SyncCaller::OnIntent(MessageId id, sim::Time) {
  Record start;
  start.flow = id.number;
  start.event_type = flow_.started;
  OnProcessed(start, nullptr);
}

void SyncCaller::OnEvent(const sim::Event& event) {
  if (event.kind != kPacketArrived) {
    Orchestrator::OnEvent(event);
    return;
  }
  const auto slot = static_cast<std::uint32_t>(event.arg);
  OnCallReply(network_.packet(slot));
  network_.Release(slot);
}

void SyncCaller::OnCallReply(const Packet& reply) {
  const std::uint32_t flow = reply.record.flow;
  const EventType asked = reply.record.event_type;
  for (const FlowStep& step : flow_.steps) {
    EventType answer = kUntypedEvent;
    if (asked == step.command) answer = reply.accepted ? step.done : step.failed;
    if (!step.compensation.empty() && asked == step.compensation_command) {
      answer = step.compensated;
    }
    if (answer != kUntypedEvent) {
      OnReply(flow, Of(flow), answer, nullptr);
      return;
    }
  }
}

const SyncCaller::ServiceLinks& SyncCaller::ServiceFor(EventType asked) const {
  for (const FlowStep& step : flow_.steps) {
    if (asked != step.command && asked != step.compensation_command) continue;
    for (const ServiceLinks& links : services_) {
      if (links.name == step.service) return links;
    }
  }
  assert(false && "a call for no service of the flow");
  return services_.front();
}

void SyncCaller::Transmit(std::uint32_t flow, FlowState& state, Producer*) { Call(flow, state, 0); }

bool SyncCaller::TransmitAgain(std::uint32_t flow, FlowState& state) {
  Call(flow, state, state.attempts);  // the attempts made so far: the next instance along
  return true;
}

void SyncCaller::Call(std::uint32_t flow, const FlowState& state, std::uint32_t rotation) {
  // A flow's first call goes to instance (flow mod n), spreading flows over the instances;
  // each call made again goes to the next one, so a retry never returns to the instance that
  // just failed to answer (unless there is only one).
  const ServiceLinks& service = ServiceFor(state.command.event_type);
  const LinkId link = service.instances[(flow + rotation) % service.instances.size()];
  const std::uint32_t slot = network_.NewPacket();
  Packet& call = network_.packet(slot);
  call.type = PacketType::kCall;
  call.correlation = flow;
  call.offset = static_cast<std::int64_t>(state.sends);
  call.record = Record{};
  call.record.flow = flow;
  call.record.event_type = state.command.event_type;
  network_.Send(link, slot);
}

}  // namespace deliverysim::models
