// Injects a scenario's faults: crashes at a time, crashes armed for a step of processing,
// instances leaving and joining their groups, and windows of extra loss, duplication and delay
// on links. Faults stop when the drain period
// begins: pending crashes never strike and every link window closes. Restarts that a crash
// scheduled still happen, since recovering is not a fault.
#pragma once

#include <cstdint>
#include <vector>

#include "models/consumer.h"
#include "models/crashable.h"
#include "models/network.h"
#include "models/producer.h"
#include "models/replicated_log.h"
#include "models/scenario.h"
#include "sim/engine.h"

namespace deliverysim::models {

class FaultInjector : public sim::Component {
 public:
  static constexpr std::uint32_t kCrash = 1;             // arg: index in scenario.crashes
  static constexpr std::uint32_t kLinkFaultStart = 2;    // arg: index in scenario.link_faults
  static constexpr std::uint32_t kLinkFaultEnd = 3;      // arg: index in scenario.link_faults
  static constexpr std::uint32_t kMembershipChange = 4;  // arg: index in membership_changes

  // REQUIRES: every producer and consumer instance has started, so its links exist.
  FaultInjector(sim::Engine& engine, Network& network, const Scenario& scenario,
                std::vector<Producer*> producers, std::vector<ConsumerInstance*> consumers);

  // Lets crash faults strike `target` by its name too. Call before Start.
  void AddCrashable(Crashable* target) { crashables_.push_back(target); }
  // In a cluster of brokers, crash faults may also name broker nodes. Call before Start.
  void SetBrokers(ReplicatedLog* brokers) { brokers_ = brokers; }

  void Start(sim::ComponentId self);
  void StopFaults();
  void OnEvent(const sim::Event& event) override;

 private:
  Producer* FindProducer(const std::string& name) const;
  ConsumerInstance* FindConsumer(const std::string& name) const;
  void SetLinkFault(std::uint64_t index, bool active);

  sim::Engine& engine_;
  Network& network_;
  const Scenario& scenario_;
  std::vector<Producer*> producers_;
  std::vector<ConsumerInstance*> consumers_;
  std::vector<Crashable*> crashables_;
  std::vector<bool> link_fault_active_;
  ReplicatedLog* brokers_ = nullptr;  // null with a single broker
  bool stopped_ = false;
};

}  // namespace deliverysim::models
