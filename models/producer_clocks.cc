#include "models/producer_clocks.h"

#include <algorithm>

namespace deliverysim::models {

ProducerClocks::ProducerClocks(const Scenario& scenario) : steps_(scenario.producers.size()) {
  for (const ClockSkewFault& skew : scenario.clock_skews) {
    for (std::size_t p = 0; p < scenario.producers.size(); ++p) {
      if (scenario.producers[p].name == skew.producer) steps_[p].push_back({skew.at, skew.offset});
    }
  }
  // A stable sort keeps the later-listed of two faults at one time as the one in force.
  for (auto& steps : steps_) {
    std::stable_sort(steps.begin(), steps.end(),
                     [](const Step& a, const Step& b) { return a.from < b.from; });
  }
}

sim::Time ProducerClocks::Timestamp(std::uint32_t producer, sim::Time at) const {
  if (producer >= steps_.size()) return at;
  sim::Time offset = 0;
  for (const Step& step : steps_[producer]) {
    if (step.from > at) break;
    offset = step.offset;
  }
  return at + offset;
}

}  // namespace deliverysim::models
