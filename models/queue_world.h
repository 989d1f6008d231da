// The components of a scenario whose broker is `kind: queue` or `kind: service-bus`: the queue
// broker, the producers (the log broker's Producer, whose acknowledgements are publisher confirms),
// the queue consumers, their metrics and a sampler of queue depth. Simulation builds it instead of
// the log broker's components and runs it the same way.
// Publishers are the log broker's Producer: they republish after retry_backoff, or by their
// `retry` policy (retry_policy.h), each message when its own wait runs out.
#pragma once

#include <memory>
#include <vector>

#include "models/fault_injector.h"
#include "models/group_metrics.h"
#include "models/ledger.h"
#include "models/network.h"
#include "models/producer.h"
#include "models/queue_broker.h"
#include "models/queue_consumer.h"
#include "models/run_result.h"
#include "models/scenario.h"
#include "models/service.h"
#include "sim/engine.h"
#include "sim/trace.h"

namespace deliverysim::models {

class QueueWorld {
 public:
  // Everything passed must outlive the world. REQUIRES: scenario.broker_kind is kQueue or
  // kServiceBus.
  QueueWorld(sim::Engine& engine, Network& network, MessageLedger& ledger, const Scenario& scenario,
             sim::TraceSink* trace);
  ~QueueWorld();

  // At the end of the duration: producers commit to nothing new and faults stop.
  void StopProducersAndFaults();

  // Fills the groups, producers and queue broker sections of `result`.
  void Fill(RunResult& result) const;

 private:
  class Sampler;

  // Gives the instance just added, of service group `g`, its publisher client.
  void AddServicePublisher(sim::Engine& engine, Network& network, MessageLedger& ledger,
                           std::uint32_t g, sim::TraceSink* trace);

  const Scenario& scenario_;
  std::vector<std::unique_ptr<GroupMetrics>> metrics_;
  std::vector<std::unique_ptr<Inbox>> inboxes_;  // per group; null without an inbox
  std::unique_ptr<QueueBroker> broker_;
  std::vector<std::unique_ptr<Producer>> producers_;
  std::vector<std::unique_ptr<QueueConsumer>> consumers_;
  std::vector<std::unique_ptr<Service>> services_;  // by group; null: not a service
  std::vector<std::unique_ptr<ProducerConfig>> publisher_configs_;
  std::vector<std::unique_ptr<Producer>> publishers_;  // services' instances' clients
  std::vector<std::uint32_t> group_of_consumer_;
  std::unique_ptr<FaultInjector> faults_;
  std::unique_ptr<Sampler> sampler_;
};

}  // namespace deliverysim::models
