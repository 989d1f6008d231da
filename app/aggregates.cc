#include "app/aggregates.h"

namespace deliverysim::app {

std::vector<Aggregate> Aggregates(const StoredSweep& sweep) {
  // Stored metrics come sorted by (point, replication, scope, metric); gather each
  // (point, scope, metric) across replications, keeping the first-seen order within a point.
  std::vector<Aggregate> out;
  std::vector<std::vector<double>> values;
  std::size_t point_start = 0;  // where the current point's aggregates begin in `out`
  for (const StoredMetric& m : sweep.metrics) {
    if (out.empty() || out[point_start].point != m.point) point_start = out.size();
    std::size_t i = point_start;
    while (i < out.size() && !(out[i].scope == m.scope && out[i].metric == m.metric)) ++i;
    if (i == out.size()) {
      out.push_back(Aggregate{m.point, m.scope, m.metric, {}, {}});
      values.emplace_back();
    }
    values[i].push_back(m.value);
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].summary = Summarize(values[i]);
    out[i].ci95 = MeanInterval(out[i].summary, kConfidenceLevel);
  }
  return out;
}

}  // namespace deliverysim::app
