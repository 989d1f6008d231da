// One run of a scenario: builds the components, runs the scenario's duration, lets the system
// drain with producers and faults stopped, and reports what the metrics saw.
//
//   Simulation simulation(scenario, /*trace=*/nullptr);
//   RunResult result = simulation.Run();
//
// The same scenario (seed included) always gives the same RunResult, on any machine.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/consumer.h"
#include "models/entity_state_table.h"
#include "models/fault_injector.h"
#include "models/flow_metrics.h"
#include "models/group_metrics.h"
#include "models/inbox.h"
#include "models/ledger.h"
#include "models/log_broker.h"
#include "models/network.h"
#include "models/orchestrator.h"
#include "models/producer.h"
#include "models/producer_clocks.h"
#include "models/queue_world.h"
#include "models/replicated_log.h"
#include "models/rpc_server.h"
#include "models/run_result.h"
#include "models/scenario.h"
#include "models/schema_registry.h"
#include "models/service.h"
#include "models/sync_caller.h"
#include "sim/engine.h"
#include "sim/trace.h"

namespace deliverysim::models {

class Simulation {
 public:
  // `scenario` must outlive the simulation; `trace` may be null.
  Simulation(const Scenario& scenario, sim::TraceSink* trace);
  ~Simulation();

  // Runs to the end of the drain period. Call once. `on_progress`, when given, is called a few
  // hundred times with the fraction of simulated time done, for a progress display.
  RunResult Run(const std::function<void(double)>& on_progress = nullptr);

  const sim::Engine& engine() const { return engine_; }

 private:
  class Sampler;

  // A topic's log ends and copies, and the messages whose every copy in it aborted.
  TopicResult ScanTopic(std::uint32_t topic, std::vector<MessageId>& aborted_only) const;
  // Builds request-response flow `f`: its caller, fed by producer `starter`'s intents, and
  // its services' instances.
  void AddCallChain(std::uint32_t f, std::uint32_t starter, sim::TraceSink* trace);
  // Makes the schema registry's counts and, when the group keeps entity state, its entity
  // table, for the group whose metrics were just added.
  void AddEventHandling(const ConsumerGroupConfig& group,
                        const std::vector<std::uint32_t>& publishers,
                        const std::vector<std::uint32_t>& keys);
  // Gives a consume-transform-produce instance, or a service's, its producer client.
  Producer& AddForwarder(const ConsumerGroupConfig& group, ConsumerInstance& instance,
                         sim::TraceSink* trace);

  const Scenario& scenario_;
  sim::Engine engine_;
  MessageLedger ledger_;
  Network network_;
  std::vector<std::unique_ptr<GroupMetrics>> metrics_;
  std::vector<std::unique_ptr<Inbox>> inboxes_;
  ProducerClocks clocks_;
  SchemaRegistry schemas_;
  std::vector<std::unique_ptr<EntityStateTable>> entity_tables_;  // per group; null: none kept
  std::unique_ptr<LogBroker> broker_;
  // A cluster's broker nodes (names and components), by index; empty with a single broker.
  std::vector<std::pair<std::string, sim::ComponentId>> nodes_;
  std::vector<std::unique_ptr<Producer>> producers_;
  // The producer clients inside consume-transform-produce instances, and their settings.
  std::vector<std::unique_ptr<ProducerConfig>> forwarder_configs_;
  std::vector<std::unique_ptr<Producer>> forwarders_;
  std::vector<std::unique_ptr<FlowMetrics>> flow_metrics_;    // by flow
  std::vector<std::unique_ptr<Orchestrator>> orchestrators_;  // by flow; null: choreography
  std::vector<std::unique_ptr<SyncCaller>> callers_;          // request-response flows
  std::vector<std::unique_ptr<CallLedger>> call_ledgers_;     // per request-response service
  std::vector<std::unique_ptr<RpcServer>> servers_;
  std::vector<std::unique_ptr<Service>> services_;  // by group; null: no service
  std::vector<std::unique_ptr<ConsumerInstance>> consumers_;
  std::unique_ptr<FaultInjector> faults_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<QueueWorld> queue_world_;  // instead of all of the above for `kind: queue`
};

}  // namespace deliverysim::models
