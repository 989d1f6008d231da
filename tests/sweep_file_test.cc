// Sweep files: values, linear and logarithmic ranges, grid and zip, replications and seeds,
// and the overrides that put a point's values into the base scenario.
#include "app/sweep_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/scenario_override.h"
#include "app/sweep_plan.h"

namespace deliverysim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Named as if it sat in sweeps/, so that the base scenario path resolves to a bundled file.
const std::string kSweepName = std::string(DELIVERYSIM_SOURCE_DIR) + "/sweeps/test.yaml";
const std::string kHeader =
    "scenario: ../scenarios/order-placed-at-least-once.yaml\n"
    "replications: 3\n";

app::SweepDefinition Load(const std::string& parameters, const std::string& extra = "") {
  app::Result<app::SweepDefinition> sweep =
      app::LoadSweepText(kHeader + extra + "parameters:\n" + parameters, kSweepName);
  EXPECT_TRUE(sweep.ok()) << (sweep.ok() ? "" : sweep.error().ToString());
  return sweep.ok() ? sweep.value() : app::SweepDefinition{};
}

std::vector<std::string> Labels(const app::SweepParameter& parameter) {
  std::vector<std::string> labels;
  for (const app::ParameterValue& value : parameter.values) labels.push_back(value.label);
  return labels;
}

TEST(SweepFile, LinearRangeIncludesBothEnds) {
  const auto sweep =
      Load("  - { path: \"faults[1].loss\", linear: { from: 0, to: 0.03, count: 4 } }\n");
  // (0.03 - 0) / 3 = 0.01 apart.
  EXPECT_THAT(Labels(sweep.parameters[0]), ElementsAre("0", "0.01", "0.02", "0.03"));
}

TEST(SweepFile, LogRangeIsEvenOnALogScaleAndTakesAFormat) {
  const auto sweep = Load(
      "  - { path: \"producers[0].rate\", log: { from: 10, to: 1000, count: 3 }, format: '{}/s' "
      "}\n");
  // 10 * (1000/10)^(1/2) = 100.
  EXPECT_THAT(Labels(sweep.parameters[0]), ElementsAre("10/s", "100/s", "1000/s"));
}

TEST(SweepFile, GridTurnsTheLastParameterFastest) {
  const auto sweep = Load(
      "  - { path: \"consumers[billing].commit\", values: [inbox, after-processing] }\n"
      "  - { path: \"faults[1].loss\", values: [0, 0.1, 0.2] }\n");
  const auto points = app::ExpandPoints(sweep);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_THAT(points[1].choice, ElementsAre(0u, 1u));
  EXPECT_THAT(points[3].choice, ElementsAre(1u, 0u));
  EXPECT_EQ(app::PointLabel(sweep, points[4]),
            "consumers[billing].commit=after-processing faults[1].loss=0.1");
}

TEST(SweepFile, ZipPairsTheNthValues) {
  const auto sweep = Load(
      "  - { path: \"consumers[billing].commit\", values: [inbox, after-processing] }\n"
      "  - { path: \"faults[1].loss\", values: [0, 0.1] }\n",
      "combine: zip\n");
  const auto points = app::ExpandPoints(sweep);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_THAT(points[1].choice, ElementsAre(1u, 1u));
}

TEST(SweepFile, ZipRefusesListsOfDifferentLengths) {
  auto sweep = app::LoadSweepText(kHeader +
                                      "combine: zip\nparameters:\n"
                                      "  - { path: \"faults[1].loss\", values: [0, 0.1] }\n"
                                      "  - { path: \"faults[1].duplicate\", values: [0] }\n",
                                  kSweepName);
  ASSERT_FALSE(sweep.ok());
  EXPECT_EQ(sweep.error().line, 6);
  EXPECT_EQ(sweep.error().key, "parameters[1]");
  EXPECT_THAT(sweep.error().message, HasSubstr("parameters[0] has 2, this one 1"));
}

TEST(SweepFile, ListValuesNeedLabels) {
  auto sweep = app::LoadSweepText(kHeader + "parameters:\n  - { path: \"faults\", values: [[]] }\n",
                                  kSweepName);
  ASSERT_FALSE(sweep.ok());
  EXPECT_EQ(sweep.error().key, "parameters[0].values[0]");
  EXPECT_THAT(sweep.error().message, HasSubstr("give 'labels'"));
}

TEST(SweepFile, TheSeedIsNotAParameter) {
  auto sweep =
      app::LoadSweepText(kHeader + "parameters:\n  - { path: seed, values: [1, 2] }\n", kSweepName);
  ASSERT_FALSE(sweep.ok());
  EXPECT_EQ(sweep.error().line, 4);
  EXPECT_EQ(sweep.error().column, 13);  // "  - { path: " is 12 characters
  EXPECT_EQ(sweep.error().key, "parameters[0].path");
  EXPECT_THAT(sweep.error().message, HasSubstr("set 'seed' and 'replications' at the top"));
}

