// The results of a sweep in one SQLite file: the sweep's definition, its points, and one row
// per finished run with every metric, the sampled series and the latency percentiles. Each run
// is written in its own transaction, so a sweep killed at any moment keeps every run it
// finished and none by halves. The tables are documented in docs/OUTPUT.md.
//
//   Result<std::unique_ptr<ResultsStore>> store = ResultsStore::OpenForSweep("results.db");
//   store.value()->Begin(definition_text, sweep, plan);   // refuses a different sweep
//   store.value()->WriteRun(record);
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app/result.h"
#include "app/sqlite.h"
#include "app/sweep_plan.h"
#include "models/run_result.h"

namespace deliverysim::app {

// The version of the database's layout.
inline constexpr const char* kStoreSchema = "deliverysim.sweep-db/1";

struct RunRecord {
  PlannedRun run;
  bool ok = true;
  std::string error;         // why the run failed, when !ok
  double wall_seconds = 0;   // ignored by every comparison of results
  models::RunResult result;  // when ok
};

struct StoredParameter {
  std::string name;
  std::string value;
};

struct StoredPoint {
  std::uint32_t index = 0;
  std::string label;
  std::vector<StoredParameter> parameters;
};

struct StoredRun {
  std::uint32_t point = 0;
  std::uint32_t replication = 0;
  std::int64_t seed = 0;
  bool ok = true;
  std::string error;
};

struct StoredMetric {
  std::uint32_t point = 0;
  std::uint32_t replication = 0;
  std::string scope;
  std::string metric;
  double value = 0;
};

// What export and aggregation read back, in a fixed order (by point, replication, scope, name).
struct StoredSweep {
  std::string definition;  // canonical text
  std::uint32_t replications = 0;
  std::vector<StoredPoint> points;
  std::vector<StoredRun> runs;
  std::vector<StoredMetric> metrics;
};

class ResultsStore {
 public:
  // Creates the file if needed.
  static Result<std::unique_ptr<ResultsStore>> OpenForSweep(const std::string& path);
  // Refuses a file that is not a sweep database.
  static Result<std::unique_ptr<ResultsStore>> OpenExisting(const std::string& path);

  // Stores the definition and the points in a new database; in one that has them, checks that
  // `definition` is the same text and refuses the sweep, saying what differs, if not.
  Result<Done> Begin(const std::string& definition, const SweepDefinition& sweep,
                     const SweepPlan& plan);

  // (point, replication) of every run stored, failed ones included: a resume skips them.
  std::set<std::pair<std::uint32_t, std::uint32_t>> FinishedRuns();

  // One transaction per run. A run stored already is refused.
  // TODO: two sweeps writing one database at once fail on the first run both write, with
  // SQLite's constraint message; a lock on the sweep would say so plainly.
  Result<Done> WriteRun(const RunRecord& record);

  // TODO: reads every metric into memory; a sweep of millions of runs needs a streaming read.
  Result<StoredSweep> Read();

  Sqlite& db() { return *db_; }

 private:
  explicit ResultsStore(std::unique_ptr<Sqlite> db) : db_(std::move(db)) {}

  Result<Done> Finish();  // commits, or rolls back and reports the first failure

  std::unique_ptr<Sqlite> db_;
};

}  // namespace deliverysim::app
