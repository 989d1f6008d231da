#include "models/simulation.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "models/flow_plan.h"
#include "sim/bitset.h"

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
    series_.resize(metrics_.size());
    // Keep every k-th sample for the series, so that no run keeps more than the limit.
    const sim::Time samples = (scenario.duration + scenario.drain) / scenario.sample_interval + 1;
    series_stride_ =
        static_cast<std::uint64_t>((samples + static_cast<sim::Time>(kMaxSeriesSamples) - 1) /
                                   static_cast<sim::Time>(kMaxSeriesSamples));
  }

  // The sampled series of group `g`, moved out at the end of the run.
  std::vector<SeriesSample> TakeSeries(std::uint32_t g) { return std::move(series_[g]); }

  void Start(sim::ComponentId self) {
    self_ = self;
    engine_.Schedule(0, self_, 0, 0);
  }

  void OnEvent(const sim::Event&) override {
    const bool keep = samples_taken_++ % series_stride_ == 0;
    for (std::uint32_t g = 0; g < metrics_.size(); ++g) {
      const std::uint32_t topic = topics_[g];
      std::int64_t total_lag = 0;
      for (std::uint32_t p = 0; p < broker_.partitions(topic); ++p) {
        const std::int64_t committed = broker_.committed(g, p);
        const std::int64_t lag = broker_.log_end(topic, p) - (committed < 0 ? 0 : committed);
        metrics_[g]->SampleMessageLag(lag);
        total_lag += lag < 0 ? 0 : lag;
      }
      const sim::Time time_lag = metrics_[g]->SampleTimeLag(engine_.now());
      if (keep) {
        series_[g].push_back({engine_.now(), total_lag, time_lag, metrics_[g]->processed()});
      }
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
  std::vector<std::vector<SeriesSample>> series_;  // per group
  std::uint64_t series_stride_ = 1;
  std::uint64_t samples_taken_ = 0;
};

Simulation::Simulation(const Scenario& scenario, sim::TraceSink* trace)
    : scenario_(scenario),
      ledger_(MessageSources(scenario)),
      network_(engine_, scenario.seed, scenario.network, trace),
      clocks_(scenario),
      schemas_(scenario) {
  if (scenario.broker_kind != BrokerKind::kLog) {
    queue_world_ = std::make_unique<QueueWorld>(engine_, network_, ledger_, scenario, trace);
    return;
  }
  // Metrics and inboxes, one per group.
  // Per message source: the producers' key counts, then none for services' events, whose
  // order is measured per flow instead.
  std::vector<std::uint32_t> keys(MessageSources(scenario), 0);
  for (std::uint32_t p = 0; p < scenario.producers.size(); ++p) {
    keys[p] = scenario.producers[p].keys;
  }
  std::vector<GroupMetrics*> metrics;
  for (const ConsumerGroupConfig& group : scenario.consumers) {
    // Forwarding groups carry messages on unchanged, so a topic's messages come from the
    // producers of every topic forwarded into it, directly or through other groups. A
    // service's events are new messages of its own source.
    std::set<std::string> sources{group.topic};
    for (bool grew = true; grew;) {
      grew = false;
      for (const ConsumerGroupConfig& other : scenario.consumers) {
        if (!other.produce_to.empty() && !other.service.active() &&
            sources.count(other.produce_to)) {
          grew = sources.insert(other.topic).second || grew;
        }
      }
    }
    std::vector<std::uint32_t> publishers;
    for (std::uint32_t p = 0; p < scenario.producers.size(); ++p) {
      if (sources.count(scenario.producers[p].topic)) publishers.push_back(p);
    }
    for (std::uint32_t g = 0; g < scenario.consumers.size(); ++g) {
      const ConsumerGroupConfig& other = scenario.consumers[g];
      if (other.service.active() && sources.count(other.produce_to)) {
        publishers.push_back(EmitterSource(scenario, g));
      }
    }
    metrics_.push_back(std::make_unique<GroupMetrics>(ledger_, publishers, keys));
    metrics.push_back(metrics_.back().get());
    inboxes_.push_back(group.commit == CommitStrategy::kInbox ? std::make_unique<Inbox>()
                                                              : nullptr);
    AddEventHandling(group, publishers, keys);
    for (std::uint32_t i = 0; i < group.instances; ++i) {
      network_.SetGroupOf(InstanceName(group.group, i), group.group);
    }
  }

  broker_ = std::make_unique<LogBroker>(engine_, network_, scenario, metrics, trace);
  broker_->Start(engine_.Register(broker_.get()));
  if (ReplicatedLog* cluster = broker_->cluster()) {
    cluster->Start(engine_.Register(cluster));
    for (std::uint32_t n = 0; n < cluster->node_count(); ++n) {
      nodes_.emplace_back(cluster->node_name(n), cluster->node_component(n));
    }
  }

  std::vector<Producer*> producers;
  for (std::uint32_t p = 0; p < scenario.producers.size(); ++p) {
    const ProducerConfig& config = scenario.producers[p];
    const std::uint32_t topic = TopicIndex(scenario, config.topic);
    producers_.push_back(std::make_unique<Producer>(engine_, network_, ledger_, config, p, topic,
                                                    broker_->partitions(topic), scenario.seed,
                                                    trace));
    const sim::ComponentId id = engine_.Register(producers_.back().get());
    broker_->AddClient(config.name, id);
    if (broker_->cluster()) producers_.back()->RouteToLeaders(broker_->cluster(), nodes_);
    producers_.back()->Start(id, broker_->id());
    producers.push_back(producers_.back().get());
  }

  for (std::uint32_t f = 0; f < scenario.flows.size(); ++f) {
    const FlowConfig& flow = scenario.flows[f];
    flow_metrics_.push_back(std::make_unique<FlowMetrics>(flow));
    for (std::uint32_t p = 0; p < scenario.producers.size(); ++p) {
      if (scenario.producers[p].name != flow.starter) continue;
      ledger_.Watch(p, flow_metrics_.back().get());
      if (flow.style == FlowStyle::kRequestResponse) {
        AddCallChain(f, p, trace);
      } else {
        producers_[p]->SetAcceptanceListener(flow_metrics_.back().get());
      }
    }
  }
  std::vector<FlowMetrics*> flow_metrics;
  for (const auto& flow : flow_metrics_) flow_metrics.push_back(flow.get());
  orchestrators_.resize(scenario.flows.size());
  for (std::uint32_t g = 0; g < scenario.consumers.size(); ++g) {
    const ServiceConfig& service = scenario.consumers[g].service;
    if (!service.active()) {
      services_.push_back(nullptr);
      continue;
    }
    Orchestrator* orchestrator = nullptr;
    if (service.orchestrates >= 0) {
      const auto f = static_cast<std::size_t>(service.orchestrates);
      orchestrators_[f] = std::make_unique<Orchestrator>(
          engine_, ledger_, scenario.flows[f], EmitterSource(scenario, g), *flow_metrics_[f]);
      orchestrators_[f]->Start(engine_.Register(orchestrators_[f].get()));
      orchestrator = orchestrators_[f].get();
    }
    services_.push_back(std::make_unique<Service>(service, ledger_, EmitterSource(scenario, g),
                                                  scenario.seed, flow_metrics, orchestrator,
                                                  trace));
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
      consumers_.back()->SetEventHandling(&schemas_, entity_tables_[g].get());
      if (!config.produce_to.empty()) {
        Producer& output = AddForwarder(config, *consumers_.back(), trace);
        if (Service* service = services_[g].get()) {
          consumers_.back()->SetService(service);
          if (config.service.orchestrates >= 0) {
            orchestrators_[static_cast<std::size_t>(config.service.orchestrates)]->AddOutput(
                &output);
          }
        }
      }
      const bool joins_late =
          std::any_of(scenario.membership_changes.begin(), scenario.membership_changes.end(),
                      [&](const MembershipChange& change) {
                        return change.kind == MembershipChange::Kind::kJoin &&
                               change.target == consumers_.back()->name();
                      });
      if (!joins_late) consumers_.back()->JoinGroup();
      consumers.push_back(consumers_.back().get());
    }
  }

  std::vector<RpcServer*> servers;
  for (const auto& server : servers_) servers.push_back(server.get());
  faults_ = std::make_unique<FaultInjector>(engine_, network_, scenario, producers, consumers);
  faults_->SetBrokers(broker_->cluster());
  for (RpcServer* server : servers) faults_->AddCrashable(server);
  faults_->Start(engine_.Register(faults_.get()));
  sampler_ = std::make_unique<Sampler>(engine_, scenario, *broker_, metrics);
  sampler_->Start(engine_.Register(sampler_.get()));
}

