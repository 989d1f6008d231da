// The demo catalogue: every bundled demo shows what its header promises, and headers that
// promise nothing, or in words the checker cannot read, are refused with their line.
#include "app/demo_catalogue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace deliverysim::app {
namespace {

const std::string kDemos = std::string(DELIVERYSIM_SOURCE_DIR) + "/scenarios/demos";

TEST(DemoCatalogue, EveryBundledDemoShowsItsExpectedOutcome) {
  Result<std::vector<Demo>> demos = LoadDemoCatalogue(kDemos);
  ASSERT_TRUE(demos.ok()) << demos.error().ToString();
  ASSERT_EQ(demos.value().size(), 9u);
  for (const Demo& demo : demos.value()) {
    SCOPED_TRACE(demo.name);
    EXPECT_FALSE(demo.lesson.empty());
    EXPECT_FALSE(demo.narration.empty());
    const models::RunResult result =
        testing::RunScenario(testing::BundledScenario("demos/" + demo.name + ".yaml"));
    for (const Expectation& expectation : demo.expectations) {
      Result<ExpectationOutcome> outcome = Check(expectation, result, demo.path);
      ASSERT_TRUE(outcome.ok()) << outcome.error().ToString();
      EXPECT_TRUE(outcome.value().holds)
          << expectation.text << ": " << outcome.value().left << " vs " << outcome.value().right;
    }
  }
}

class DemoHeader : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const std::string path = ::testing::TempDir() + "/demo-header.yaml";
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(DemoHeader, ReadsLessonNarrationExpectationsAndTimeline) {
  Result<Demo> demo = ReadDemo(Write(
      "# lesson: L\n# narration: N1\n# narration: N2\n# expect: g.lost >= 1\n# timeline: 3..4\n"
      "name: x\n# expect: ignored after the header\n"));
  ASSERT_TRUE(demo.ok()) << demo.error().ToString();
  EXPECT_EQ(demo.value().name, "demo-header");
  EXPECT_EQ(demo.value().lesson, "L");
  EXPECT_EQ(demo.value().narration, (std::vector<std::string>{"N1", "N2"}));
  ASSERT_EQ(demo.value().expectations.size(), 1u);
  EXPECT_EQ(demo.value().expectations[0].left, "g.lost");
  EXPECT_EQ(demo.value().expectations[0].op, ">=");
  EXPECT_EQ(demo.value().expectations[0].right, "1");
  EXPECT_EQ(demo.value().timeline, (std::vector<std::string>{"3..4"}));
}

TEST_F(DemoHeader, MissingLessonOrOutcomeIsRefused) {
  Result<Demo> no_lesson = ReadDemo(Write("# expect: g.lost > 0\nname: x\n"));
  ASSERT_FALSE(no_lesson.ok());
  EXPECT_EQ(no_lesson.error().key, "lesson");
  Result<Demo> no_outcome = ReadDemo(Write("# lesson: L\nname: x\n"));
  ASSERT_FALSE(no_outcome.ok());
  EXPECT_EQ(no_outcome.error().key, "expect");
}

TEST_F(DemoHeader, ComparisonWithoutAnOperatorNamesItsLine) {
  Result<Demo> demo = ReadDemo(Write("# lesson: L\n# expect: g.lost is big\nname: x\n"));
  ASSERT_FALSE(demo.ok());
  EXPECT_EQ(demo.error().line, 2);
  EXPECT_NE(demo.error().message.find("OP one of =="), std::string::npos);
}

TEST(DemoExpectation, UnknownMetricListsTheAllowedOnes) {
  models::RunResult result;
  result.groups.push_back(models::GroupResult{});
  result.groups[0].group = "g";
  result.groups[0].lost = 4;
  EXPECT_TRUE(Check({"", "g.lost", "==", "4", 1}, result, "d.yaml").value().holds);
  EXPECT_FALSE(Check({"", "g.lost", "<", "g.lost", 1}, result, "d.yaml").value().holds);
  Result<ExpectationOutcome> unknown = Check({"", "g.losses", ">", "0", 7}, result, "d.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().line, 7);
  EXPECT_NE(unknown.error().message.find("'g.losses' names nothing"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("duplicate_effects"), std::string::npos);
}

}  // namespace
}  // namespace deliverysim::app
