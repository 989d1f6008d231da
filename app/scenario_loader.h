// Loading scenario files. The format is documented in docs/SCENARIOS.md.
//
//   Result<models::Scenario> loaded = LoadScenarioFile("scenarios/order-placed-inbox.yaml");
//   if (!loaded.ok()) { std::cerr << loaded.error().ToString() << "\n"; return 2; }
//
// Every mistake is an Error naming the file, line, column and key: malformed YAML, unknown
// keys (with the allowed ones and the nearest spelling), wrong types, values out of range,
// missing required keys, and names that refer to nothing.
#pragma once

#include <string>

#include "app/result.h"
#include "models/scenario.h"

namespace YAML {
class Node;
}

namespace deliverysim::app {

Result<models::Scenario> LoadScenarioFile(const std::string& path);

// Loads from text; `file_name` is only used in error messages.
Result<models::Scenario> LoadScenarioText(const std::string& text, const std::string& file_name);

// Loads from a parsed YAML tree, which a sweep has edited; `file_name` is only used in error
// messages, whose positions are those the tree's nodes carry.
Result<models::Scenario> LoadScenarioTree(const YAML::Node& root, const std::string& file_name);

}  // namespace deliverysim::app