Simulation::~Simulation() = default;

void Simulation::AddCallChain(std::uint32_t f, std::uint32_t starter, sim::TraceSink*) {
  const FlowConfig& flow = scenario_.flows[f];
  callers_.push_back(
      std::make_unique<SyncCaller>(engine_, network_, ledger_, flow, *flow_metrics_[f]));
  SyncCaller& caller = *callers_.back();
  const sim::ComponentId caller_id = engine_.Register(&caller);
  caller.Start(caller_id);
  ledger_.Watch(starter, &caller);
  std::set<std::string> services;
  for (const FlowStep& step : flow.steps) {
    if (!services.insert(step.service).second) continue;
    call_ledgers_.push_back(std::make_unique<CallLedger>());
    const ConsumerGroupConfig& settings = ServiceSettings(flow, step.service);
    for (std::uint32_t k = 0; k < settings.instances; ++k) {
      servers_.push_back(std::make_unique<RpcServer>(
          engine_, network_, flow, f, InstanceName(step.service, k), settings.processing,
          scenario_.seed, *call_ledgers_.back(), *flow_metrics_[f]));
      RpcServer& server = *servers_.back();
      const sim::ComponentId id = engine_.Register(&server);
      server.Start(id, SyncCaller::NameOf(flow), caller_id);
      caller.AddInstance(step.service, server.name(), id);
    }
  }
}

