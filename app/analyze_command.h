// `deliverysim analyze FILE`: the analytic predictions that apply to a scenario (Erlang C for a
// consumer that is an M/M/1 queue, the retry chain of a producer, at-most-once loss), each with
// the simulated metric to compare it with, and a plain sentence for what has no prediction.
#pragma once

#include <string>

#include "models/analytic_predictions.h"

namespace deliverysim::app {

int AnalyzeCommand(const std::string& scenario_path);

// The text the command prints, for tests.
std::string AnalysisText(const std::string& scenario_name, const models::Analysis& analysis);

}  // namespace deliverysim::app
