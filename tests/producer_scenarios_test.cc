// The bundled producer scenarios deliver the outcome their headers state. The three
// producer-* files share workload and faults and differ in max_in_flight and idempotence;
// Kafka's documentation says which anomalies each setting allows (producer configs `retries`,
// `max.in.flight.requests.per.connection` and `enable.idempotence`).
#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

TEST(ProducerScenarios, RetriesWithFiveInFlightReorderAPartition) {
  const auto result = RunScenario(BundledScenario("producer-retries-reorder.yaml"));
  EXPECT_GT(result.groups[0].out_of_order, 0u);
  EXPECT_EQ(result.groups[0].lost, 0u);
  EXPECT_GT(result.topics[0].duplicate_records, 0u);
}

TEST(ProducerScenarios, OneInFlightKeepsOrderButNotUniqueness) {
  const auto result = RunScenario(BundledScenario("producer-one-in-flight.yaml"));
  EXPECT_EQ(result.groups[0].out_of_order, 0u);
  EXPECT_EQ(result.groups[0].lost, 0u);
}

TEST(ProducerScenarios, IdempotenceKeepsOrderAndMakesNoDuplicates) {
  const auto result = RunScenario(BundledScenario("producer-idempotent.yaml"));
  EXPECT_EQ(result.groups[0].out_of_order, 0u);
  EXPECT_EQ(result.groups[0].lost, 0u);
  EXPECT_EQ(result.groups[0].duplicate_deliveries, 0u);
  EXPECT_EQ(result.topics[0].duplicate_records, 0u);
}

TEST(ProducerScenarios, TheThreeDifferOnlyInInFlightAndIdempotence) {
  const auto reorder = BundledScenario("producer-retries-reorder.yaml");
  for (const char* file : {"producer-one-in-flight.yaml", "producer-idempotent.yaml"}) {
    auto other = BundledScenario(file);
    other.name = reorder.name;
    other.producers[0].max_in_flight = reorder.producers[0].max_in_flight;
    other.producers[0].idempotence = reorder.producers[0].idempotence;
    EXPECT_EQ(RunScenario(other).groups[0].out_of_order,
              RunScenario(reorder).groups[0].out_of_order)
        << file << " differs in more than max_in_flight and idempotence";
  }
}

TEST(ProducerScenarios, RoundRobinPartitionerBreaksPerKeyOrder) {
  auto scenario = BundledScenario("partitioner-round-robin.yaml");
  const auto round_robin = RunScenario(scenario).groups[0];
  EXPECT_GT(round_robin.out_of_order, 0u);
  EXPECT_EQ(round_robin.lost, 0u);
  EXPECT_EQ(round_robin.duplicate_effects, 0u);
  scenario.producers[0].partitioner = models::Partitioner::kDefault;
  EXPECT_EQ(RunScenario(scenario).groups[0].out_of_order, 0u);
}

}  // namespace
}  // namespace deliverysim::testing
