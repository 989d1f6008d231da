// The results store: runs written one transaction each, read back in key order, failed runs
// kept with their message and skipped by a resume.
#include "app/results_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "app/sweep_file.h"
#include "app/sweep_plan.h"

namespace deliverysim {
namespace {

namespace fs = std::filesystem;

class ResultsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("results_store_test_" +
              std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    Remove();
    auto sweep = app::LoadSweepText(
        "scenario: ../scenarios/order-placed-inbox.yaml\nreplications: 2\nparameters:\n"
        "  - { path: \"faults[1].loss\", name: loss, values: [0.01, 0.02] }\n",
        std::string(DELIVERYSIM_SOURCE_DIR) + "/sweeps/test.yaml");
    ASSERT_TRUE(sweep.ok()) << sweep.error().ToString();
    sweep_ = sweep.value();
    auto plan = app::PlanSweep(sweep_);
    ASSERT_TRUE(plan.ok()) << plan.error().ToString();
    plan_ = plan.value();
  }
  void TearDown() override { Remove(); }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }

  std::unique_ptr<app::ResultsStore> Open() {
    auto store = app::ResultsStore::OpenForSweep(path_);
    EXPECT_TRUE(store.ok());
    auto begun = store.value()->Begin(app::CanonicalDefinition(sweep_), sweep_, plan_);
    EXPECT_TRUE(begun.ok()) << begun.error().ToString();
    return std::move(store.value());
  }

  std::string path_;
  app::SweepDefinition sweep_;
  app::SweepPlan plan_;
};

TEST_F(ResultsStoreTest, AFailedRunIsKeptWithItsMessageAndCountsAsDone) {
  {
    auto store = Open();
    app::RunRecord failed;
    failed.run = plan_.runs[3];
    failed.ok = false;
    failed.error = "std::bad_alloc";
    ASSERT_TRUE(store->WriteRun(failed).ok());
  }
  auto store = Open();  // a resume: same definition
  EXPECT_EQ(store->FinishedRuns(), (std::set<std::pair<std::uint32_t, std::uint32_t>>{{1, 1}}));
  auto read = store->Read();
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read.value().runs.size(), 1u);
  EXPECT_FALSE(read.value().runs[0].ok);
  EXPECT_EQ(read.value().runs[0].error, "std::bad_alloc");
  EXPECT_TRUE(read.value().metrics.empty());
  EXPECT_EQ(read.value().points[1].parameters[0].value, "0.02");
}

TEST_F(ResultsStoreTest, ARunIsStoredOnceAndASecondWriteOfItIsRefused) {
  auto store = Open();
  app::RunRecord record;
  record.run = plan_.runs[0];
  ASSERT_TRUE(store->WriteRun(record).ok());
  EXPECT_FALSE(store->WriteRun(record).ok());
  EXPECT_EQ(store->FinishedRuns().size(), 1u);
}

TEST_F(ResultsStoreTest, ADifferentDefinitionIsRefused) {
  Open();
  auto store = app::ResultsStore::OpenForSweep(path_);
  ASSERT_TRUE(store.ok());
  app::SweepDefinition changed = sweep_;
  changed.replications = 3;
  auto begun = store.value()->Begin(app::CanonicalDefinition(changed), changed, plan_);
  ASSERT_FALSE(begun.ok());
  EXPECT_NE(begun.error().message.find("holds the results of a different sweep"),
            std::string::npos);
  EXPECT_NE(begun.error().message.find("\"replications\": 2"), std::string::npos);
}

}  // namespace
}  // namespace deliverysim
