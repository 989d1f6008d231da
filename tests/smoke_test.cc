#include <gtest/gtest.h>

#include "app/scenario_loader.h"
#include "models/simulation.h"

namespace deliverysim {
namespace {

TEST(Smoke, BundledScenarioLoadsAndRuns) {
  auto loaded = app::LoadScenarioFile(std::string(DELIVERYSIM_SOURCE_DIR) +
                                      "/scenarios/order-placed-at-least-once.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  models::Simulation simulation(loaded.value(), nullptr);
  models::RunResult result = simulation.Run();
  ASSERT_EQ(result.groups.size(), 1u);
  EXPECT_GT(result.groups[0].intended, 0u);
}

}  // namespace
}  // namespace deliverysim
