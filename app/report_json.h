// The machine-readable result of a run (`deliverysim run --json`), laid out as docs/OUTPUT.md
// documents. It holds simulated results only, never wall-clock figures, so that one scenario
// and seed always give the same bytes.
#pragma once

#include <string>

#include "models/run_result.h"

namespace deliverysim::app {

std::string RunResultToJson(const models::RunResult& result);

}  // namespace deliverysim::app
