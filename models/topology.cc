#include "models/topology.h"

#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>

namespace deliverysim::models {

namespace {

// Records the first cycle the search meets, as the list of its vertices.
class CycleFinder : public boost::default_dfs_visitor {
 public:
  CycleFinder(std::vector<Topology::Vertex>& parent, std::vector<Topology::Vertex>& cycle)
      : parent_(parent), cycle_(cycle) {}

  template <typename Graph>
  void tree_edge(TopologyGraph::edge_descriptor e, const Graph& g) {
    parent_[boost::target(e, g)] = boost::source(e, g);
  }
  template <typename Graph>
  void back_edge(TopologyGraph::edge_descriptor e, const Graph& g) {
    if (!cycle_.empty()) return;
    const Topology::Vertex top = boost::target(e, g);
    for (Topology::Vertex v = boost::source(e, g); v != top; v = parent_[v]) cycle_.push_back(v);
    cycle_.push_back(top);
  }

 private:
  std::vector<Topology::Vertex>& parent_;
  std::vector<Topology::Vertex>& cycle_;
};

// The first cycle among event types that services' rules turn into one another, as
// "a -> b -> a", or "" when there is none. An orchestrator's state machine never loops.
std::string RuleCycle(const Scenario& scenario) {
  using TypeGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  TypeGraph types(scenario.event_types.size());
  for (const ConsumerGroupConfig& group : scenario.consumers) {
    for (const ServiceRule& rule : group.service.rules) {
      if (rule.emit != kUntypedEvent) boost::add_edge(rule.on, rule.emit, types);
      if (rule.on_failure != kUntypedEvent) boost::add_edge(rule.on, rule.on_failure, types);
    }
  }
  std::vector<TypeGraph::vertex_descriptor> parent(boost::num_vertices(types));
  std::vector<TypeGraph::vertex_descriptor> cycle;
  struct Finder : boost::default_dfs_visitor {
    std::vector<TypeGraph::vertex_descriptor>* parent;
    std::vector<TypeGraph::vertex_descriptor>* cycle;
    void tree_edge(TypeGraph::edge_descriptor e, const TypeGraph& g) const {
      (*parent)[boost::target(e, g)] = boost::source(e, g);
    }
    void back_edge(TypeGraph::edge_descriptor e, const TypeGraph& g) const {
      if (!cycle->empty()) return;
      const auto top = boost::target(e, g);
      for (auto v = boost::source(e, g); v != top; v = (*parent)[v]) cycle->push_back(v);
      cycle->push_back(top);
    }
  };
  Finder finder;
  finder.parent = &parent;
  finder.cycle = &cycle;
  boost::depth_first_search(types, boost::visitor(finder));
  if (cycle.empty()) return "";
  std::string path;
  for (auto it = cycle.rbegin(); it != cycle.rend(); ++it) {
    path += scenario.event_types[*it] + " -> ";
  }
  return path + scenario.event_types[cycle.back()];
}

// A request-response flow's starter calls each of its services, which serve from instances.
void AddCalledServices(const Scenario& scenario, const ProducerConfig& starter,
                       Topology::Vertex from, Topology& topology) {
  for (const FlowConfig& flow : scenario.flows) {
    if (flow.name.empty() || flow.starter != starter.name) continue;
    for (const FlowStep& step : flow.steps) {
      if (topology.Find(NodeKind::kService, step.service)) continue;
      const auto service = topology.AddNode(NodeKind::kService, step.service, "flows");
      topology.AddEdge(from, service, "calls");
      const auto it = flow.service_settings.find(step.service);
      const std::uint32_t instances =
          (it != flow.service_settings.end() ? it->second : flow.services).instances;
      for (std::uint32_t i = 0; i < instances && i < kMaxDrawnMembers; ++i) {
        topology.AddEdge(service,
                         topology.AddNode(NodeKind::kInstance, InstanceName(step.service, i)), "");
      }
    }
  }
}

bool IsReader(NodeKind kind) { return kind == NodeKind::kGroup || kind == NodeKind::kService; }

}  // namespace

Topology::Vertex Topology::AddNode(NodeKind kind, const std::string& name, const std::string& key) {
  auto [it, fresh] = index_.try_emplace({kind, name}, 0);
  if (fresh) it->second = boost::add_vertex(TopologyNode{kind, name, key}, graph_);
  return it->second;
}

void Topology::AddEdge(Vertex from, Vertex to, const std::string& label) {
  boost::add_edge(from, to, TopologyEdge{label}, graph_);
}

std::optional<Topology::Vertex> Topology::Find(NodeKind kind, const std::string& name) const {
  auto it = index_.find({kind, name});
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

Topology::Vertex Topology::AddService(const std::string& name, NodeKind consumes_kind,
                                      const std::string& consumes, NodeKind publishes_kind,
                                      const std::string& publishes, const std::string& key) {
  const Vertex service = AddNode(NodeKind::kService, name, key);
  AddEdge(AddNode(consumes_kind, consumes), service, "consumes");
  AddEdge(service, AddNode(publishes_kind, publishes), "publishes");
  return service;
}

Topology::Vertex Topology::AddDeadLetterQueue(const std::string& name, Vertex source,
                                              const std::string& key) {
  const Vertex queue = AddNode(NodeKind::kDeadLetterQueue, name, key);
  AddEdge(source, queue, "dead letters");
  return queue;
}

bool Topology::Consumed(Vertex v) const {
  for (auto [e, end] = boost::out_edges(v, graph_); e != end; ++e) {
    if (IsReader(graph_[boost::target(*e, graph_)].kind)) return true;
  }
  return false;
}

std::vector<std::string> Topology::Warnings() const {
  std::vector<std::string> warnings;
  for (auto [v, end] = boost::vertices(graph_); v != end; ++v) {
    const TopologyNode& node = graph_[*v];
    const std::string where = node.key.empty() ? "" : node.key + ": ";
    switch (node.kind) {
      case NodeKind::kGroup:
        if (boost::in_degree(*v, graph_) == 0) {
          warnings.push_back(where + "consumer group " + node.name +
                             " is subscribed to nothing, so it never receives a message.");
        }
        break;
      case NodeKind::kTopic:
      case NodeKind::kQueue:
        if (!Consumed(*v)) {
          warnings.push_back(where + NodeKindName(node.kind) + " " + node.name +
                             ": no consumer group or service reads it, so what is published "
                             "there is never processed.");
        }
        break;
      case NodeKind::kDeadLetterQueue:
        if (!Consumed(*v)) {
          warnings.push_back(where + "dead-letter queue " + node.name +
                             ": nobody drains it, so dead letters pile up unseen.");
        }
        break;
      default: break;
    }
  }
  for (std::string& warning : CycleWarnings()) warnings.push_back(std::move(warning));
  warnings.insert(warnings.end(), extra_warnings_.begin(), extra_warnings_.end());
  return warnings;
}

std::vector<std::string> Topology::CycleWarnings() const {
  // Producers, partitions, groups and instances only ever lead downstream; a cycle needs a
  // group forwarding back into something upstream of itself. A service's "emits" edges are
  // left out: it publishes new events by its rules, whose own cycles BuildTopology checks.
  struct NotEmits {
    const TopologyGraph* graph = nullptr;
    bool operator()(TopologyGraph::edge_descriptor e) const { return (*graph)[e].label != "emits"; }
  };
  const boost::filtered_graph<TopologyGraph, NotEmits> graph(graph_, NotEmits{&graph_});
  std::vector<Vertex> parent(boost::num_vertices(graph_));
  std::vector<Vertex> cycle;
  std::vector<boost::default_color_type> colours(boost::num_vertices(graph_));
  boost::depth_first_search(graph,
                            boost::visitor(CycleFinder(parent, cycle))
                                .color_map(boost::make_iterator_property_map(
                                    colours.begin(), boost::get(boost::vertex_index, graph_))));
  if (cycle.empty()) return {};
  std::string path;
  for (auto it = cycle.rbegin(); it != cycle.rend(); ++it) {
    path += std::string(NodeKindName(graph_[*it].kind)) + " " + graph_[*it].name + " -> ";
  }
  path += std::string(NodeKindName(graph_[cycle.back()].kind)) + " " + graph_[cycle.back()].name;
  return {"services form a cycle (" + path + "): an event can loop through them forever."};
}

namespace {

// Exchanges, queues and their bindings, and each queue's way to its dead letters.
void AddQueueBroker(const Scenario& scenario, Topology& topology) {
  if (scenario.broker_kind == BrokerKind::kLog) return;
  const QueueBrokerConfig& broker = scenario.queue_broker;
  for (std::size_t e = 0; e < broker.exchanges.size(); ++e) {
    topology.AddNode(NodeKind::kExchange, broker.exchanges[e].name,
                     "broker.exchanges[" + std::to_string(e) + "]");
  }
  for (std::size_t q = 0; q < broker.queues.size(); ++q) {
    topology.AddNode(NodeKind::kQueue, broker.queues[q].name,
                     "broker.queues[" + std::to_string(q) + "]");
  }
  for (const BindingConfig& binding : broker.bindings) {
    auto exchange = topology.Find(NodeKind::kExchange, binding.exchange);
    auto queue = topology.Find(NodeKind::kQueue, binding.queue);
    if (exchange && queue) topology.AddEdge(*exchange, *queue, binding.key);
  }
  for (const QueueConfig& queue : broker.queues) {
    auto source = topology.Find(NodeKind::kQueue, queue.name);
    if (!source) continue;
    auto exchange = queue.dead_letter_exchange.empty()
                        ? std::nullopt
                        : topology.Find(NodeKind::kExchange, queue.dead_letter_exchange);
    // TODO: a Service Bus queue's dead-letter sub-queue is left out: every queue has one, so
    // drawing it would warn about every queue whether anything can be dead-lettered or not.
    if (exchange) topology.AddEdge(*source, *exchange, "dead letters");
  }
}

}  // namespace

Topology BuildTopology(const Scenario& scenario) {
  Topology topology;
  for (std::size_t t = 0; t < scenario.topics.size(); ++t) {
    const TopicConfig& topic = scenario.topics[t];
    const auto v =
        topology.AddNode(NodeKind::kTopic, topic.name, "topics[" + std::to_string(t) + "]");
    for (std::uint32_t p = 0; p < topic.partitions; ++p) {
      if (p + 1 == kMaxDrawnMembers && topic.partitions > kMaxDrawnMembers) {
        const std::string rest =
            topic.name + "/" + std::to_string(p) + ".." + std::to_string(topic.partitions - 1);
        topology.AddEdge(v, topology.AddNode(NodeKind::kPartition, rest), "");
        break;
      }
      topology.AddEdge(
          v, topology.AddNode(NodeKind::kPartition, topic.name + "/" + std::to_string(p)), "");
    }
  }
  AddQueueBroker(scenario, topology);
  for (std::size_t i = 0; i < scenario.producers.size(); ++i) {
    const ProducerConfig& producer = scenario.producers[i];
    const auto v = topology.AddNode(NodeKind::kProducer, producer.name,
                                    "producers[" + std::to_string(i) + "]");
    if (producer.calls_instead) {
      AddCalledServices(scenario, producer, v, topology);
    } else if (auto topic = topology.Find(NodeKind::kTopic, producer.topic)) {
      topology.AddEdge(v, *topic, "publishes");
    } else if (auto exchange = topology.Find(NodeKind::kExchange, producer.exchange)) {
      topology.AddEdge(v, *exchange, "publishes");
    } else if (auto queue = topology.Find(NodeKind::kQueue, producer.routing_key)) {
      topology.AddEdge(v, *queue, "sends");  // Service Bus: straight to the queue
    }
  }
  for (std::size_t g = 0; g < scenario.consumers.size(); ++g) {
    const ConsumerGroupConfig& group = scenario.consumers[g];
    const auto v =
        topology.AddNode(NodeKind::kGroup, group.group, "consumers[" + std::to_string(g) + "]");
    if (auto topic = topology.Find(NodeKind::kTopic, group.topic)) {
      topology.AddEdge(*topic, v, "subscribes");
    } else if (auto queue = topology.Find(NodeKind::kQueue, group.topic)) {
      topology.AddEdge(*queue, v, "consumes");
    }
    if (auto output = topology.Find(NodeKind::kTopic, group.produce_to)) {
      topology.AddEdge(v, *output, group.service.active() ? "emits" : "forwards");
    } else if (auto exchange = topology.Find(NodeKind::kExchange, group.produce_to)) {
      topology.AddEdge(v, *exchange, "emits");
    } else if (auto queue = topology.Find(NodeKind::kQueue, group.produce_to)) {
      topology.AddEdge(v, *queue, "emits");  // Service Bus: straight to the queue
    }
    for (std::uint32_t i = 0; i < group.instances; ++i) {
      if (i + 1 == kMaxDrawnMembers && group.instances > kMaxDrawnMembers) {
        const std::string rest =
            InstanceName(group.group, i) + ".." + std::to_string(group.instances);
        topology.AddEdge(v, topology.AddNode(NodeKind::kInstance, rest), "");
        break;
      }
      topology.AddEdge(v, topology.AddNode(NodeKind::kInstance, InstanceName(group.group, i)), "");
    }
  }
  if (std::string cycle = RuleCycle(scenario); !cycle.empty()) {
    topology.AddWarning("services' rules form a cycle of event types (" + cycle +
                        "): an event can set off events forever.");
  }
  return topology;
}

const char* NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kProducer: return "producer";
    case NodeKind::kTopic: return "topic";
    case NodeKind::kPartition: return "partition";
    case NodeKind::kGroup: return "group";
    case NodeKind::kInstance: return "instance";
    case NodeKind::kExchange: return "exchange";
    case NodeKind::kQueue: return "queue";
    case NodeKind::kDeadLetterQueue: return "dead-letter queue";
    case NodeKind::kService: return "service";
  }
  return "?";
}

}  // namespace deliverysim::models
