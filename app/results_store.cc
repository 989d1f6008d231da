#include "app/results_store.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "app/run_metrics.h"
#include "app/sweep_file.h"
#include "sim/random.h"

namespace deliverysim::app {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sweep (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
  point INTEGER PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS point_parameters (
  point INTEGER NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (point, position));
CREATE TABLE IF NOT EXISTS runs (
  point INTEGER NOT NULL, replication INTEGER NOT NULL, seed INTEGER NOT NULL,
  status TEXT NOT NULL, error TEXT, wall_seconds REAL NOT NULL,
  PRIMARY KEY (point, replication));
CREATE TABLE IF NOT EXISTS metrics (
  point INTEGER NOT NULL, replication INTEGER NOT NULL, scope TEXT NOT NULL,
  metric TEXT NOT NULL, value REAL NOT NULL,
  PRIMARY KEY (point, replication, scope, metric));
CREATE TABLE IF NOT EXISTS series (
  point INTEGER NOT NULL, replication INTEGER NOT NULL, scope TEXT NOT NULL,
  t_ns INTEGER NOT NULL, lag_messages INTEGER NOT NULL, lag_time_ns INTEGER NOT NULL,
  processed INTEGER NOT NULL, PRIMARY KEY (point, replication, scope, t_ns));
CREATE TABLE IF NOT EXISTS latency_percentiles (
  point INTEGER NOT NULL, replication INTEGER NOT NULL, scope TEXT NOT NULL,
  percentile INTEGER NOT NULL, latency_ns INTEGER NOT NULL,
  PRIMARY KEY (point, replication, scope, percentile));
)sql";

// The first line where two definitions part, to tell the user what changed.
std::string FirstDifference(const std::string& stored, const std::string& now) {
  std::istringstream a(stored), b(now);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "";
    if (line_a != line_b || more_a != more_b) {
      constexpr std::size_t kShown = 100;
      return fmt::format("first difference, line {} of the definition: stored '{}', now '{}'", line,
                         more_a ? line_a.substr(0, kShown) : "(end)",
                         more_b ? line_b.substr(0, kShown) : "(end)");
    }
  }
}

std::string HashText(const std::string& text) {
  return fmt::format("{:016x}", sim::StableHash(text));
}

}  // namespace

Result<std::unique_ptr<ResultsStore>> ResultsStore::OpenForSweep(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return Error{path, 0, 0, "", "is a directory, not a results database"};
  }
  Result<std::unique_ptr<Sqlite>> db = Sqlite::Open(path, /*create=*/true);
  if (!db.ok()) return db.error();
  // WAL keeps every committed run through a kill and lets a report read while a sweep writes.
  db.value()->Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  db.value()->Execute(kSchema);
  if (db.value()->failed()) return db.value()->error();
  return std::unique_ptr<ResultsStore>(new ResultsStore(std::move(db.value())));
}

Result<std::unique_ptr<ResultsStore>> ResultsStore::OpenExisting(const std::string& path) {
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(path, ignored)) {
    return Error{path, 0, 0, "", "no results database here; run 'deliverysim sweep' first"};
  }
  Result<std::unique_ptr<Sqlite>> db = Sqlite::Open(path, /*create=*/false);
  if (!db.ok()) return db.error();
  Statement schema = db.value()->Prepare("SELECT value FROM sweep WHERE key = 'schema'");
  const bool found = schema.Step();
  if (!found || schema.Text(0) != kStoreSchema) {
    return Error{path, 0, 0, "",
                 fmt::format("not a sweep results database (expected schema {})", kStoreSchema)};
  }
  return std::unique_ptr<ResultsStore>(new ResultsStore(std::move(db.value())));
}

Result<Done> ResultsStore::Begin(const std::string& definition, const SweepDefinition& sweep,
                                 const SweepPlan& plan) {
  Statement stored = db_->Prepare("SELECT value FROM sweep WHERE key = 'definition'");
  if (stored.Step()) {
    const std::string old = stored.Text(0);
    if (old == definition) return Done{};
    return Error{db_->error().file, 0, 0, "",
                 fmt::format("holds the results of a different sweep (definition {} there, {} in "
                             "{}); {}. Write to another file with -o, or delete this one to "
                             "start over",
                             HashText(old), HashText(definition), sweep.file,
                             FirstDifference(old, definition))};
  }
  if (db_->failed()) return db_->error();

  db_->Execute("BEGIN IMMEDIATE");
  Statement put = db_->Prepare("INSERT INTO sweep (key, value) VALUES (?1, ?2)");
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"schema", kStoreSchema},
           {"definition", definition},
           {"definition_hash", HashText(definition)},
           {"sweep_file", sweep.file},
           {"scenario", sweep.scenario_as_written},
           {"replications", std::to_string(sweep.replications)}}) {
    put.Bind(1, key).Bind(2, value).Step();
    put.Reset();
  }
  Statement point = db_->Prepare("INSERT INTO points (point, label) VALUES (?1, ?2)");
  Statement parameter = db_->Prepare(
      "INSERT INTO point_parameters (point, position, name, value) VALUES (?1, ?2, ?3, ?4)");
  for (const PlannedPoint& planned : plan.points) {
    const auto index = static_cast<std::int64_t>(planned.point.index);
    point.Bind(1, index).Bind(2, planned.label).Step();
    point.Reset();
    for (std::size_t p = 0; p < sweep.parameters.size(); ++p) {
      const SweepParameter& swept = sweep.parameters[p];
      parameter.Bind(1, index)
          .Bind(2, static_cast<std::int64_t>(p))
          .Bind(3, swept.name)
          .Bind(4, swept.values[planned.point.choice[p]].label)
          .Step();
      parameter.Reset();
    }
  }
  return Finish();
}

