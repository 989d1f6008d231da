// The front of a request-response flow (FlowStyle::kRequestResponse): each intent of the flow's
// starter is a user's request, and the caller performs the flow's steps by calling each step's
// service in turn, over the network, waiting for each answer. The user waits until the
// outcome is known: every step done, or one failed or given up, which answers with an error.
// The done steps are then compensated by further calls, as an orchestrator does.
//
// It is the Orchestrator's state machine with calls for commands: a call that gets no answer
// within `timeout` is made again, to the service's next instance, up to
// `max_attempts` calls. The caller itself does not crash.
//
// TODO: calls write nothing to the trace, so the timeline and `explain` see no request-response
// flow; only the run's flow metrics tell what happened.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/ledger.h"
#include "models/network.h"
#include "models/orchestrator.h"

namespace deliverysim::models {

class SyncCaller : public Orchestrator, public IntentWatcher {
 public:
  SyncCaller(sim::Engine& engine, Network& network, MessageLedger& ledger, const FlowConfig& flow,
             FlowMetrics& metrics);

  // The caller's name in link names: "order-caller".
  static std::string NameOf(const FlowConfig& flow) { return flow.name + "-caller"; }

  // Opens a link to instance `instance` of `service`. Call for every instance before Start.
  void AddInstance(const std::string& service, const std::string& instance,
                   sim::ComponentId component);

  // A user's request: the starter's intent numbers the flow.
  void OnIntent(MessageId id, sim::Time at) override;
  void OnEvent(const sim::Event& event) override;

 private:
  struct ServiceLinks {
    std::string name;
    std::vector<LinkId> instances;
  };

  void Transmit(std::uint32_t flow, FlowState& state, Producer* output) override;
  bool TransmitAgain(std::uint32_t flow, FlowState& state) override;
  void OnOutcome(std::uint32_t flow, bool ok) override {
    metrics_.OnResponse(flow, ok, engine_.now());
  }
  void OnCallReply(const Packet& reply);
  // Calls for the flow's pending command the instance `rotation` places after its first.
  void Call(std::uint32_t flow, const FlowState& state, std::uint32_t rotation);
  const ServiceLinks& ServiceFor(EventType asked) const;

  Network& network_;
  std::vector<ServiceLinks> services_;
};

}  // namespace deliverysim::models
