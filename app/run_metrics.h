// A run's metrics as a flat list of (scope, metric, value), the shape the results store, the
// aggregates and the exports share. Scopes: a consumer group's name; "producer:NAME";
// "flow:NAME"; "network"; "run". Metric names follow docs/OUTPUT.md, with a dot into a summary:
// "lost", "lag_time_ns.mean", "latency_ns.p99".
#pragma once

#include <string>
#include <vector>

#include "models/run_result.h"

namespace deliverysim::app {

struct MetricValue {
  std::string scope;
  std::string metric;
  double value = 0;
};

// Leaves out what the run could not measure: latencies of a group that processed nothing.
std::vector<MetricValue> FlattenMetrics(const models::RunResult& result);

}  // namespace deliverysim::app
