#include "app/sweep_runner.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "models/simulation.h"

namespace deliverysim::app {

RunRecord SimulateRun(const SweepPlan& plan, const PlannedRun& run) {
  RunRecord record;
  record.run = run;
  const auto start = std::chrono::steady_clock::now();
  // A failure is recorded against the run rather than ending the sweep: a run that cannot
  // allocate its state should not cost the runs around it.
  try {
    models::Scenario scenario = plan.points[run.point].scenario;
    scenario.seed = run.seed;
    models::Simulation simulation(scenario, /*trace=*/nullptr);
    record.result = simulation.Run();
  } catch (const std::exception& e) {
    record.ok = false;
    record.error = e.what();
  }
  record.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return record;
}

Result<SweepTally> RunSweep(const SweepPlan& plan, const std::vector<PlannedRun>& runs,
                            unsigned jobs, ResultsStore& store,
                            const std::function<void(const RunRecord&)>& on_finished) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<RunRecord> finished;  // guarded by mutex

  auto work = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= runs.size() || stop.load()) return;
      RunRecord record = SimulateRun(plan, runs[i]);
      {
        std::lock_guard<std::mutex> lock(mutex);
        finished.push_back(std::move(record));
      }
      ready.notify_one();
    }
  };
  std::vector<std::thread> workers;
  const unsigned threads = std::max(1u, std::min<unsigned>(jobs, runs.size()));
  for (unsigned t = 0; t < threads && !runs.empty(); ++t) workers.emplace_back(work);

  SweepTally tally;
  std::optional<Error> failure;
  for (std::size_t written = 0; written < runs.size() && !failure; ++written) {
    RunRecord record;
    {
      std::unique_lock<std::mutex> lock(mutex);
      ready.wait(lock, [&] { return !finished.empty(); });
      record = std::move(finished.front());
      finished.pop_front();
    }
    if (Result<Done> stored = store.WriteRun(record); !stored.ok()) {
      failure = stored.error();
      stop.store(true);
      break;
    }
    ++tally.ran;
    if (!record.ok) ++tally.failed;
    if (on_finished) on_finished(record);
  }
  for (std::thread& worker : workers) worker.join();
  if (failure) return *failure;
  return tally;
}

}  // namespace deliverysim::app