TEST(SweepFile, TheDefinitionChangesWithAValueAndNotWithLayout) {
  const auto a = Load("  - { path: \"faults[1].loss\", values: [0, 0.1] }\n");
  const auto b = Load("  - path: faults[1].loss\n    values:\n      - 0\n      - 0.1\n");
  const auto c = Load("  - { path: \"faults[1].loss\", values: [0, 0.2] }\n");
  EXPECT_EQ(app::CanonicalDefinition(a), app::CanonicalDefinition(b));
  EXPECT_NE(app::CanonicalDefinition(a), app::CanonicalDefinition(c));
}

TEST(SweepPlan, EveryRunHasItsOwnSeedAndTheSeedsDependOnlyOnPointAndReplication) {
  const auto sweep = Load("  - { path: \"faults[1].loss\", values: [0.01, 0.1] }\n", "seed: 5\n");
  auto plan = app::PlanSweep(sweep);
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  ASSERT_EQ(plan.value().runs.size(), 6u);
  EXPECT_EQ(plan.value().runs[4].seed, app::RunSeed(5, 1, 1));
  std::vector<std::uint64_t> seeds;
  for (const auto& run : plan.value().runs) seeds.push_back(run.seed);
  std::sort(seeds.begin(), seeds.end());
  EXPECT_EQ(std::unique(seeds.begin(), seeds.end()), seeds.end());
  EXPECT_LT(app::RunSeed(UINT64_MAX, 7, 9), std::uint64_t{1} << 63);
}

TEST(SweepPlan, APointsScenarioCarriesItsValues) {
  const auto sweep = Load("  - { path: \"consumers[billing].instances\", values: [3, 4] }\n");
  auto plan = app::PlanSweep(sweep);
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  EXPECT_EQ(plan.value().points[1].scenario.consumers[0].instances, 4u);
}

TEST(SweepPlan, ARefusalElsewhereInTheScenarioNamesThePointAndWhereInTheBase) {
  // With one instance there is no billing-2 for the base scenario's crash fault to strike.
  const auto sweep = Load("  - { path: \"consumers[billing].instances\", values: [3, 1] }\n");
  auto plan = app::PlanSweep(sweep);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().key, "parameters");
  EXPECT_THAT(plan.error().message,
              HasSubstr("at point 1 (consumers[billing].instances=1) the scenario is refused"));
  EXPECT_THAT(plan.error().message, HasSubstr("order-placed-at-least-once.yaml:39:"));
  EXPECT_THAT(plan.error().message, HasSubstr("faults[0].crash: no producer or consumer"));
}

TEST(ScenarioOverride, SelectsListItemsByNameOrIndexAndAddsAMissingLastKey) {
  YAML::Node tree = YAML::Load(
      "consumers: [{ group: billing, commit: inbox }]\n"
      "producers: [{ name: shop, rate: 1/s }]\n");
  std::string resolved;
  EXPECT_EQ(app::OverrideAt(tree, "consumers[billing].commit", YAML::Node("x"), &resolved), "");
  EXPECT_EQ(resolved, "consumers[0].commit");
  EXPECT_EQ(tree["consumers"][0]["commit"].Scalar(), "x");
  EXPECT_EQ(app::OverrideAt(tree, "producers[0].keys", YAML::Node("5"), &resolved), "");
  EXPECT_EQ(tree["producers"][0]["keys"].Scalar(), "5");
  EXPECT_EQ(app::OverrideAt(tree, "producers[shop].rate", YAML::Node("2/s"), &resolved), "");
  EXPECT_EQ(resolved, "producers[0].rate");
  EXPECT_EQ(tree["producers"][0]["rate"].Scalar(), "2/s");
}

TEST(ScenarioOverride, ExplainsAPathThatLeadsNowhere) {
  YAML::Node tree = YAML::Load("consumers: [{ group: billing }]\nname: x\n");
  EXPECT_THAT(app::OverrideAt(tree, "consumers[3].commit", YAML::Node("x"), nullptr),
              HasSubstr("consumers has 1 item(s); no item 3"));
  EXPECT_THAT(app::OverrideAt(tree, "network.latency", YAML::Node("x"), nullptr),
              HasSubstr("the scenario has no key network"));
  EXPECT_THAT(app::OverrideAt(tree, "name[0]", YAML::Node("x"), nullptr),
              HasSubstr("name is not a list"));
  EXPECT_THAT(app::OverrideAt(tree, "a..b", YAML::Node("x"), nullptr), HasSubstr("not a path"));
}

}  // namespace
}  // namespace deliverysim