void Simulation::AddEventHandling(const ConsumerGroupConfig& group,
                                  const std::vector<std::uint32_t>& publishers,
                                  const std::vector<std::uint32_t>& keys) {
  GroupMetrics& metrics = *metrics_.back();
  for (std::uint32_t p : publishers) {
    if (p < scenario_.producers.size() &&
        scenario_.producers[p].schema_change != SchemaChange::kNone) {
      metrics.ReportSchemaVersions();
    }
  }
  if (!group.keeps_entities) {
    entity_tables_.push_back(nullptr);
    return;
  }
  // Rows only for the producers whose events the group sees.
  std::vector<std::uint32_t> seen_keys(keys.size(), 0);
  for (std::uint32_t p : publishers) seen_keys[p] = keys[p];
  entity_tables_.push_back(
      std::make_unique<EntityStateTable>(group.ordering, group.precedence, clocks_, seen_keys));
  metrics.WatchEntities(entity_tables_.back().get(), group.ordering);
}

Producer& Simulation::AddForwarder(const ConsumerGroupConfig& group, ConsumerInstance& instance,
                                   sim::TraceSink* trace) {
  auto config = std::make_unique<ProducerConfig>();
  config->name = instance.name() + "-out";
  config->topic = group.produce_to;
  config->request_timeout = group.request_timeout;
  config->delivery_timeout =
      std::max(config->delivery_timeout, config->linger + config->request_timeout);
  config->idempotence = true;
  config->publish = group.service.publish;
  if (group.commit == CommitStrategy::kTransactional) config->transactional_id = config->name;
  // Slots after the scenario's producers, one per instance in order (see log_broker.cc).
  const auto index = static_cast<std::uint32_t>(scenario_.producers.size() + consumers_.size() - 1);
  const std::uint32_t topic = TopicIndex(scenario_, group.produce_to);
  forwarders_.push_back(std::make_unique<Producer>(engine_, network_, ledger_, *config, index,
                                                   topic, broker_->partitions(topic),
                                                   scenario_.seed, trace));
  forwarder_configs_.push_back(std::move(config));
  Producer& forwarder = *forwarders_.back();
  forwarder.MakeEmbedded(&instance);
  const sim::ComponentId id = engine_.Register(&forwarder);
  broker_->AddClient(forwarder.name(), id);
  if (broker_->cluster()) forwarder.RouteToLeaders(broker_->cluster(), nodes_);
  forwarder.Start(id, broker_->id());
  instance.SetOutput(&forwarder);
  return forwarder;
}

