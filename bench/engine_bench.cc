// Engine throughput, in engine events per second:
//
//   Simulator          the whole simulator on scenarios/order-placed-at-least-once.yaml, its
//                      duration stretched until one run executes at least 10 million events;
//   BinaryHeapLoop     a bare std::priority_queue loop doing the same number of events with the
//                      simulator's average number of pending events: the ceiling of any engine
//                      built on a binary heap, with no model work at all;
//   EventQueueHold and PriorityQueueHold
//                      sim::EventQueue beside std::priority_queue on one identical workload,
//                      at three queue sizes.
//
// The program ends with the simulator/baseline ratio, which says how much of a run is model
// work rather than scheduling. Rates are per second of CPU time, so other processes on a
// shared machine disturb them less than they disturb wall time.
//
//   ninja -C build engine_bench && build/bench/engine_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "app/scenario_loader.h"
#include "models/scenario.h"
#include "models/simulation.h"
#include "sim/event.h"
#include "sim/event_queue.h"
#include "sim/time.h"

namespace deliverysim {
namespace {

constexpr char kScenarioPath[] =
    DELIVERYSIM_SOURCE_DIR "/scenarios/order-placed-at-least-once.yaml";
constexpr std::uint64_t kMinEventsPerRun = 10'000'000;
constexpr char kRate[] = "events/s";

// --- The scaled scenario --------------------------------------------------------------------

struct ScaledScenario {
  std::string error;  // empty when the scenario loaded and reached kMinEventsPerRun
  models::Scenario scenario;
  std::uint64_t events = 0;  // engine events of one run; the model is deterministic
  double mean_pending = 0;   // pending events, averaged over the run's progress callbacks
};

// Runs the scenario once, counting its events and sampling the size of the pending-event set
// a few hundred times.
void MeasureRun(ScaledScenario& scaled) {
  models::Simulation simulation(scaled.scenario, nullptr);
  double pending_sum = 0;
  int samples = 0;
  const models::RunResult result = simulation.Run([&](double) {
    pending_sum += static_cast<double>(simulation.engine().pending());
    ++samples;
  });
  scaled.events = result.events;
  scaled.mean_pending = samples > 0 ? pending_sum / samples : 1;
}

// Loads the bundled scenario and stretches its duration (the rate, and with it the model's
// steady state, stay as written) until one run executes at least kMinEventsPerRun events.
// A first short run gives the events per simulated second; the margin of 10% absorbs the fixed
// cost of start-up and drain, and the loop covers a model whose cost is not linear after all.
ScaledScenario Prepare() {
  ScaledScenario scaled;
  auto loaded = app::LoadScenarioFile(kScenarioPath);
  if (!loaded.ok()) {
    scaled.error = loaded.error().ToString();
    return scaled;
  }
  scaled.scenario = loaded.value();
  MeasureRun(scaled);
  if (scaled.events == 0) {
    scaled.error = "the bundled scenario ran no events";
    return scaled;
  }
  const double stretch = 1.1 * static_cast<double>(kMinEventsPerRun) / scaled.events;
  scaled.scenario.duration = static_cast<sim::Time>(std::ceil(stretch)) * scaled.scenario.duration;
  for (MeasureRun(scaled); scaled.events < kMinEventsPerRun; MeasureRun(scaled)) {
    scaled.scenario.duration += scaled.scenario.duration / 2;
  }
  return scaled;
}

const ScaledScenario& Scaled() {
  static const ScaledScenario scaled = Prepare();
  return scaled;
}

// --- The hold model -------------------------------------------------------------------------

// The classic benchmark of a pending-event set: a fixed population of events, each pop
// followed by a push at the popped time plus a random delay, so every operation works on a
// queue of the same size. Both queues receive exactly the same events in the same order.
class HoldModel {
 public:
  explicit HoldModel(std::uint64_t seed) : random_(seed | 1) {}

  sim::Event Next(sim::Time after) {
    // xorshift64: a few instructions per delay, so the queue dominates the measurement.
    random_ ^= random_ << 13;
    random_ ^= random_ >> 7;
    random_ ^= random_ << 17;
    // Delays up to about a millisecond, the scale of the scenario's network and processing.
    const auto delay = static_cast<sim::Time>(1 + (random_ >> 44));
    return sim::Event{after + delay, sequence_++, static_cast<sim::ComponentId>(random_ & 7), 0,
                      random_};
  }

 private:
  std::uint64_t random_;
  std::uint64_t sequence_ = 0;
};

struct Later {
  bool operator()(const sim::Event& a, const sim::Event& b) const { return RunsBefore(b, a); }
};

class StdQueue {
 public:
  void Push(const sim::Event& event) { queue_.push(event); }
  sim::Event Pop() {
    sim::Event first = queue_.top();
    queue_.pop();
    return first;
  }

 private:
  std::priority_queue<sim::Event, std::vector<sim::Event>, Later> queue_;
};

class SimQueue {
 public:
  void Push(const sim::Event& event) { queue_.Push(event); }
  sim::Event Pop() { return queue_.Pop(); }

