// The same scenario and seed give byte-identical results; the seed matters; and one
// component's random draws do not depend on which other components exist.
#include <gtest/gtest.h>

#include "app/report_json.h"
#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

const char* kScenario = "order-placed-at-least-once.yaml";

std::string JsonOf(const models::Scenario& scenario) {
  return app::RunResultToJson(RunScenario(scenario));
}

TEST(Determinism, SameFileAndSeedGiveIdenticalJsonBytes) {
  const models::Scenario scenario = BundledScenario(kScenario);
  EXPECT_EQ(JsonOf(scenario), JsonOf(scenario));
}

TEST(Determinism, DifferentSeedsGiveDifferentRuns) {
  models::Scenario first = BundledScenario(kScenario);
  models::Scenario second = first;
  second.seed = first.seed + 1;
  const auto a = RunScenario(first);
  const auto b = RunScenario(second);
  EXPECT_NE(a.groups[0].intended, b.groups[0].intended);  // Poisson arrivals differ
  EXPECT_NE(app::RunResultToJson(a), app::RunResultToJson(b));
}

std::vector<sim::Time> SendTimesOfFirstProducer(const models::Scenario& scenario) {
  RecordingTrace trace;
  RunScenario(scenario, &trace);
  std::vector<sim::Time> times;
  for (const TraceEvent& send : trace.Of("send")) {
    if (send.Number("producer") == 0) times.push_back(send.at);
  }
  return times;
}

TEST(Determinism, AnUnrelatedProducerDoesNotChangeAnotherProducersSendTimes) {
  const models::Scenario alone = BundledScenario(kScenario);
  models::Scenario crowded = alone;
  crowded.topics.push_back({"audit", 3});
  models::ProducerConfig auditor = crowded.producers[0];
  auditor.name = "auditor";
  auditor.topic = "audit";
  auditor.rate_per_second = 800;
  crowded.producers.push_back(auditor);

  const auto before = SendTimesOfFirstProducer(alone);
  ASSERT_GT(before.size(), 1000u);
  EXPECT_EQ(before, SendTimesOfFirstProducer(crowded));
}

}  // namespace
}  // namespace deliverysim::testing
