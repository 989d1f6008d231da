// The scenario keys of a replicated cluster: broker.count and the topics' replication keys,
// their defaults (Kafka's), and the errors bad values and references give.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/scenario_loader.h"

namespace deliverysim::app {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kCluster = R"(name: cluster
duration: 1s
broker: { count: 3 }
topics:
  - name: orders
    partitions: 2
    replication: 3
    min_insync_replicas: 2
producers:
  - { name: shop, topic: orders, rate: 10/s }
consumers:
  - { group: billing, topic: orders, instances: 1, processing: 1ms, commit: inbox }
)";

std::string Replace(const std::string& from, const std::string& to) {
  std::string text = kCluster;
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string WithFault(const std::string& fault) {
  return kCluster + "faults:\n  - " + fault + "\n";
}

TEST(ReplicationLoader, DefaultsAreKafkas) {
  const auto loaded = LoadScenarioText(
      "name: t\nduration: 1s\ntopics: [ { name: a, partitions: 1 } ]\n", "test.yaml");
  ASSERT_TRUE(loaded.ok());
  const models::Scenario& scenario = loaded.value();
  EXPECT_EQ(scenario.brokers, 1u);
  EXPECT_EQ(scenario.topics[0].replication, 1u);
  EXPECT_EQ(scenario.topics[0].min_insync_replicas, 1u);     // min.insync.replicas
  EXPECT_FALSE(scenario.topics[0].unclean_leader_election);  // unclean.leader.election.enable
  EXPECT_EQ(scenario.topics[0].replica_lag_max, 30 * sim::kSecond);  // replica.lag.time.max.ms
}

TEST(ReplicationLoader, ValuesAreRead) {
  const auto loaded =
      LoadScenarioText(Replace("    min_insync_replicas: 2\n",
                               "    min_insync_replicas: 2\n    unclean_leader_election: true\n"
                               "    replica_lag_max: 250ms\n"),
                       "test.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::Scenario& scenario = loaded.value();
  EXPECT_EQ(scenario.brokers, 3u);
  EXPECT_EQ(scenario.topics[0].replication, 3u);
  EXPECT_EQ(scenario.topics[0].min_insync_replicas, 2u);
  EXPECT_TRUE(scenario.topics[0].unclean_leader_election);
  EXPECT_EQ(scenario.topics[0].replica_lag_max, 250 * sim::kMillisecond);
}

TEST(ReplicationLoader, LinksBetweenBrokersAndToTheirClientsAreAccepted) {
  const auto loaded = LoadScenarioText(
      kCluster +
          "faults:\n  - { link: broker-1 <-> broker-2, loss: 1 }\n"
          "  - { link: shop -> broker-3, loss: 0.1 }\n  - { link: billing <-> broker, loss: 0.1 }\n"
          "  - { link: shop <-> broker, loss: 0.1 }\n"
          "  - { crash: broker-2, at: 1s, restart_after: 1s }\n",
      "test.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded.value().crashes[0].target, "broker-2");
  EXPECT_EQ(loaded.value().link_faults[0].from, "broker-1");
  EXPECT_EQ(loaded.value().link_faults[0].to, "broker-2");
}

TEST(ReplicationLoader, AClusterIsForTheLogBrokerOnly) {
  const auto loaded = LoadScenarioText(
      "name: q\nduration: 1s\nbroker:\n  kind: service-bus\n  count: 3\n"
      "  queues: [ { name: a } ]\n",
      "test.yaml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(
      loaded.error().ToString(),
      StartsWith("test.yaml:5:10: broker.count: a cluster of brokers belongs to 'kind: log' "
                 "brokers"));
}

struct BadCluster {
  std::string label;
  std::string text;
  int line;
  int column;
  std::string key;
  std::string words;  // appears in the message
};

void PrintTo(const BadCluster& input, std::ostream* out) { *out << input.label; }

class ReplicationLoaderRejects : public ::testing::TestWithParam<BadCluster> {};

TEST_P(ReplicationLoaderRejects, NamingLineColumnKeyAndReason) {
  const BadCluster& input = GetParam();
  const auto loaded = LoadScenarioText(input.text, "test.yaml");
  ASSERT_FALSE(loaded.ok()) << "accepted:\n" << input.text;
  EXPECT_THAT(loaded.error().ToString(),
              StartsWith("test.yaml:" + std::to_string(input.line) + ":" +
                         std::to_string(input.column) + ": " + input.key + ": "));
  EXPECT_THAT(loaded.error().message, HasSubstr(input.words));
}

const std::vector<BadCluster> kBad = {
    {"ReplicationAboveBrokerCount", Replace("count: 3", "count: 2"), 7, 18, "topics[0].replication",
     "replication 3 needs at least 3 brokers; broker.count is 2"},
    {"MinInsyncAboveReplication", Replace("min_insync_replicas: 2", "min_insync_replicas: 4"), 8,
     26, "topics[0].min_insync_replicas", "expected a whole number from 1 to 3"},
    {"UncleanNotABoolean",
     Replace("    min_insync_replicas: 2\n",
             "    min_insync_replicas: 2\n    unclean_leader_election: yes\n"),
     9, 30, "topics[0].unclean_leader_election", "unknown value 'yes'; allowed: true, false"},
    {"LagOfZero",
     Replace("    min_insync_replicas: 2\n",
             "    min_insync_replicas: 2\n    replica_lag_max: 0\n"),
     9, 22, "topics[0].replica_lag_max", "above zero"},
    {"NoBrokers", Replace("count: 3", "count: 0"), 3, 18, "broker.count",
     "expected a whole number from 1 to 100"},
    {"CrashOfAnUnknownBroker", WithFault("{ crash: broker-4, at: 1s }"), 14, 14, "faults[0].crash",
     "no producer, consumer instance or broker called 'broker-4'; allowed: broker-1 to "
     "broker-3, shop, billing-1"},
    {"StepCrashOnABroker", WithFault("{ crash: broker-2, step: after-effect, after: 1s }"), 14, 30,
     "faults[0].step", "a broker node crashes at a time; 'broker-2' has no steps"},
    {"ConsumerLinkToANode", WithFault("{ link: billing -> broker-1, loss: 0.1 }"), 14, 13,
     "faults[0].link", "between a producer and one of them, or between 'broker' and a client"},
    {"NodeToItself", WithFault("{ link: broker-1 -> broker-1, loss: 0.1 }"), 14, 13,
     "faults[0].link", "a link runs between two of broker-1 to broker-3"},
    {"LinkToAnUnknownNode", WithFault("{ link: shop -> broker-9, loss: 0.1 }"), 14, 13,
     "faults[0].link", "no component called 'broker-9'"},
    {"ProducerNamedLikeABroker", Replace("name: shop", "name: broker-2"), 10, 13,
     "producers[0].name", "the name 'broker-2' is already taken"},
};

INSTANTIATE_TEST_SUITE_P(ReplicationLoader, ReplicationLoaderRejects, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace deliverysim::app
