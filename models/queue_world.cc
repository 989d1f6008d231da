#include "models/queue_world.h"

#include <algorithm>

namespace deliverysim::models {

// Samples each group's queue depth (ready plus unacknowledged) and time lag at a fixed
// interval, from time 0 to the end of the drain.
class QueueWorld::Sampler : public sim::Component {
 public:
  Sampler(sim::Engine& engine, const Scenario& scenario, const QueueBroker& broker,
          std::vector<GroupMetrics*> metrics)
      : engine_(engine), scenario_(scenario), broker_(broker), metrics_(std::move(metrics)) {
    for (const ConsumerGroupConfig& group : scenario.consumers) {
      queues_.push_back(broker.QueueIndex(group.topic));
    }
  }

  void Start(sim::ComponentId self) {
    self_ = self;
    engine_.Schedule(0, self_, 0, 0);
  }

  void OnEvent(const sim::Event&) override {
    for (std::size_t g = 0; g < metrics_.size(); ++g) {
      metrics_[g]->SampleMessageLag(static_cast<std::int64_t>(broker_.Depth(queues_[g])));
      metrics_[g]->SampleTimeLag(engine_.now());
      metrics_[g]->SampleOldestMessageAge(broker_.OldestMessageAge(queues_[g]));
    }
    const sim::Time next = engine_.now() + scenario_.sample_interval;
    if (next <= scenario_.duration + scenario_.drain) engine_.Schedule(next, self_, 0, 0);
  }