 private:
  sim::EventQueue queue_;
};

template <typename Queue>
void Fill(Queue& queue, HoldModel& model, std::int64_t population) {
  for (std::int64_t i = 0; i < population; ++i) queue.Push(model.Next(0));
}

// One event of a bare loop: take the first event, "handle" it by folding it into a checksum
// the optimiser cannot drop, and schedule its successor.
template <typename Queue>
inline void HoldOnce(Queue& queue, HoldModel& model, std::uint64_t& checksum) {
  const sim::Event event = queue.Pop();
  checksum += event.arg ^ event.target;
  queue.Push(model.Next(event.at));
}

// --- Benchmarks -----------------------------------------------------------------------------

void Simulator(benchmark::State& state) {
  const ScaledScenario& scaled = Scaled();
  if (!scaled.error.empty()) {
    state.SkipWithError(scaled.error.c_str());
    return;
  }
  std::uint64_t events = 0;
  for (auto _ : state) {
    models::Simulation simulation(scaled.scenario, nullptr);
    const models::RunResult result = simulation.Run();
    events += result.events;
    benchmark::DoNotOptimize(result.events);
  }
  state.counters[kRate] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["events"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
  state.counters["pending"] = scaled.mean_pending;
  state.counters["sim_seconds"] = static_cast<double>(scaled.scenario.duration) / sim::kSecond;
}

void BinaryHeapLoop(benchmark::State& state) {
  const ScaledScenario& scaled = Scaled();
  if (!scaled.error.empty()) {
    state.SkipWithError(scaled.error.c_str());
    return;
  }
  const auto population = std::max<std::int64_t>(1, std::llround(scaled.mean_pending));
  std::uint64_t events = 0;
  std::uint64_t checksum = 0;
  for (auto _ : state) {
    state.PauseTiming();
    StdQueue queue;
    HoldModel model(42);
    Fill(queue, model, population);
    state.ResumeTiming();

    for (std::uint64_t i = 0; i < scaled.events; ++i) HoldOnce(queue, model, checksum);
    events += scaled.events;
  }
  benchmark::DoNotOptimize(checksum);
  state.counters[kRate] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["events"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
  state.counters["pending"] = static_cast<double>(population);
}

// One hold operation per benchmark iteration on a queue of state.range(0) events.
template <typename Queue>
void Hold(benchmark::State& state) {
  Queue queue;
  HoldModel model(7);
  Fill(queue, model, state.range(0));
  std::uint64_t checksum = 0;
  for (auto _ : state) HoldOnce(queue, model, checksum);
  benchmark::DoNotOptimize(checksum);
  state.counters[kRate] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void EventQueueHold(benchmark::State& state) { Hold<SimQueue>(state); }
void PriorityQueueHold(benchmark::State& state) { Hold<StdQueue>(state); }

// A whole run takes about two seconds, so one iteration per repetition; three repetitions give
// a median that one disturbed run cannot move.
BENCHMARK(Simulator)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3);
BENCHMARK(BinaryHeapLoop)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3);
BENCHMARK(EventQueueHold)->Arg(64)->Arg(1024)->Arg(65536);
BENCHMARK(PriorityQueueHold)->Arg(64)->Arg(1024)->Arg(65536);

// --- Summary --------------------------------------------------------------------------------

// The console report, plus a record of every events/s figure for the summary at the end: the
// median of the repetitions where there are several, the single run otherwise.
class RateRecorder : public benchmark::ConsoleReporter {
 public:
  RateRecorder() : ConsoleReporter(OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto counter = run.counters.find(kRate);
      if (run.error_occurred || counter == run.counters.end()) continue;
      const std::string key =
          run.run_name.function_name + (run.run_name.args.empty() ? "" : "/" + run.run_name.args);
      if (run.run_type == Run::RT_Iteration) {
        singles_[key] = counter->second.value;
      } else if (run.aggregate_name == "median") {
        medians_[key] = counter->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // 0 when the benchmark did not run (filtered out, or failed).
  double Rate(const std::string& key) const {
    if (auto it = medians_.find(key); it != medians_.end()) return it->second;
    if (auto it = singles_.find(key); it != singles_.end()) return it->second;
    return 0;
  }

 private:
  std::map<std::string, double> medians_;
  std::map<std::string, double> singles_;
};

void PrintSummary(const RateRecorder& rates) {
  std::printf("\n");
  const double simulator = rates.Rate("Simulator");
  const double baseline = rates.Rate("BinaryHeapLoop");
  if (simulator > 0 && baseline > 0) {
    const ScaledScenario& scaled = Scaled();
    std::printf("Simulator:        %6.2f M events/s  (%llu events per run, %.0f s simulated)\n",
                simulator / 1e6, static_cast<unsigned long long>(scaled.events),
                static_cast<double>(scaled.scenario.duration) / sim::kSecond);
    std::printf("Binary-heap loop: %6.2f M events/s  (same event count, %lld pending)\n",
                baseline / 1e6, static_cast<long long>(std::llround(scaled.mean_pending)));
    std::printf("Simulator / baseline = %.3f  (the bare loop is %.1fx faster)\n",
                simulator / baseline, baseline / simulator);
  } else {
    std::printf("Simulator / baseline: not available (run both Simulator and BinaryHeapLoop)\n");
  }
  for (const char* size : {"64", "1024", "65536"}) {
    const double ours = rates.Rate(std::string("EventQueueHold/") + size);
    const double theirs = rates.Rate(std::string("PriorityQueueHold/") + size);
    if (ours > 0 && theirs > 0) {
      std::printf("EventQueue / std::priority_queue at %5s pending = %.2f\n", size, ours / theirs);
    }
  }
}

}  // namespace
}  // namespace deliverysim

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  deliverysim::RateRecorder recorder;
  benchmark::RunSpecifiedBenchmarks(&recorder);
  deliverysim::PrintSummary(recorder);
  benchmark::Shutdown();
  return 0;
}
