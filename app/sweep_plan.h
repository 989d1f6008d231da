// The runs of a sweep, each with its scenario checked and its seed chosen before any runs.
//
//   Result<SweepPlan> plan = PlanSweep(sweep);
//   for (const PlannedRun& run : plan.value().runs) { ... plan.value().points[run.point] ... }
//
// Every point's scenario goes through the scenario loader, so a swept value is checked exactly
// as in a scenario file; a refused value is reported at its place in the sweep file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/result.h"
#include "app/sweep_file.h"
#include "models/scenario.h"

namespace deliverysim::app {

struct PlannedPoint {
  SweepPoint point;
  std::string label;          // "commit=inbox crash_rate=2"
  models::Scenario scenario;  // with the point's values set; the seed is set per run
};

struct PlannedRun {
  std::uint32_t point = 0;
  std::uint32_t replication = 0;
  std::uint64_t seed = 0;
};

struct SweepPlan {
  std::vector<PlannedPoint> points;
  std::vector<PlannedRun> runs;       // point by point, replications in order
  std::vector<std::string> warnings;  // the scenario warnings of every point, each once
};

Result<SweepPlan> PlanSweep(const SweepDefinition& sweep);

// A run's seed: a stable mix of the base seed, the point's index and the replication, so that
// it never depends on the order in which runs finish. Below 2^63, so that SQLite's signed
// integers hold it as is.
std::uint64_t RunSeed(std::uint64_t base_seed, std::uint32_t point, std::uint32_t replication);

}  // namespace deliverysim::app
