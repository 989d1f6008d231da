// Drawing the scenario's topology (models/topology.h): Graphviz DOT text, and SVG through
// Graphviz's `dot` program when it is installed.
//
//   std::string dot = TopologyToDot(models::BuildTopology(scenario), scenario.name);
//   Result<std::string> svg = DotToSvg(dot);  // an error when `dot` is missing or fails
#pragma once

#include <string>

#include "app/result.h"
#include "models/topology.h"

namespace deliverysim::app {

// A `digraph` with one node per vertex (shape by kind) and one labelled edge per edge, in the
// graph's order, so the same scenario always gives the same text.
std::string TopologyToDot(const models::Topology& topology, const std::string& title);

// Runs `dot -Tsvg` (found on PATH) on `dot_text` and returns the SVG it printed.
[[nodiscard]] Result<std::string> DotToSvg(const std::string& dot_text);

struct GraphOptions {
  std::string scenario_path;
  std::string dot_path;  // -o FILE: empty prints the DOT on standard output
  std::string svg_path;  // --svg FILE: empty writes no SVG
};

int GraphCommand(const GraphOptions& options);

}  // namespace deliverysim::app
