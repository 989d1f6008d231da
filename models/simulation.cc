#include "models/simulation.h"

#include <algorithm>
#include <cassert>

namespace deliverysim::models {

// Samples every group's lag at a fixed interval, from time 0 to the end of the drain.
class Simulation::Sampler : public sim::Component {
 public:
  Sampler(sim::Engine& engine, const Scenario& scenario, const LogBroker& broker,
          std::vector<GroupMetrics*> metrics)
      : engine_(engine), scenario_(scenario), broker_(broker), metrics_(std::move(metrics)) {
    for (const ConsumerGroupConfig& group : scenario.consumers) {
      topics_.push_back(TopicIndex(scenario, group.topic));
    }
  }

  void Start(sim::ComponentId self) {
    self_ = self;
    engine_.Schedule(0, self_, 0, 0);
  }

  void OnEvent(const sim::Event&) override {
    for (std::uint32_t g = 0; g < metrics_.size(); ++g) {
      const std::uint32_t topic = topics_[g];
      for (std::uint32_t p = 0; p < broker_.partitions(topic); ++p) {
        const std::int64_t committed = broker_.committed(g, p);
        metrics_[g]->SampleMessageLag(broker_.log_end(topic, p) - (committed < 0 ? 0 : committed));
      }
      metrics_[g]->SampleTimeLag(engine_.now());
    }
    const sim::Time next = engine_.now() + scenario_.sample_interval;
    if (next <= scenario_.duration + scenario_.drain) engine_.Schedule(next, self_, 0, 0);
  }

 private:
  sim::Engine& engine_;
  const Scenario& scenario_;
  const LogBroker& broker_;
  std::vector<GroupMetrics*> metrics_;
  std::vector<std::uint32_t> topics_;  // per group
  sim::ComponentId self_ = 0;
};

Simulation::Simulation(const Scenario& scenario, sim::TraceSink* trace)
    : scenario_(scenario),
      ledger_(scenario.producers.size()),
      network_(engine_, scenario.seed, scenario.network, trace) {
  if (scenario.broker_kind != BrokerKind::kLog) {
    queue_world_ = std::make_unique<QueueWorld>(engine_, network_, ledger_, scenario, trace);
    return;
  }
  // Metrics and inboxes, one per group.
  std::vector<std::uint32_t> keys;
  for (const ProducerConfig& producer : scenario.producers) keys.push_back(producer.keys);
  std::vector<GroupMetrics*> metrics;
  for (const ConsumerGroupConfig& group : scenario.consumers) {
    std::vector<std::uint32_t> publishers;
    for (std::uint32_t p = 0; p < scenario.producers.size(); ++p) {
      if (scenario.producers[p].topic == group.topic) publishers.push_back(p);
    }
    metrics_.push_back(std::make_unique<GroupMetrics>(ledger_, publishers, keys));
    metrics.push_back(metrics_.back().get());
    inboxes_.push_back(group.commit == CommitStrategy::kInbox ? std::make_unique<Inbox>()
                                                              : nullptr);
    for (std::uint32_t i = 0; i < group.instances; ++i) {
      network_.SetGroupOf(InstanceName(group.group, i), group.group);
    }
  }

  broker_ = std::make_unique<LogBroker>(engine_, network_, scenario, metrics, trace);
  broker_->set_id(engine_.Register(broker_.get()));

  std::vector<Producer*> producers;
  for (std::uint32_t p = 0; p < scenario.producers.size(); ++p) {
    const ProducerConfig& config = scenario.producers[p];
    const std::uint32_t topic = TopicIndex(scenario, config.topic);
    producers_.push_back(std::make_unique<Producer>(engine_, network_, ledger_, config, p, topic,
                                                    broker_->partitions(topic), scenario.seed,
                                                    trace));
    const sim::ComponentId id = engine_.Register(producers_.back().get());
    broker_->AddClient(config.name, id);
    producers_.back()->Start(id, broker_->id());
    producers.push_back(producers_.back().get());
  }

  std::vector<ConsumerInstance*> consumers;
  for (std::uint32_t g = 0; g < scenario.consumers.size(); ++g) {
    const ConsumerGroupConfig& config = scenario.consumers[g];
    const std::uint32_t topic = TopicIndex(scenario, config.topic);
    for (std::uint32_t i = 0; i < config.instances; ++i) {
      consumers_.push_back(std::make_unique<ConsumerInstance>(
          engine_, network_, *broker_, config, g, i, topic, *metrics_[g], inboxes_[g].get(),
          scenario.seed, trace));
      const sim::ComponentId id = engine_.Register(consumers_.back().get());
      broker_->AddClient(consumers_.back()->name(), id);
      consumers_.back()->Start(id, broker_->id());
      consumers.push_back(consumers_.back().get());
    }
  }

  faults_ = std::make_unique<FaultInjector>(engine_, network_, scenario, producers, consumers);
  faults_->Start(engine_.Register(faults_.get()));
  sampler_ = std::make_unique<Sampler>(engine_, scenario, *broker_, metrics);
  sampler_->Start(engine_.Register(sampler_.get()));
}

Simulation::~Simulation() = default;

RunResult Simulation::Run(const std::function<void(double)>& on_progress) {
  const sim::Time end = scenario_.duration + scenario_.drain;
  // Running in slices changes nothing but how often progress is reported: the engine stops
  // between events, never inside one.
  constexpr int kSlices = 200;
  auto run_to = [&](sim::Time until) {
    while (engine_.now() < until) {
      engine_.RunUntil(std::min(until, engine_.now() + std::max<sim::Time>(1, end / kSlices)));
      if (on_progress) on_progress(static_cast<double>(engine_.now()) / static_cast<double>(end));
    }
  };
  run_to(scenario_.duration);
  for (auto& producer : producers_) producer->StopProducing();
  if (faults_) faults_->StopFaults();
  if (queue_world_) queue_world_->StopProducersAndFaults();
  run_to(end);

  RunResult result;
  result.scenario = scenario_.name;
  result.seed = scenario_.seed;
  result.duration = scenario_.duration;
  result.drain = scenario_.drain;
  if (queue_world_) queue_world_->Fill(result);
  for (std::uint32_t g = 0; g < metrics_.size(); ++g) {
    GroupResult group;
    group.group = scenario_.consumers[g].group;
    group.topic = scenario_.consumers[g].topic;
    group.commit = CommitStrategyName(scenario_.consumers[g].commit);
    metrics_[g]->Finish(group);
    result.groups.push_back(std::move(group));
  }
  for (std::uint32_t p = 0; p < producers_.size(); ++p) {
    ProducerResult producer = producers_[p]->Result();
    producer.topic = scenario_.producers[p].topic;
    result.producers.push_back(std::move(producer));
  }
  for (std::uint32_t t = 0; t < scenario_.topics.size() && broker_; ++t) {
    TopicResult topic{scenario_.topics[t].name, {}};
    for (std::uint32_t p = 0; p < broker_->partitions(t); ++p) {
      topic.log_end_offsets.push_back(broker_->log_end(t, p));
    }
    result.topics.push_back(std::move(topic));
  }
  result.packets_lost = network_.lost();
  result.packets_duplicated = network_.duplicated();
  result.events = engine_.events_run();
  return result;
}

}  // namespace deliverysim::models