TopicResult Simulation::ScanTopic(std::uint32_t t, std::vector<MessageId>& aborted_only) const {
  TopicResult topic{scenario_.topics[t].name, {}};
  const auto is_aborted = [&](const Record& record) {
    return record.transaction != 0 && broker_->transaction_aborted(record.transaction);
  };
  // Copies outside aborted transactions are the ones a reader may take as real.
  std::vector<sim::GrowableBitset> visible(MessageSources(scenario_));
  for (std::uint32_t p = 0; p < broker_->partitions(t); ++p) {
    topic.log_end_offsets.push_back(broker_->log_end(t, p));
    for (std::int64_t offset = 0; offset < broker_->log_end(t, p); ++offset) {
      const Record& record = broker_->record(t, p, offset);
      if (record.kind != RecordKind::kData) continue;
      if (is_aborted(record)) {
        ++topic.aborted_records;
      } else if (visible[record.id.producer].TestAndSet(record.id.number)) {
        ++topic.duplicate_records;
      }
    }
  }
  // Messages whose every copy aborted: a group that processed one acted on nothing real.
  std::vector<sim::GrowableBitset> listed(MessageSources(scenario_));
  for (std::uint32_t p = 0; p < broker_->partitions(t); ++p) {
    for (std::int64_t offset = 0; offset < broker_->log_end(t, p); ++offset) {
      const Record& record = broker_->record(t, p, offset);
      if (record.kind != RecordKind::kData || !is_aborted(record)) continue;
      if (visible[record.id.producer].Test(record.id.number)) continue;
      if (!listed[record.id.producer].TestAndSet(record.id.number)) {
        aborted_only.push_back(record.id);
      }
    }
  }
  return topic;
}

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
  std::vector<std::vector<MessageId>> aborted_only(scenario_.topics.size());
  for (std::uint32_t t = 0; t < scenario_.topics.size() && broker_; ++t) {
    result.topics.push_back(ScanTopic(t, aborted_only[t]));
  }
  if (const ReplicatedLog* cluster = broker_ ? broker_->cluster() : nullptr) {
    // The scan covers what consumers can read; the log end is the leader's.
    for (std::uint32_t t = 0; t < scenario_.topics.size(); ++t) {
      for (std::uint32_t p = 0; p < broker_->partitions(t); ++p) {
        result.topics[t].log_end_offsets[p] = cluster->leader_log_end(t, p);
      }
    }
    cluster->FillResults(result.topics);
  }
  for (std::uint32_t g = 0; g < metrics_.size(); ++g) {
    const std::uint32_t topic = TopicIndex(scenario_, scenario_.consumers[g].topic);
    metrics_[g]->SetAbortedReads(static_cast<std::uint64_t>(
        std::count_if(aborted_only[topic].begin(), aborted_only[topic].end(),
                      [&](MessageId id) { return metrics_[g]->Processed(id); })));
  }
  for (std::uint32_t g = 0; g < metrics_.size(); ++g) {
    GroupResult group;
    group.group = scenario_.consumers[g].group;
    group.topic = scenario_.consumers[g].topic;
    group.commit = CommitStrategyName(scenario_.consumers[g].commit);
    metrics_[g]->Finish(group);
    group.series = sampler_->TakeSeries(g);
    result.groups.push_back(std::move(group));
  }
  for (std::uint32_t p = 0; p < producers_.size(); ++p) {
    ProducerResult producer = producers_[p]->Result();
    producer.topic = scenario_.producers[p].topic;
    result.producers.push_back(std::move(producer));
  }
  for (const auto& flow : flow_metrics_) result.flows.push_back(flow->Finish());
  result.packets_lost = network_.lost();
  result.packets_duplicated = network_.duplicated();
  result.events = engine_.events_run();
  return result;
}

}  // namespace deliverysim::models
