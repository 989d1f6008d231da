#include "app/sweep_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <span>

#include "app/report_table.h"

namespace deliverysim::app {

namespace {

struct Column {
  const char* metric;
  const char* heading;
  bool duration;
};

constexpr Column kGroupColumns[] = {
    {"lost", "lost", false},
    {"duplicate_effects", "duplicate effects", false},
    {"out_of_order", "out of order", false},
    {"latency_ns.p99", "latency p99", true},
    {"lag_time_ns.mean", "lag (time) mean", true},
};

// A business flow's scope ("flow:NAME"): how its instances ended and what users waited for.
constexpr Column kFlowColumns[] = {
    {"completed", "completed", false},          {"compensated", "compensated", false},
    {"inconsistent", "inconsistent", false},    {"stuck", "stuck", false},
    {"responses_failed", "user errors", false}, {"response_time_ns.p99", "user wait p99", true},
};

std::string Number(double value) { return fmt::format("{:.4g}", value); }

}  // namespace

std::string FormatMeanInterval(const Aggregate& a, bool as_duration) {
  auto show = [&](double v) {
    return as_duration ? FormatDuration(static_cast<sim::Time>(std::llround(v))) : Number(v);
  };
  if (a.summary.n < 2) return show(a.summary.mean);
  return show(a.summary.mean) + " ± " + show((a.ci95.high - a.ci95.low) / 2);
}

std::string SweepTable(const StoredSweep& sweep, const std::vector<Aggregate>& aggregates) {
  // Group scopes are the scopes that have a "lost" metric; flow scopes have "inconsistent".
  std::vector<std::pair<std::string, bool>> groups;  // scope, is a flow
  for (const Aggregate& a : aggregates) {
    const bool flow = a.metric == "inconsistent";
    if (a.metric != "lost" && !flow) continue;
    if (std::find(groups.begin(), groups.end(), std::pair{a.scope, flow}) == groups.end()) {
      groups.emplace_back(a.scope, flow);
    }
  }
  std::map<std::uint32_t, std::pair<int, int>> runs;  // point -> (ok, failed)
  for (const StoredRun& run : sweep.runs) {
    (run.ok ? runs[run.point].first : runs[run.point].second)++;
  }
  std::string out;
  for (const auto& [group, is_flow] : groups) {
    const std::span<const Column> columns =
        is_flow ? std::span<const Column>(kFlowColumns) : std::span<const Column>(kGroupColumns);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header{"point", "runs"};
    for (const Column& c : columns) header.emplace_back(c.heading);
    rows.push_back(header);
    for (const StoredPoint& point : sweep.points) {
      const auto [ok, failed] = runs[point.index];
      std::vector<std::string> row{
          point.label, failed ? fmt::format("{} ({} failed)", ok, failed) : std::to_string(ok)};
      for (const Column& c : columns) {
        const auto found = std::find_if(aggregates.begin(), aggregates.end(), [&](const auto& a) {
          return a.point == point.index && a.scope == group && a.metric == c.metric;
        });
        row.push_back(found == aggregates.end() ? "n/a" : FormatMeanInterval(*found, c.duration));
      }
      rows.push_back(row);
    }
    // Columns as wide as their widest cell; '±' is one column but two bytes.
    std::vector<std::size_t> width(header.size(), 0);
    auto shown = [](const std::string& s) {
      return s.size() - static_cast<std::size_t>(std::count(s.begin(), s.end(), '\xc2'));
    };
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], shown(row[c]));
    }
    out += fmt::format("{} (mean ± 95% confidence half-width over replications)\n", group);
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t c = 0; c < row.size(); ++c) {
        line += row[c] + std::string(width[c] - shown(row[c]) + (c + 1 < row.size() ? 2 : 0), ' ');
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace deliverysim::app
