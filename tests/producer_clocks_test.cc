// A producer's clock: simulated time plus the offset of the latest skew fault in force.
#include "models/producer_clocks.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "models/scenario.h"

namespace deliverysim::models {
namespace {

Scenario TwoProducers() {
  Scenario scenario;
  for (const char* name : {"a", "b"}) {
    ProducerConfig producer;
    producer.name = std::string(name);
    scenario.producers.push_back(std::move(producer));
  }
  return scenario;
}

TEST(ProducerClocks, WithoutSkewAClockReadsSimulatedTime) {
  const ProducerClocks clocks(TwoProducers());
  EXPECT_EQ(clocks.Timestamp(0, 1234), 1234);
}

TEST(ProducerClocks, ASkewAppliesFromItsTimeOnAndOnlyToItsProducer) {
  Scenario scenario = TwoProducers();
  scenario.clock_skews.push_back({"a", 5 * sim::kSecond, 2 * sim::kSecond});
  const ProducerClocks clocks(scenario);
  EXPECT_EQ(clocks.Timestamp(0, 5 * sim::kSecond - 1), 5 * sim::kSecond - 1);
  EXPECT_EQ(clocks.Timestamp(0, 5 * sim::kSecond), 7 * sim::kSecond);
  EXPECT_EQ(clocks.Timestamp(1, 5 * sim::kSecond), 5 * sim::kSecond);
}

TEST(ProducerClocks, ALaterSkewReplacesAnEarlierOneWhateverTheirOrderInTheFile) {
  Scenario scenario = TwoProducers();
  scenario.clock_skews.push_back({"b", 2 * sim::kSecond, -sim::kSecond});
  scenario.clock_skews.push_back({"b", 1 * sim::kSecond, 3 * sim::kSecond});
  const ProducerClocks clocks(scenario);
  EXPECT_EQ(clocks.Timestamp(1, 1 * sim::kSecond), 4 * sim::kSecond);
  EXPECT_EQ(clocks.Timestamp(1, 2 * sim::kSecond), 1 * sim::kSecond);
}

TEST(ProducerClocks, AClientThatIsNotAScenarioProducerHasAnExactClock) {
  const ProducerClocks clocks(TwoProducers());
  EXPECT_EQ(clocks.Timestamp(7, 99), 99);
}

}  // namespace
}  // namespace deliverysim::models