std::set<std::pair<std::uint32_t, std::uint32_t>> ResultsStore::FinishedRuns() {
  std::set<std::pair<std::uint32_t, std::uint32_t>> finished;
  Statement select = db_->Prepare("SELECT point, replication FROM runs");
  while (select.Step()) {
    finished.emplace(static_cast<std::uint32_t>(select.Integer(0)),
                     static_cast<std::uint32_t>(select.Integer(1)));
  }
  return finished;
}

Result<Done> ResultsStore::WriteRun(const RunRecord& record) {
  const auto point = static_cast<std::int64_t>(record.run.point);
  const auto replication = static_cast<std::int64_t>(record.run.replication);
  db_->Execute("BEGIN IMMEDIATE");
  Statement run = db_->Prepare(
      "INSERT INTO runs (point, replication, seed, status, error, wall_seconds) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  run.Bind(1, point).Bind(2, replication).Bind(3, static_cast<std::int64_t>(record.run.seed));
  run.Bind(4, std::string(record.ok ? "ok" : "failed")).Bind(6, record.wall_seconds);
  if (record.ok) {
    run.BindNull(5);
  } else {
    run.Bind(5, record.error);
  }
  run.Step();
  if (record.ok) {
    Statement metric = db_->Prepare(
        "INSERT INTO metrics (point, replication, scope, metric, value) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const MetricValue& m : FlattenMetrics(record.result)) {
      metric.Bind(1, point).Bind(2, replication).Bind(3, m.scope).Bind(4, m.metric);
      metric.Bind(5, m.value).Step();
      metric.Reset();
    }
    Statement sample = db_->Prepare(
        "INSERT INTO series (point, replication, scope, t_ns, lag_messages, lag_time_ns, "
        "processed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    Statement percentile = db_->Prepare(
        "INSERT INTO latency_percentiles (point, replication, scope, percentile, latency_ns) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const models::GroupResult& g : record.result.groups) {
      for (const models::SeriesSample& s : g.series) {
        sample.Bind(1, point).Bind(2, replication).Bind(3, g.group).Bind(4, std::int64_t{s.t});
        sample.Bind(5, s.lag_messages).Bind(6, std::int64_t{s.lag_time});
        sample.Bind(7, static_cast<std::int64_t>(s.processed)).Step();
        sample.Reset();
      }
      for (std::size_t q = 0; q < g.latency_percentiles.size(); ++q) {
        percentile.Bind(1, point).Bind(2, replication).Bind(3, g.group);
        percentile.Bind(4, static_cast<std::int64_t>(q)).Bind(5, g.latency_percentiles[q]).Step();
        percentile.Reset();
      }
    }
  }
  return Finish();
}

Result<Done> ResultsStore::Finish() {
  if (db_->failed()) {
    const Error error = db_->error();
    db_->ClearError();
    db_->Execute("ROLLBACK");
    db_->ClearError();
    return error;
  }
  db_->Execute("COMMIT");
  if (db_->failed()) return db_->error();
  return Done{};
}

Result<StoredSweep> ResultsStore::Read() {
  StoredSweep sweep;
  Statement definition =
      db_->Prepare("SELECT key, value FROM sweep WHERE key IN ('definition', 'replications')");
  while (definition.Step()) {
    if (definition.Text(0) == "definition") sweep.definition = definition.Text(1);
    if (definition.Text(0) == "replications") {
      sweep.replications = static_cast<std::uint32_t>(std::stoul(definition.Text(1)));
    }
  }
  Statement points = db_->Prepare("SELECT point, label FROM points ORDER BY point");
  while (points.Step()) {
    sweep.points.push_back(
        StoredPoint{static_cast<std::uint32_t>(points.Integer(0)), points.Text(1), {}});
  }
  Statement parameters =
      db_->Prepare("SELECT point, name, value FROM point_parameters ORDER BY point, position");
  while (parameters.Step()) {
    const auto point = static_cast<std::size_t>(parameters.Integer(0));
    if (point < sweep.points.size()) {
      sweep.points[point].parameters.push_back({parameters.Text(1), parameters.Text(2)});
    }
  }
  Statement runs = db_->Prepare(
      "SELECT point, replication, seed, status, error FROM runs ORDER BY point, replication");
  while (runs.Step()) {
    sweep.runs.push_back(StoredRun{static_cast<std::uint32_t>(runs.Integer(0)),
                                   static_cast<std::uint32_t>(runs.Integer(1)), runs.Integer(2),
                                   runs.Text(3) == "ok", runs.Text(4)});
  }
  Statement metrics = db_->Prepare(
      "SELECT point, replication, scope, metric, value FROM metrics "
      "ORDER BY point, replication, scope, metric");
  while (metrics.Step()) {
    sweep.metrics.push_back(StoredMetric{static_cast<std::uint32_t>(metrics.Integer(0)),
                                         static_cast<std::uint32_t>(metrics.Integer(1)),
                                         metrics.Text(2), metrics.Text(3), metrics.Real(4)});
  }
  if (db_->failed()) return db_->error();
  return sweep;
}

}  // namespace deliverysim::app
