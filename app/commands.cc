#include "app/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "app/report_json.h"
#include "app/report_table.h"
#include "app/scenario_loader.h"
#include "app/scenario_warnings.h"
#include "app/trace_writer.h"
#include "models/simulation.h"
#include "models/topology.h"

namespace deliverysim::app {

namespace {

using Clock = std::chrono::steady_clock;

// Shows the fraction of simulated time done on a terminal's standard error, once a run has
// taken long enough to deserve it; says nothing when standard error is not a terminal.
class ProgressLine {
 public:
  ProgressLine() : enabled_(isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}
  ~ProgressLine() {
    if (shown_) std::fputs("\r\033[K", stderr);
  }

  void Update(double fraction) {
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    if (elapsed < 0.5) return;
    shown_ = true;
    const double left = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    std::fputs(
        fmt::format("\rsimulating: {:5.1f}%  about {:.0f} s left", fraction * 100, left).c_str(),
        stderr);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool shown_ = false;
  Clock::time_point start_;
};

void PrintError(const Error& error) { std::cerr << "error: " << error.ToString() << "\n"; }

void PrintWarnings(const std::string& path, const models::Scenario& scenario) {
  for (const std::string& warning : ScenarioWarnings(scenario)) {
    std::cerr << "warning: " << path << ": " << warning << "\n";
  }
  // What the topology graph finds: unread topics, groups reading nothing, cycles of services.
  for (const std::string& warning : models::BuildTopology(scenario).Warnings()) {
    std::cerr << "warning: " << path << ": " << warning << "\n";
  }
}

}  // namespace

int ValidateCommand(const std::string& scenario_path) {
  Result<models::Scenario> loaded = LoadScenarioFile(scenario_path);
  if (!loaded.ok()) {
    PrintError(loaded.error());
    return kExitBadInput;
  }
  const models::Scenario& s = loaded.value();
  PrintWarnings(scenario_path, s);
  // A queue broker has queues (and exchanges) where a log has topics.
  const bool queues = s.broker_kind != models::BrokerKind::kLog;
  std::cout << fmt::format(
      "{}: valid scenario '{}': {} {}(s), {} producer(s), "
      "{} consumer group(s), {} fault(s)\n",
      scenario_path, s.name, queues ? s.queue_broker.queues.size() : s.topics.size(),
      queues ? "queue" : "topic", s.producers.size(), s.consumers.size(),
      s.crashes.size() + s.link_faults.size());
  return kExitOk;
}

int RunCommand(const RunOptions& options) {
  Result<models::Scenario> loaded = LoadScenarioFile(options.scenario_path);
  if (!loaded.ok()) {
    PrintError(loaded.error());
    return kExitBadInput;
  }
  models::Scenario& scenario = loaded.value();
  if (options.seed) scenario.seed = *options.seed;
  PrintWarnings(options.scenario_path, scenario);

  // Timeline options are checked before the run, so that a mistake costs no time.
  std::optional<MessageSelection> timeline;
  if (options.timeline.wanted() || options.timeline.filtered()) {
    Result<MessageSelection> chosen = ChooseMessages(scenario, options.timeline);
    if (!chosen.ok()) {
      PrintError(chosen.error());
      return kExitBadInput;
    }
    timeline = std::move(chosen.value());
  }

  std::unique_ptr<JsonLinesTrace> trace;
  if (!options.trace_path.empty()) {
    trace = std::make_unique<JsonLinesTrace>(options.trace_path);
    if (auto opened = trace->Open(); !opened.ok()) {
      PrintError(opened.error());
      return kExitOutputFailed;
    }
  }

  const auto start = Clock::now();
  models::RunResult result;
  {
    ProgressLine progress;
    models::Simulation simulation(scenario, trace.get());
    result = simulation.Run([&](double fraction) { progress.Update(fraction); });
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();

  if (trace) {
    if (auto finished = trace->Finish(); !finished.ok()) {
      PrintError(finished.error());
      return kExitOutputFailed;
    }
  }
  if (options.json) {
    std::cout << RunResultToJson(result);
  } else {
    std::cout << RunResultToTable(result, WallClock{wall});
    if (trace) std::cout << "trace written to " << options.trace_path << "\n";
  }
  if (timeline) {
    TimelineOptions timeline_options = options.timeline;
    timeline_options.quiet = options.json;  // standard output holds only the JSON
    return ShowTimeline(scenario, result, *timeline, timeline_options);
  }
  std::cout.flush();
  return std::cout ? kExitOk : kExitOutputFailed;
}

}  // namespace deliverysim::app
