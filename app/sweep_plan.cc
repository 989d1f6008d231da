#include "app/sweep_plan.h"

#include <fmt/format.h>

#include <algorithm>

#include "app/scenario_loader.h"
#include "app/scenario_override.h"
#include "app/scenario_warnings.h"
#include "sim/random.h"

namespace deliverysim::app {

namespace {

// An error the loader found in a point's scenario, placed where the user can fix it: at the
// swept value whose path the error is about, or else at the parameters, naming the point.
Error Blame(const SweepDefinition& sweep, const SweepPoint& point,
            const std::vector<std::string>& resolved, const Error& error) {
  const std::string what = error.key.empty() ? error.message : error.key + ": " + error.message;
  for (std::size_t p = 0; p < sweep.parameters.size(); ++p) {
    const std::string& path = resolved[p];
    const bool about_this = error.key == path || error.key.rfind(path + ".", 0) == 0 ||
                            error.key.rfind(path + "[", 0) == 0;
    if (!about_this) continue;
    const ParameterValue& value = sweep.parameters[p].values[point.choice[p]];
    return Error{sweep.file, value.line, value.column, value.key,
                 fmt::format("the scenario {} refuses this value: {}", sweep.scenario_path, what)};
  }
  const std::string position =
      error.line > 0 ? fmt::format("{}:{}:{}: ", error.file, error.line, error.column) : "";
  return Error{sweep.file, 0, 0, "parameters",
               fmt::format("at point {} ({}) the scenario is refused: {}{}", point.index,
                           PointLabel(sweep, point), position, what)};
}

// The scenario of one point: the base with the point's values set, loaded and checked.
Result<models::Scenario> LoadPoint(const SweepDefinition& sweep, const SweepPoint& point) {
  // Parsed afresh for each point rather than cloned, because a clone loses the positions that
  // errors about the base scenario need.
  YAML::Node tree;
  try {
    tree = YAML::Load(sweep.scenario_text);
  } catch (const YAML::Exception& e) {
    return Error{sweep.scenario_path, e.mark.line + 1, e.mark.column + 1, "",
                 "not valid YAML: " + e.msg};
  }
  std::vector<std::string> resolved(sweep.parameters.size());
  for (std::size_t p = 0; p < sweep.parameters.size(); ++p) {
    const SweepParameter& parameter = sweep.parameters[p];
    const ParameterValue& value = parameter.values[point.choice[p]];
    const std::string problem =
        OverrideAt(tree, parameter.path, YAML::Clone(value.node), &resolved[p]);
    if (!problem.empty()) {
      return Error{sweep.file, parameter.path_line, parameter.path_column,
                   fmt::format("parameters[{}].path", p), problem};
    }
  }
  Result<models::Scenario> loaded = LoadScenarioTree(tree, sweep.scenario_path);
  if (!loaded.ok()) return Blame(sweep, point, resolved, loaded.error());
  return loaded;
}

// Warnings of the base scenario would otherwise repeat at every point; each is said once,
// with how many points it concerns.
class WarningTally {
 public:
  void Add(const std::string& text, const std::string& point_label) {
    for (Entry& entry : entries_) {
      if (entry.text == text) {
        ++entry.points;
        return;
      }
    }
    entries_.push_back(Entry{text, point_label, 1});
  }

  std::vector<std::string> Lines(std::size_t points) const {
    std::vector<std::string> lines;
    for (const Entry& e : entries_) {
      lines.push_back(e.points == points ? fmt::format("{} (at every point)", e.text)
                                         : fmt::format("{} (at {} of {} points, the first {})",
                                                       e.text, e.points, points, e.first_point));
    }
    return lines;
  }

 private:
  struct Entry {
    std::string text;
    std::string first_point;
    std::size_t points;
  };
  std::vector<Entry> entries_;
};

}  // namespace

std::uint64_t RunSeed(std::uint64_t base_seed, std::uint32_t point, std::uint32_t replication) {
  const std::uint64_t mixed = sim::Mix64(sim::Mix64(sim::Mix64(base_seed) ^ point) ^
                                         (std::uint64_t{replication} << 32 | 0x5eedU));
  return mixed >> 1;
}

Result<SweepPlan> PlanSweep(const SweepDefinition& sweep) {
  SweepPlan plan;
  WarningTally warnings;
  for (const SweepPoint& point : ExpandPoints(sweep)) {
    Result<models::Scenario> loaded = LoadPoint(sweep, point);
    if (!loaded.ok()) return loaded.error();
    for (const std::string& warning : ScenarioWarnings(loaded.value())) {
      warnings.Add(warning, PointLabel(sweep, point));
    }
    plan.points.push_back(PlannedPoint{point, PointLabel(sweep, point), std::move(loaded.value())});
  }
  plan.warnings = warnings.Lines(plan.points.size());
  const std::uint64_t base_seed = sweep.seed.value_or(plan.points[0].scenario.seed);
  for (const PlannedPoint& point : plan.points) {
    for (std::uint32_t r = 0; r < sweep.replications; ++r) {
      plan.runs.push_back(
          PlannedRun{point.point.index, r, RunSeed(base_seed, point.point.index, r)});
    }
  }
  return plan;
}

}  // namespace deliverysim::app
