#include "models/fault_injector.h"

#include <cassert>

namespace deliverysim::models {

FaultInjector::FaultInjector(sim::Engine& engine, Network& network, const Scenario& scenario,
                             std::vector<Producer*> producers,
                             std::vector<ConsumerInstance*> consumers)
    : engine_(engine),
      network_(network),
      scenario_(scenario),
      producers_(std::move(producers)),
      consumers_(std::move(consumers)),
      link_fault_active_(scenario.link_faults.size(), false) {}

void FaultInjector::Start(sim::ComponentId self) {
  for (std::uint64_t i = 0; i < scenario_.crashes.size(); ++i) {
    const CrashFault& crash = scenario_.crashes[i];
    if (crash.step == CrashStep::kAtTime) {
      engine_.Schedule(crash.at, self, kCrash, i);
    } else if (Producer* producer = FindProducer(crash.target)) {
      producer->ArmCrash(crash.step, crash.at, crash.restart_after);
    } else {
      ConsumerInstance* consumer = FindConsumer(crash.target);
      assert(consumer && "the loader checks that a crash names a producer or an instance");
      consumer->ArmCrash(crash.step, crash.at, crash.restart_after);
    }
  }
  for (std::uint64_t i = 0; i < scenario_.membership_changes.size(); ++i) {
    engine_.Schedule(scenario_.membership_changes[i].at, self, kMembershipChange, i);
  }
  for (std::uint64_t i = 0; i < scenario_.link_faults.size(); ++i) {
    const LinkFault& fault = scenario_.link_faults[i];
    engine_.Schedule(fault.start, self, kLinkFaultStart, i);
    if (fault.end != sim::kForever) engine_.Schedule(fault.end, self, kLinkFaultEnd, i);
  }
}

void FaultInjector::StopFaults() {
  stopped_ = true;
  for (std::uint64_t i = 0; i < link_fault_active_.size(); ++i) SetLinkFault(i, false);
  for (ConsumerInstance* consumer : consumers_) consumer->DisarmCrashes();
  for (Producer* producer : producers_) producer->DisarmCrashes();
}

void FaultInjector::OnEvent(const sim::Event& event) {
  if (stopped_) return;
  switch (event.kind) {
    case kCrash: {
      const CrashFault& crash = scenario_.crashes[event.arg];
      if (Producer* producer = FindProducer(crash.target)) producer->Crash(crash.restart_after);
      if (ConsumerInstance* consumer = FindConsumer(crash.target)) {
        consumer->Crash(crash.restart_after);
      }
      for (Crashable* target : crashables_) {
        if (target->name() == crash.target) target->Crash(crash.restart_after);
      }
      if (const int node = brokers_ ? brokers_->FindNode(crash.target) : -1; node >= 0) {
        brokers_->CrashNode(static_cast<std::uint32_t>(node), crash.restart_after);
      }
      break;
    }
    case kMembershipChange: {
      const MembershipChange& change = scenario_.membership_changes[event.arg];
      ConsumerInstance* consumer = FindConsumer(change.target);
      assert(consumer && "the loader allows membership changes only for consumer instances");
      if (change.kind == MembershipChange::Kind::kJoin) {
        consumer->JoinGroup();
      } else {
        consumer->Leave(change.rejoin_after);
      }
      break;
    }
    case kLinkFaultStart: SetLinkFault(event.arg, true); break;
    case kLinkFaultEnd: SetLinkFault(event.arg, false); break;
    default: assert(false && "unknown fault event");
  }
}

void FaultInjector::SetLinkFault(std::uint64_t index, bool active) {
  if (link_fault_active_[index] == active) return;
  link_fault_active_[index] = active;
  const LinkFault& fault = scenario_.link_faults[index];
  for (LinkId link : network_.Find(fault.from, fault.to)) {
    if (active) {
      network_.AddFault(link, fault);
    } else {
      network_.RemoveFault(link, fault);
    }
  }
}

Producer* FaultInjector::FindProducer(const std::string& name) const {
  for (Producer* producer : producers_) {
    if (producer->name() == name) return producer;
  }
  return nullptr;
}

ConsumerInstance* FaultInjector::FindConsumer(const std::string& name) const {
  for (ConsumerInstance* consumer : consumers_) {
    if (consumer->name() == name) return consumer;
  }
  return nullptr;
}

}  // namespace deliverysim::models
