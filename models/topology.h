// The scenario's topology as a Boost.Graph graph: who publishes where, which topics hold which
// partitions, which groups read which topics, which instances make up each group. Other broker
// models add exchanges, queues, dead-letter queues and services through the Add* hooks, and the
// checks cover them as soon as they are in the graph.
//
//   Topology topology = BuildTopology(scenario);
//   for (const std::string& warning : topology.Warnings()) std::cerr << warning << "\n";
//
// Invariants:
//   1. A (kind, name) pair names at most one vertex.
//   2. Vertices are numbered in insertion order, which follows the scenario's order, so the
//      graph and everything drawn from it are the same on every run.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/scenario.h"

namespace deliverysim::models {

enum class NodeKind {
  kProducer,
  kTopic,
  kPartition,
  kGroup,
  kInstance,
  kExchange,
  kQueue,
  kDeadLetterQueue,
  kService,  // consumes one topic or queue and publishes to another
};

struct TopologyNode {
  NodeKind kind = NodeKind::kProducer;
  std::string name;
  std::string key;  // the scenario key that declares it ("topics[0]"), for warnings
};

struct TopologyEdge {
  std::string label;  // "publishes", "subscribes", ...; empty for belonging (a partition)
};

using TopologyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                            TopologyNode, TopologyEdge>;

class Topology {
 public:
  using Vertex = TopologyGraph::vertex_descriptor;

  // The vertex of (kind, name), added if new. `key` is kept from the first call.
  Vertex AddNode(NodeKind kind, const std::string& name, const std::string& key = "");
  void AddEdge(Vertex from, Vertex to, const std::string& label);
  std::optional<Vertex> Find(NodeKind kind, const std::string& name) const;

  // Hooks for the models that other brokers bring. A service reads `consumes` (a topic or
  // queue, by kind and name) and publishes to `publishes`; a dead-letter queue receives what
  // `source` gives up on.
  Vertex AddService(const std::string& name, NodeKind consumes_kind, const std::string& consumes,
                    NodeKind publishes_kind, const std::string& publishes,
                    const std::string& key = "");
  Vertex AddDeadLetterQueue(const std::string& name, Vertex source, const std::string& key = "");

  // One sentence per problem: a group subscribed to nothing, a topic or queue nobody consumes,
  // a dead-letter queue nobody drains, and a cycle of services that can loop an event forever.
  std::vector<std::string> Warnings() const;

  const TopologyGraph& graph() const { return graph_; }

  // A problem found by the builder rather than by the graph's shape (services' rules).
  void AddWarning(std::string warning) { extra_warnings_.push_back(std::move(warning)); }

 private:
  std::vector<std::string> CycleWarnings() const;
  bool Consumed(Vertex v) const;

  TopologyGraph graph_;
  std::vector<std::string> extra_warnings_;
  std::map<std::pair<NodeKind, std::string>, Vertex> index_;
};

// Drawing shows at most this many partitions per topic and instances per group; the rest are
// folded into one vertex named like "orders/6..9999".
inline constexpr std::size_t kMaxDrawnMembers = 32;

// Producers, topics and their partitions, groups and their instances, as the scenario says.
Topology BuildTopology(const Scenario& scenario);

const char* NodeKindName(NodeKind kind);

}  // namespace deliverysim::models
