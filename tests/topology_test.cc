// The topology graph: what BuildTopology puts in it, what its checks warn about, and its DOT.
#include "models/topology.h"

#include <gtest/gtest.h>

#include "app/topology_graph.h"
#include "test_support.h"

namespace deliverysim::models {
namespace {

bool AnyContains(const std::vector<std::string>& texts, const std::string& part) {
  for (const std::string& text : texts) {
    if (text.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(Topology, BundledScenarioHasEveryComponentAndNoWarning) {
  const Topology topology =
      BuildTopology(testing::BundledScenario("order-placed-at-least-once.yaml"));
  // 1 topic + 6 partitions + 1 producer + 1 group + 3 instances; an edge to each partition,
  // producer -> topic, topic -> group and one to each instance.
  EXPECT_EQ(boost::num_vertices(topology.graph()), 12u);
  EXPECT_EQ(boost::num_edges(topology.graph()), 6u + 1 + 1 + 3);
  EXPECT_TRUE(topology.Warnings().empty());
}

TEST(Topology, TopicNobodyConsumesIsNamedWithItsKey) {
  const Scenario scenario = testing::ParseScenario(R"(
name: unread
duration: 1s
drain: 1s
topics: [{ name: orders, partitions: 1 }, { name: audit, partitions: 1 }]
producers: [{ name: p, topic: audit, rate: 1/s }]
consumers: [{ group: g, topic: orders, instances: 1, processing: 1ms, commit: inbox }]
)");
  const std::vector<std::string> warnings = BuildTopology(scenario).Warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("topics[1]: topic audit: no consumer group or service reads it", 0),
            0u);
}

TEST(Topology, GroupSubscribedToNothingIsWarned) {
  Topology topology;
  topology.AddNode(NodeKind::kGroup, "lonely", "consumers[0]");
  EXPECT_TRUE(AnyContains(topology.Warnings(),
                          "consumers[0]: consumer group lonely is subscribed to nothing"));
}

TEST(Topology, DeadLetterQueueNobodyDrainsIsWarnedUntilAGroupReadsIt) {
  Topology topology;
  const auto queue = topology.AddNode(NodeKind::kQueue, "work");
  topology.AddEdge(queue, topology.AddNode(NodeKind::kGroup, "workers"), "subscribes");
  const auto dlq = topology.AddDeadLetterQueue("work.dlq", queue);
  EXPECT_TRUE(AnyContains(topology.Warnings(), "dead-letter queue work.dlq: nobody drains it"));
  topology.AddEdge(dlq, topology.AddNode(NodeKind::kGroup, "janitor"), "subscribes");
  EXPECT_TRUE(topology.Warnings().empty());
}

TEST(Topology, CycleOfServicesIsWarnedAndAChainIsNot) {
  Topology chain;
  chain.AddService("enricher", NodeKind::kTopic, "orders", NodeKind::kTopic, "enriched");
  chain.AddService("router", NodeKind::kTopic, "enriched", NodeKind::kTopic, "routed");
  EXPECT_FALSE(AnyContains(chain.Warnings(), "cycle"));

  Topology loop;
  loop.AddService("enricher", NodeKind::kTopic, "orders", NodeKind::kTopic, "enriched");
  loop.AddService("router", NodeKind::kTopic, "enriched", NodeKind::kTopic, "orders");
  const std::vector<std::string> warnings = loop.Warnings();
  ASSERT_EQ(warnings.size(), 1u);
  // The search starts at the first vertex added, the service enricher, and names the cycle
  // from there.
  EXPECT_EQ(warnings[0],
            "services form a cycle (service enricher -> topic enriched -> service router -> "
            "topic orders -> service enricher): an event can loop through them forever.");
}

TEST(Topology, LargeTopicsAndGroupsAreFoldedForDrawing) {
  const Scenario scenario = testing::ParseScenario(R"(
name: big
duration: 1s
drain: 1s
topics: [{ name: t, partitions: 100 }]
consumers: [{ group: g, topic: t, instances: 40, processing: 1ms, commit: inbox }]
)");
  const Topology topology = BuildTopology(scenario);
  EXPECT_TRUE(topology.Find(NodeKind::kPartition, "t/30").has_value());
  EXPECT_TRUE(topology.Find(NodeKind::kPartition, "t/31..99").has_value());
  EXPECT_FALSE(topology.Find(NodeKind::kPartition, "t/31").has_value());
  EXPECT_TRUE(topology.Find(NodeKind::kInstance, "g-32..40").has_value());
  // 1 topic + 32 partition vertices + 1 group + 32 instance vertices.
  EXPECT_EQ(boost::num_vertices(topology.graph()), 66u);
}

TEST(Topology, DotNamesEveryVertexAndLabelsTheFlows) {
  const Topology topology = BuildTopology(testing::BundledScenario("order-placed-inbox.yaml"));
  const std::string dot = app::TopologyToDot(topology, "order-placed-inbox");
  EXPECT_EQ(dot.rfind("digraph \"order-placed-inbox\" {", 0), 0u);
  // Vertices in insertion order: the topic (n0), its 6 partitions, the producer (n7), ...
  EXPECT_NE(dot.find("n7 -> n0 [label=\"publishes\"];"), std::string::npos);
  EXPECT_NE(dot.find("n0 -> n8 [label=\"subscribes\"];"), std::string::npos);
  EXPECT_NE(dot.find("n8 [label=\"billing\", shape=ellipse"), std::string::npos);
  EXPECT_EQ(dot.back(), '\n');
}

}  // namespace
}  // namespace deliverysim::models
