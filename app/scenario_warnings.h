// Warnings about scenarios that are valid but probably not what their author meant: settings
// whose documented behaviour silently drops messages, and faults that can never strike.
#pragma once

#include <string>
#include <vector>

#include "models/scenario.h"

namespace deliverysim::app {

// One sentence per warning, naming the key it is about.
std::vector<std::string> ScenarioWarnings(const models::Scenario& scenario);

}  // namespace deliverysim::app
