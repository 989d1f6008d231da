// Each bundled scenario that claims an outcome in its header gets it.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/test_support.h"

namespace deliverysim::testing {
namespace {

models::GroupResult Billing(const std::string& file) {
  return RunScenario(BundledScenario(file)).groups.at(0);
}

TEST(BundledScenarios, AtMostOnceLosesButNeverDuplicatesEffects) {
  const auto billing = Billing("order-placed-at-most-once.yaml");
  EXPECT_GT(billing.lost, 0u);
  EXPECT_EQ(billing.duplicate_effects, 0u);
}

TEST(BundledScenarios, AtLeastOnceLosesNothingButDuplicatesEffects) {
  const auto billing = Billing("order-placed-at-least-once.yaml");
  EXPECT_EQ(billing.lost, 0u);
  EXPECT_GT(billing.duplicate_effects, 0u);
}

TEST(BundledScenarios, InboxAbsorbsEveryRedelivery) {
  const auto billing = Billing("order-placed-inbox.yaml");
  EXPECT_EQ(billing.lost, 0u);
  EXPECT_EQ(billing.duplicate_effects, 0u);
  EXPECT_GT(billing.duplicate_deliveries, 0u);
}

TEST(BundledScenarios, OrderPlacedFilesDifferOnlyInDeliveryStrategy) {
  const auto most = BundledScenario("order-placed-at-most-once.yaml");
  const auto least = BundledScenario("order-placed-at-least-once.yaml");
  const auto inbox = BundledScenario("order-placed-inbox.yaml");
  for (const auto* other : {&least, &inbox}) {
    EXPECT_EQ(most.seed, other->seed);
    EXPECT_EQ(most.duration, other->duration);
    EXPECT_EQ(most.producers[0].rate_per_second, other->producers[0].rate_per_second);
    EXPECT_EQ(most.crashes.size(), other->crashes.size());
    EXPECT_EQ(most.link_faults.size(), other->link_faults.size());
  }
  EXPECT_EQ(most.producers[0].max_attempts, 1u);
  EXPECT_EQ(least.producers[0].max_attempts, 0u);  // unlimited
  EXPECT_EQ(least.consumers[0].commit, models::CommitStrategy::kAfterProcessing);
  EXPECT_EQ(inbox.consumers[0].commit, models::CommitStrategy::kInbox);
}

// What happened to each record a crashed instance had in hand, read from the trace.
struct CrashHistory {
  std::string instance;
  sim::Time at;
  std::int64_t partition = -1;  // of the record in hand; -1 when none was
  std::int64_t offset = -1;
};

std::vector<CrashHistory> RecordsInHandAtCrashes(const RecordingTrace& trace) {
  std::vector<CrashHistory> crashes;
  std::map<std::string, CrashHistory> in_hand;  // per instance: delivered, effect not yet run
  for (const TraceEvent& event : trace.events) {
    if (event.kind == "deliver") {
      in_hand[event.Text("component")] = {event.Text("component"), event.at,
                                          event.Number("partition"), event.Number("offset")};
    } else if (event.kind == "effect" || event.kind == "effect-skipped") {
      in_hand.erase(event.Text("component"));
    } else if (event.kind == "crash") {
      const std::string& instance = event.Text("component");
      CrashHistory crash{instance, event.at};
      if (in_hand.count(instance)) {
        crash.partition = in_hand[instance].partition;
        crash.offset = in_hand[instance].offset;
      }
      in_hand.erase(instance);
      crashes.push_back(crash);
    }
  }
  return crashes;
}

TEST(BundledScenarios, TimerAutoCommitLosesTheRecordInHandWhenATimerCommitCoveredIt) {
  RecordingTrace trace;
  const auto ledger = RunScenario(BundledScenario("auto-commit-timer.yaml"), &trace).groups.at(0);

  // A record is lost when a commit past it was accepted from the instance holding it: the
  // timer committed it while it was being processed, and the crash stopped the effect.
  std::uint64_t expected_lost = 0;
  for (const CrashHistory& crash : RecordsInHandAtCrashes(trace)) {
    ASSERT_GE(crash.offset, 0) << "each crash of this scenario falls mid-processing";
    for (const TraceEvent& commit : trace.Of("commit")) {
      if (commit.Text("consumer") == crash.instance &&
          commit.Number("partition") == crash.partition &&
          commit.Number("offset") == crash.offset + 1) {
        ++expected_lost;
        break;
      }
    }
  }
  EXPECT_EQ(trace.Of("crash").size(), 4u);
  EXPECT_GT(expected_lost, 0u);
  EXPECT_EQ(ledger.lost, expected_lost);
}

TEST(BundledScenarios, PollAutoCommitLosesNothingAndRedoesOnlyUncommittedWork) {
  RecordingTrace trace;
  const auto ledger = RunScenario(BundledScenario("auto-commit-on-poll.yaml"), &trace).groups.at(0);
  EXPECT_EQ(ledger.lost, 0u);

  // A record is processed again only when the instance that first processed it had no commit
  // covering it accepted before the redo: it crashed first, or its partition moved away in a
  // rebalance (the model does not commit on revocation).
  std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::string, sim::Time>> first;
  std::uint64_t redone = 0;
  for (const TraceEvent& effect : trace.Of("effect")) {
    const auto record = std::make_pair(effect.Number("partition"), effect.Number("offset"));
    auto [it, is_first] =
        first.emplace(record, std::make_pair(effect.Text("component"), effect.at));
    if (is_first) continue;
    ++redone;
    const auto& [instance, first_at] = it->second;
    for (const TraceEvent& commit : trace.Of("commit")) {
      const bool covers = commit.Text("consumer") == instance &&
                          commit.Number("partition") == record.first &&
                          commit.Number("offset") > record.second;
      EXPECT_FALSE(covers && commit.at >= first_at && commit.at < effect.at)
          << "offset " << record.second << " was committed by " << instance << ", yet redone";
    }
  }
  EXPECT_GT(redone, 0u);
  EXPECT_EQ(ledger.duplicate_effects, redone);
}

}  // namespace
}  // namespace deliverysim::testing
