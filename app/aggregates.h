// Per point and metric, the mean, standard deviation and 95% Student's t confidence interval
// over the point's successful replications.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/results_store.h"
#include "app/statistics.h"

namespace deliverysim::app {

inline constexpr double kConfidenceLevel = 0.95;

struct Aggregate {
  std::uint32_t point = 0;
  std::string scope;
  std::string metric;
  Summary summary;
  ConfidenceInterval ci95;
};

// In the order of the stored metrics: by point, then scope, then metric.
std::vector<Aggregate> Aggregates(const StoredSweep& sweep);

}  // namespace deliverysim::app
