// The simulated side of `deliverysim analyze --runs N`: runs a scenario N times and summarises,
// for each analytic prediction, the metric it is compared with, so the two stand side by side.
//
//   std::vector<Comparison> rows = SimulateComparisons(scenario, AnalyzeScenario(scenario), 20);
//   rows[0].what;        // "workers lag_messages.mean"
//   rows[0].predicted;   // 3.2
//   rows[0].ci95;        // the simulated mean's 95% Student-t interval
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/statistics.h"
#include "models/analytic_predictions.h"
#include "models/scenario.h"

namespace deliverysim::app {

struct Comparison {
  std::string what;
  double predicted = 0;
  Summary simulated;
  ConfidenceInterval ci95;
};

// Run r uses the seed RunSeed(scenario.seed, 0, r), as point 0 of a sweep would.
// REQUIRES: runs >= 1.
std::vector<Comparison> SimulateComparisons(const models::Scenario& scenario,
                                            const models::Analysis& analysis, std::uint32_t runs);

}  // namespace deliverysim::app
