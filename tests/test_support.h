// Helpers shared by the model tests: run a scenario written inline or bundled, and keep its
// trace in memory to check histories event by event.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "app/scenario_loader.h"
#include "models/run_result.h"
#include "models/scenario.h"
#include "models/simulation.h"
#include "sim/trace.h"

namespace deliverysim::testing {

// One trace record with its fields by name.
struct TraceEvent {
  sim::Time at = 0;
  std::string kind;
  std::map<std::string, std::int64_t> numbers;
  std::map<std::string, std::string> texts;

  std::int64_t Number(const std::string& name) const { return numbers.at(name); }
  const std::string& Text(const std::string& name) const { return texts.at(name); }
};

class RecordingTrace : public sim::TraceSink {
 public:
  void Record(sim::Time at, std::string_view kind,
              std::initializer_list<sim::TraceField> fields) override {
    TraceEvent event{at, std::string(kind), {}, {}};
    for (const sim::TraceField& field : fields) {
      if (field.is_text) {
        event.texts[std::string(field.name)] = std::string(field.text);
      } else {
        event.numbers[std::string(field.name)] = field.number;
      }
    }
    events.push_back(std::move(event));
  }

  std::vector<TraceEvent> Of(const std::string& kind) const {
    std::vector<TraceEvent> found;
    for (const TraceEvent& event : events) {
      if (event.kind == kind) found.push_back(event);
    }
    return found;
  }

  std::vector<TraceEvent> events;
};

// 10 messages at a constant 10/s (intents at 100, 200, ..., 1000 ms) on a 3-partition topic,
// no consumers, links of exactly 1 ms.
inline std::string TenMessagesScenario(const std::string& producer_extra,
                                       const std::string& faults) {
  return R"(
name: ten
duration: 1s
drain: 2s
topics: [ { name: t, partitions: 3 } ]
network: { latency: const(1ms) }
producers:
  - { name: p, topic: t, rate: 10/s, request_timeout: 100ms, retry_backoff: 10ms)" +
         producer_extra + R"( }
faults: [)" +
         faults + "]\n";
}

inline models::Scenario ParseScenario(const std::string& yaml) {
  auto loaded = app::LoadScenarioText(yaml, "inline.yaml");
  if (!loaded.ok()) ADD_FAILURE() << loaded.error().ToString();
  return loaded.ok() ? loaded.value() : models::Scenario{};
}

inline models::Scenario BundledScenario(const std::string& name) {
  const std::string path = std::string(DELIVERYSIM_SOURCE_DIR) + "/scenarios/" + name;
  auto loaded = app::LoadScenarioFile(path);
  if (!loaded.ok()) ADD_FAILURE() << loaded.error().ToString();
  return loaded.ok() ? loaded.value() : models::Scenario{};
}

inline models::RunResult RunScenario(const models::Scenario& scenario,
                                     sim::TraceSink* trace = nullptr) {
  models::Simulation simulation(scenario, trace);
  return simulation.Run();
}

}  // namespace deliverysim::testing
