// Runs the runs of a sweep on a pool of threads and stores each as it finishes.
//
// Each simulation runs on one thread and depends only on its scenario and seed, so the stored
// results do not depend on the number of threads or the order in which runs finish. One thread
// (the caller's) writes to the store, one transaction per run; the workers only simulate.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "app/result.h"
#include "app/results_store.h"
#include "app/sweep_plan.h"

namespace deliverysim::app {

struct SweepTally {
  std::uint32_t ran = 0;
  std::uint32_t failed = 0;
};

// Runs `runs` (a subset of plan.runs) with `jobs` threads (at least 1). `on_finished` is called
// on the caller's thread after each run is stored. Stops at the first store error, after the
// runs in progress end.
Result<SweepTally> RunSweep(const SweepPlan& plan, const std::vector<PlannedRun>& runs,
                            unsigned jobs, ResultsStore& store,
                            const std::function<void(const RunRecord&)>& on_finished);

// One run, as a worker does it: the point's scenario with the run's seed. Exposed for tests.
RunRecord SimulateRun(const SweepPlan& plan, const PlannedRun& run);

}  // namespace deliverysim::app
