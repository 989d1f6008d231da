// The aggregates of a sweep as a table for people: per consumer group, one row per point with
// the headline metrics as "mean ± half-width of the 95% interval".
#pragma once

#include <string>
#include <vector>

#include "app/aggregates.h"
#include "app/results_store.h"

namespace deliverysim::app {

std::string SweepTable(const StoredSweep& sweep, const std::vector<Aggregate>& aggregates);

// "12.3 ± 0.4"; the ± part is left out when there are fewer than two runs.
std::string FormatMeanInterval(const Aggregate& aggregate, bool as_duration);

}  // namespace deliverysim::app
