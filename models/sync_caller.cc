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
    services_.push_back({service, {}, 0});
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

SyncCaller::ServiceLinks& SyncCaller::ServiceFor(EventType asked) {
  for (const FlowStep& step : flow_.steps) {
    if (asked != step.command && asked != step.compensation_command) continue;
    for (ServiceLinks& links : services_) {
      if (links.name == step.service) return links;
    }
  }
  assert(false && "a call for no service of the flow");
  return services_.front();
}

void SyncCaller::Transmit(std::uint32_t flow, FlowState& state, Producer*) {
  TransmitAgain(flow, state);
}

bool SyncCaller::TransmitAgain(std::uint32_t flow, FlowState& state) {
  ServiceLinks& service = ServiceFor(state.command.event_type);
  const LinkId link = service.instances[service.next];
  service.next = (service.next + 1) % service.instances.size();
  const std::uint32_t slot = network_.NewPacket();
  Packet& call = network_.packet(slot);
  call.type = PacketType::kCall;
  call.correlation = flow;
  call.offset = static_cast<std::int64_t>(state.sends);
  call.record = Record{};
  call.record.flow = flow;
  call.record.event_type = state.command.event_type;
  network_.Send(link, slot);
  return true;
}

}  // namespace deliverysim::models
