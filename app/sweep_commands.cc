#include "app/sweep_commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "app/aggregates.h"
#include "app/atomic_file.h"
#include "app/commands.h"
#include "app/export.h"
#include "app/results_store.h"
#include "app/sweep_file.h"
#include "app/sweep_plan.h"
#include "app/sweep_progress.h"
#include "app/sweep_runner.h"
#include "app/sweep_table.h"

namespace deliverysim::app {

namespace {

void PrintError(const Error& error) { std::cerr << "error: " << error.ToString() << "\n"; }

// The runs the store lacks, and how many of them fall on each point.
// TODO: a failed run counts as done, so a failure from a passing cause (memory) is never
// retried; today the user must delete its row from `runs` to run it again.
std::vector<PlannedRun> RunsToDo(const SweepPlan& plan, ResultsStore& store,
                                 std::vector<std::uint32_t>& per_point) {
  const auto finished = store.FinishedRuns();
  std::vector<PlannedRun> todo;
  per_point.assign(plan.points.size(), 0);
  for (const PlannedRun& run : plan.runs) {
    if (finished.count({run.point, run.replication})) continue;
    todo.push_back(run);
    ++per_point[run.point];
  }
  return todo;
}

// Runs what the store lacks, showing progress, and says beforehand how much that is.
Result<SweepTally> RunRemaining(const SweepOptions& options, const SweepDefinition& sweep,
                                const SweepPlan& plan, ResultsStore& store,
                                const std::string& db_path) {
  std::vector<std::uint32_t> per_point;
  const std::vector<PlannedRun> todo = RunsToDo(plan, store, per_point);
  std::cerr << fmt::format(
      "{}: {} point(s) x {} replication(s) = {} runs; {} stored already, {} to run; writing {}\n",
      options.sweep_path, plan.points.size(), sweep.replications, plan.runs.size(),
      plan.runs.size() - todo.size(), todo.size(), db_path);
  const unsigned jobs =
      options.jobs > 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> labels;
  for (const PlannedPoint& point : plan.points) labels.push_back(point.label);
  SweepProgress progress(per_point, labels, stderr, isatty(STDERR_FILENO) == 1);
  return RunSweep(plan, todo, jobs, store, [&](const RunRecord& record) {
    progress.RunFinished(record.run.point, record.ok);
  });
}

}  // namespace

std::string DefaultDatabasePath(const std::string& sweep_path) {
  return std::filesystem::path(sweep_path).stem().string() + ".db";
}

int SweepCommand(const SweepOptions& options) {
  Result<SweepDefinition> sweep = LoadSweepFile(options.sweep_path);
  if (!sweep.ok()) {
    PrintError(sweep.error());
    return kExitBadInput;
  }
  Result<SweepPlan> plan = PlanSweep(sweep.value());
  if (!plan.ok()) {
    PrintError(plan.error());
    return kExitBadInput;
  }
  for (const std::string& warning : plan.value().warnings) {
    std::cerr << "warning: " << options.sweep_path << ": " << warning << "\n";
  }
  const std::string db_path = options.database_path.empty()
                                  ? DefaultDatabasePath(options.sweep_path)
                                  : options.database_path;
  Result<std::unique_ptr<ResultsStore>> store = ResultsStore::OpenForSweep(db_path);
  if (!store.ok()) {
    PrintError(store.error());
    return kExitOutputFailed;
  }
  ResultsStore& results = *store.value();
  const std::string definition = CanonicalDefinition(sweep.value());
  if (Result<Done> begun = results.Begin(definition, sweep.value(), plan.value()); !begun.ok()) {
    PrintError(begun.error());
    return kExitBadInput;
  }

  const Result<SweepTally> tally =
      RunRemaining(options, sweep.value(), plan.value(), results, db_path);
  const Result<StoredSweep> stored =
      tally.ok() ? results.Read() : Result<StoredSweep>(tally.error());
  if (!stored.ok()) {
    PrintError(stored.error());
    return kExitOutputFailed;
  }
  std::cout << SweepTable(stored.value(), Aggregates(stored.value()));
  std::cout << fmt::format("{} run(s) stored in {} ({} failed this time)\n",
                           stored.value().runs.size(), db_path, tally.value().failed);
  std::cout.flush();
  return std::cout ? kExitOk : kExitOutputFailed;
}

int ExportCommand(const ExportOptions& options) {
  if (options.csv == options.json) {
    std::cerr << "error: export: give exactly one of --csv or --json\n";
    return kExitBadInput;
  }
  if (options.runs && !options.csv) {
    std::cerr << "error: export: --runs goes with --csv (the JSON holds the runs already)\n";
    return kExitBadInput;
  }
  Result<std::unique_ptr<ResultsStore>> store = ResultsStore::OpenExisting(options.database_path);
  if (!store.ok()) {
    PrintError(store.error());
    return kExitBadInput;
  }
  Result<StoredSweep> stored = store.value()->Read();
  if (!stored.ok()) {
    PrintError(stored.error());
    return kExitBadInput;
  }
  const std::vector<Aggregate> aggregates = Aggregates(stored.value());
  const std::string text = options.json   ? SweepJson(stored.value(), aggregates)
                           : options.runs ? RunsCsv(stored.value())
                                          : AggregatesCsv(stored.value(), aggregates);
  AtomicFile file(options.output_path);
  Result<Done> written = file.Open();
  if (written.ok()) {
    file.stream() << text;
    written = file.Commit();
  }
  if (!written.ok()) {
    PrintError(written.error());
    return kExitOutputFailed;
  }
  std::cerr << fmt::format("wrote {} ({} point(s), {} run(s))\n", options.output_path,
                           stored.value().points.size(), stored.value().runs.size());
  return kExitOk;
}

}  // namespace deliverysim::app
