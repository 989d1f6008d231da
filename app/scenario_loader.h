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

namespace deliverysim::app {

Result<models::Scenario> LoadScenarioFile(const std::string& path);

// Loads from text; `file_name` is only used in error messages.
Result<models::Scenario> LoadScenarioText(const std::string& text, const std::string& file_name);

}  // namespace deliverysim::app
