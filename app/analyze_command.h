// `deliverysim analyze FILE`: the analytic predictions that apply to a scenario (Erlang C for a
// consumer that is an M/M/1 queue, the retry chain of a producer, at-most-once loss), each with
// the simulated metric to compare it with, and a plain sentence for what has no prediction.
#pragma once

#include <cstdint>
#include <string>

#include "models/analytic_predictions.h"

namespace deliverysim::app {

struct AnalyzeOptions {
  std::string scenario_path;
  std::uint32_t runs = 0;  // 0: print the predictions only; N: also simulate N times
};

int AnalyzeCommand(const AnalyzeOptions& options);

// The text the command prints, for tests.
std::string AnalysisText(const std::string& scenario_name, const models::Analysis& analysis);

}  // namespace deliverysim::app