 private:
  sim::Engine& engine_;
  const Scenario& scenario_;
  const QueueBroker& broker_;
  std::vector<GroupMetrics*> metrics_;
  std::vector<std::uint32_t> queues_;  // per group
  sim::ComponentId self_ = 0;
};

QueueWorld::QueueWorld(sim::Engine& engine, Network& network, MessageLedger& ledger,
                       const Scenario& scenario, sim::TraceSink* trace)
    : scenario_(scenario) {
  broker_ = std::make_unique<QueueBroker>(engine, network, scenario, trace);
  broker_->set_id(engine.Register(broker_.get()));

  // A group measures the producers whose messages its queue receives by routing.
  // Per message source: the producers' key counts, then none for services' events.
  std::vector<std::uint32_t> keys(MessageSources(scenario), 0);
  for (std::uint32_t p = 0; p < scenario.producers.size(); ++p) {
    keys[p] = scenario.producers[p].keys;
  }
  std::vector<GroupMetrics*> metrics;
  for (const ConsumerGroupConfig& group : scenario.consumers) {
    const std::uint32_t queue = broker_->QueueIndex(group.topic);
    std::vector<std::uint32_t> publishers;
    for (std::uint32_t p = 0; p < MessageSources(scenario); ++p) {
      const auto& routes = broker_->RoutesOf(p);
      if (std::find(routes.begin(), routes.end(), queue) != routes.end()) publishers.push_back(p);
    }
    metrics_.push_back(std::make_unique<GroupMetrics>(ledger, publishers, keys));
    metrics.push_back(metrics_.back().get());
    broker_->SetQueueMetrics(queue, metrics_.back().get());
    inboxes_.push_back(group.queue.inbox == InboxMode::kNone ? nullptr : std::make_unique<Inbox>());
    for (std::uint32_t i = 0; i < group.instances; ++i) {
      network.SetGroupOf(InstanceName(group.group, i), group.group);
    }
  }

  for (std::uint32_t g = 0; g < scenario.consumers.size(); ++g) {
    const ServiceConfig& service = scenario.consumers[g].service;
    services_.push_back(service.active()
                            ? std::make_unique<Service>(service, ledger, EmitterSource(scenario, g),
                                                        scenario.seed, std::vector<FlowMetrics*>{},
                                                        nullptr, trace)
                            : nullptr);
  }

  std::vector<Producer*> producers;
  for (std::uint32_t p = 0; p < scenario.producers.size(); ++p) {
    // One "partition": a queue broker has none, and the producer's choice goes unused.
    producers_.push_back(std::make_unique<Producer>(engine, network, ledger, scenario.producers[p],
                                                    p, 0, 1, scenario.seed, trace));
    const sim::ComponentId id = engine.Register(producers_.back().get());
    broker_->AddPublisher(id, p, scenario.producers[p].name);
    producers_.back()->Start(id, broker_->id());
    producers.push_back(producers_.back().get());
  }

  for (std::uint32_t g = 0; g < scenario.consumers.size(); ++g) {
    const ConsumerGroupConfig& group = scenario.consumers[g];
    for (std::uint32_t i = 0; i < group.instances; ++i) {
      consumers_.push_back(std::make_unique<QueueConsumer>(engine, network, scenario, group, i,
                                                           *metrics_[g], inboxes_[g].get(), trace));
      group_of_consumer_.push_back(g);
      const sim::ComponentId id = engine.Register(consumers_.back().get());
      broker_->AddConsumer(id, consumers_.back()->name(), group);
      consumers_.back()->Start(id, broker_->id());
      if (services_[g]) AddServicePublisher(engine, network, ledger, g, trace);
    }
  }

  faults_ = std::make_unique<FaultInjector>(engine, network, scenario, producers,
                                            std::vector<ConsumerInstance*>{});
  faults_->AddCrashable(broker_.get());
  for (auto& consumer : consumers_) faults_->AddCrashable(consumer.get());
  faults_->Start(engine.Register(faults_.get()));
  sampler_ = std::make_unique<Sampler>(engine, scenario, *broker_, metrics);
  sampler_->Start(engine.Register(sampler_.get()));
}

QueueWorld::~QueueWorld() = default;

void QueueWorld::AddServicePublisher(sim::Engine& engine, Network& network, MessageLedger& ledger,
                                     std::uint32_t g, sim::TraceSink* trace) {
  QueueConsumer& instance = *consumers_.back();
  auto config = std::make_unique<ProducerConfig>(QueueServicePublisher(scenario_, g));
  config->name = instance.name() + "-out";
  const std::uint32_t source = EmitterSource(scenario_, g);
  publishers_.push_back(std::make_unique<Producer>(engine, network, ledger, *config, source, 0, 1,
                                                   scenario_.seed, trace));
  publisher_configs_.push_back(std::move(config));
  Producer& publisher = *publishers_.back();
  publisher.MakeEmbedded(nullptr);
  const sim::ComponentId id = engine.Register(&publisher);
  broker_->AddPublisher(id, source, publisher.name());
  publisher.Start(id, broker_->id());
  instance.SetService(services_[g].get(), &publisher);
}

void QueueWorld::StopProducersAndFaults() {
  for (auto& producer : producers_) producer->StopProducing();
  faults_->StopFaults();
}

void QueueWorld::Fill(RunResult& result) const {
  for (std::uint32_t g = 0; g < scenario_.consumers.size(); ++g) {
    const ConsumerGroupConfig& config = scenario_.consumers[g];
    GroupResult group;
    group.group = config.group;
    group.topic = config.topic;
    group.commit = scenario_.broker_kind == BrokerKind::kServiceBus
                       ? ReceiveModeName(config.queue.ack)
                       : AckModeName(config.queue.ack);
    metrics_[g]->Finish(group);
    result.groups.push_back(std::move(group));
  }
  for (std::uint32_t p = 0; p < producers_.size(); ++p) {
    ProducerResult producer = producers_[p]->Result();
    // A Service Bus sender names its queue; the exchange is the loader's hidden one.
    const ProducerConfig& config = scenario_.producers[p];
    producer.topic =
        scenario_.broker_kind == BrokerKind::kServiceBus ? config.routing_key : config.exchange;
    result.producers.push_back(std::move(producer));
  }
  result.has_queue_broker = true;
  broker_->Fill(result.queue_broker);
  for (std::size_t c = 0; c < consumers_.size(); ++c) {
    const std::string& queue = scenario_.consumers[group_of_consumer_[c]].topic;
    for (QueueResult& stats : result.queue_broker.queues) {
      if (stats.name != queue) continue;
      stats.consumer_crashes += consumers_[c]->crashes();
      stats.handler_retries += consumers_[c]->handler_retries();
    }
  }
}

}  // namespace deliverysim::models
