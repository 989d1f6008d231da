#include "app/analysis_simulation.h"

#include <functional>

#include "app/aggregates.h"
#include "app/sweep_plan.h"
#include "models/simulation.h"

namespace deliverysim::app {

namespace {

// One compared quantity: its name, its prediction, and how to read it from a run.
struct Measure {
  std::string what;
  double predicted;
  std::function<double(const models::RunResult&)> read;
};

const models::GroupResult& Group(const models::RunResult& r, const std::string& name) {
  for (const models::GroupResult& g : r.groups) {
    if (g.group == name) return g;
  }
  return r.groups.front();  // unreachable: the analysis names groups of this scenario
}

const models::ProducerResult& Producer(const models::RunResult& r, const std::string& name) {
  for (const models::ProducerResult& p : r.producers) {
    if (p.name == name) return p;
  }
  return r.producers.front();  // unreachable: the analysis names producers of this scenario
}

double Ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}

std::vector<Measure> Measures(const models::Scenario& scenario, const models::Analysis& a) {
  std::vector<Measure> measures;
  for (const models::QueueCheck& q : a.queues) {
    measures.push_back({q.group + " lag_messages.mean", q.predicted_lag(),
                        [g = q.group](const auto& r) { return Group(r, g).lag_messages.mean; }});
  }
  for (const models::RetryCheck& c : a.retries) {
    const std::string p = c.producer;
    measures.push_back(
        {p + " sends / intended", c.prediction.expected_attempts,
         [p](const auto& r) { return Ratio(Producer(r, p).sends, Producer(r, p).intended); }});
    measures.push_back({p + " gave_up / intended", c.prediction.given_up, [p](const auto& r) {
                          return Ratio(Producer(r, p).gave_up, Producer(r, p).intended);
                        }});
  }
  for (const models::DeadLetterCheck& d : a.dead_letters) {
    if (d.policy.dead_letter_queue) {
      measures.push_back({d.group + " dead_lettered / intended", d.prediction.dead_lettered,
                          [g = d.group](const auto& r) {
                            return Ratio(Group(r, g).dead_lettered, Group(r, g).intended);
                          }});
    } else {
      measures.push_back(
          {d.group + " lost / intended", d.prediction.lost,
           [g = d.group](const auto& r) { return Ratio(Group(r, g).lost, Group(r, g).intended); }});
    }
  }
  // At-most-once loss shows in every group reading the producer's topic.
  for (const models::AtMostOnceCheck& c : a.at_most_once) {
    std::string topic;
    for (const models::ProducerConfig& p : scenario.producers) {
      if (p.name == c.producer) topic = p.topic;
    }
    for (const models::ConsumerGroupConfig& g : scenario.consumers) {
      if (g.topic != topic) continue;
      measures.push_back(
          {g.group + " lost / intended", c.loss_probability, [name = g.group](const auto& r) {
             return Ratio(Group(r, name).lost, Group(r, name).intended);
           }});
    }
  }
  return measures;
}

}  // namespace

std::vector<Comparison> SimulateComparisons(const models::Scenario& scenario,
                                            const models::Analysis& analysis, std::uint32_t runs) {
  const std::vector<Measure> measures = Measures(scenario, analysis);
  std::vector<std::vector<double>> values(measures.size());
  for (std::uint32_t r = 0; r < runs && !measures.empty(); ++r) {
    models::Scenario seeded = scenario;
    seeded.seed = RunSeed(scenario.seed, 0, r);
    models::Simulation simulation(seeded, /*trace=*/nullptr);
    const models::RunResult result = simulation.Run();
    for (std::size_t m = 0; m < measures.size(); ++m) {
      values[m].push_back(measures[m].read(result));
    }
  }
  std::vector<Comparison> comparisons;
  for (std::size_t m = 0; m < measures.size(); ++m) {
    const Summary summary = Summarize(values[m]);
    comparisons.push_back({measures[m].what, measures[m].predicted, summary,
                           MeanInterval(summary, kConfidenceLevel)});
  }
  return comparisons;
}

}  // namespace deliverysim::app
