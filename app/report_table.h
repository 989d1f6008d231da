// The human-readable result of a run: a table with one column per consumer group.
#pragma once

#include <string>

#include "models/run_result.h"
#include "sim/time.h"

namespace deliverysim::app {

struct WallClock {
  double seconds = 0;
};

std::string RunResultToTable(const models::RunResult& result, WallClock wall);

// "1.25 ms", "3 s", "870 ns": three significant digits and the largest fitting unit.
std::string FormatDuration(sim::Time nanoseconds);

}  // namespace deliverysim::app
