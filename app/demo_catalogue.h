// The bundled demos: scenario files under scenarios/demos/ whose opening comment lines say what
// each one teaches and what its run must show.
//
//   # lesson: At-most-once never processes a message twice, but ... (one line, required)
//   # narration: A shop sends each order once ...                   (any number of lines)
//   # expect: billing.lost > 0                                       (at least one)
//   # timeline: 3..5                                                 (optional, repeatable)
//
// An expectation compares a metric with a whole number or another metric, using ==, !=, <, <=,
// > or >=. Metrics: GROUP.M for M in kGroupMetrics, producers.NAME.M for M in
// kProducerMetrics, network.packets_lost, network.packets_duplicated. `timeline:` names the
// messages to draw, as `run --messages` does; without it the demo draws its most telling ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/result.h"
#include "models/run_result.h"

namespace deliverysim::app {

struct Expectation {
  std::string text;  // as written: "billing.lost > 0"
  std::string left;  // a metric
  std::string op;
  std::string right;  // a metric or a whole number
  int line = 0;
};

struct Demo {
  std::string name;  // the file name without .yaml
  std::string path;
  std::string lesson;
  std::vector<std::string> narration;
  std::vector<Expectation> expectations;
  std::vector<std::string> timeline;  // message ranges to draw
};

struct ExpectationOutcome {
  bool holds = false;
  std::int64_t left = 0;
  std::int64_t right = 0;
};

inline constexpr const char* kGroupMetrics[] = {
    "intended",          "lost",         "dead_lettered", "deliveries",     "duplicate_deliveries",
    "duplicate_effects", "out_of_order", "rebalances",    "commits_refused"};
inline constexpr const char* kProducerMetrics[] = {"intended", "sends", "acknowledged", "gave_up"};

// Reads the header of one demo file; an error names the file, line and what is allowed.
[[nodiscard]] Result<Demo> ReadDemo(const std::string& path);

// Every *.yaml under `folder`, in name order.
[[nodiscard]] Result<std::vector<Demo>> LoadDemoCatalogue(const std::string& folder);

// Checks one expectation against a run; an error when a metric names nothing in the run.
[[nodiscard]] Result<ExpectationOutcome> Check(const Expectation& expectation,
                                               const models::RunResult& result,
                                               const std::string& path);

}  // namespace deliverysim::app
