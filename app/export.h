// A sweep's results as CSV or JSON, for pandas and spreadsheets. The layouts are documented in
// docs/OUTPUT.md. Neither holds wall-clock time, so the same database always exports the same
// bytes.
#pragma once

#include <string>
#include <vector>

#include "app/aggregates.h"
#include "app/results_store.h"

namespace deliverysim::app {

inline constexpr const char* kExportSchema = "deliverysim.sweep/1";

// One row per point, scope and metric: the point's parameters, n, mean, stddev, ci95_low,
// ci95_high.
std::string AggregatesCsv(const StoredSweep& sweep, const std::vector<Aggregate>& aggregates);

// One row per run, scope and metric: the point's parameters, replication, seed, value.
std::string RunsCsv(const StoredSweep& sweep);

// Everything: the definition, and per point its parameters, runs and aggregates.
std::string SweepJson(const StoredSweep& sweep, const std::vector<Aggregate>& aggregates);

}  // namespace deliverysim::app
