#include "app/export.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "app/version.h"

namespace deliverysim::app {

namespace {

using Json = nlohmann::ordered_json;

// RFC 4180: a field holding a comma, a quote or a line break is quoted, quotes doubled.
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted(1, '"');
  for (char c : text) {
    quoted.push_back(c);
    if (c == '"') quoted.push_back('"');
  }
  quoted.push_back('"');
  return quoted;
}

// The shortest text that reads back as the same double; empty for a value that is undefined.
std::string CsvNumber(double value) { return std::isnan(value) ? "" : fmt::format("{}", value); }

Json JsonNumber(double value) { return std::isnan(value) ? Json(nullptr) : Json(value); }

std::string ParameterHeader(const StoredSweep& sweep) {
  std::string header = "point";
  if (!sweep.points.empty()) {
    for (const StoredParameter& p : sweep.points[0].parameters)
      header.append(",").append(CsvField(p.name));
  }
  return header;
}

std::string ParameterFields(const StoredSweep& sweep, std::uint32_t point) {
  std::string fields = std::to_string(point);
  for (const StoredParameter& p : sweep.points[point].parameters) {
    fields.append(",").append(CsvField(p.value));
  }
  return fields;
}

}  // namespace

std::string AggregatesCsv(const StoredSweep& sweep, const std::vector<Aggregate>& aggregates) {
  std::string out = ParameterHeader(sweep) + ",scope,metric,n,mean,stddev,ci95_low,ci95_high\n";
  for (const Aggregate& a : aggregates) {
    out +=
        fmt::format("{},{},{},{},{},{},{},{}\n", ParameterFields(sweep, a.point), CsvField(a.scope),
                    CsvField(a.metric), a.summary.n, CsvNumber(a.summary.mean),
                    CsvNumber(a.summary.stddev), CsvNumber(a.ci95.low), CsvNumber(a.ci95.high));
  }
  return out;
}

std::string RunsCsv(const StoredSweep& sweep) {
  std::string out = ParameterHeader(sweep) + ",replication,seed,scope,metric,value\n";
  // Runs and metrics arrive sorted by point and replication; a run's metrics follow it.
  std::size_t run = 0;
  for (const StoredMetric& m : sweep.metrics) {
    while (sweep.runs[run].point != m.point || sweep.runs[run].replication != m.replication) {
      ++run;
    }
    out += fmt::format("{},{},{},{},{},{}\n", ParameterFields(sweep, m.point), m.replication,
                       sweep.runs[run].seed, CsvField(m.scope), CsvField(m.metric),
                       CsvNumber(m.value));
  }
  return out;
}

std::string SweepJson(const StoredSweep& sweep, const std::vector<Aggregate>& aggregates) {
  std::vector<Json> points;
  for (const StoredPoint& point : sweep.points) {
    Json parameters = Json::object();
    for (const StoredParameter& p : point.parameters) parameters[p.name] = p.value;
    points.push_back(Json{{"point", point.index},
                          {"label", point.label},
                          {"parameters", parameters},
                          {"runs", Json::array()},
                          {"aggregates", Json::object()}});
  }
  // Runs and metrics arrive sorted by point and replication; a run's metrics follow it.
  std::size_t next_metric = 0;
  for (const StoredRun& run : sweep.runs) {
    Json metrics = Json::object();
    for (; next_metric < sweep.metrics.size(); ++next_metric) {
      const StoredMetric& m = sweep.metrics[next_metric];
      if (m.point != run.point || m.replication != run.replication) break;
      metrics[m.scope][m.metric] = m.value;
    }
    Json entry{
        {"replication", run.replication}, {"seed", run.seed}, {"status", run.ok ? "ok" : "failed"}};
    if (!run.ok) entry["error"] = run.error;
    entry["metrics"] = metrics;
    points[run.point]["runs"].push_back(entry);
  }
  for (const Aggregate& a : aggregates) {
    points[a.point]["aggregates"][a.scope][a.metric] =
        Json{{"n", a.summary.n},
             {"mean", JsonNumber(a.summary.mean)},
             {"stddev", JsonNumber(a.summary.stddev)},
             {"ci95", Json::array({JsonNumber(a.ci95.low), JsonNumber(a.ci95.high)})}};
  }
  Json root{{"schema", kExportSchema},
            {"version", kVersion},
            {"definition", Json::parse(sweep.definition.empty() ? "null" : sweep.definition)},
            {"replications", sweep.replications},
            {"points", points}};
  return root.dump(2) + "\n";
}

}  // namespace deliverysim::app
