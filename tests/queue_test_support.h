// Helpers shared by the queue-broker tests: a run's group or queue by name.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/run_result.h"
#include "tests/test_support.h"

namespace deliverysim::testing {

inline const models::GroupResult& GroupNamed(const models::RunResult& result,
                                             const std::string& name) {
  for (const models::GroupResult& group : result.groups) {
    if (group.group == name) return group;
  }
  ADD_FAILURE() << "no group " << name;
  return result.groups.at(0);
}

inline const models::QueueResult& QueueNamed(const models::RunResult& result,
                                             const std::string& name) {
  for (const models::QueueResult& queue : result.queue_broker.queues) {
    if (queue.name == name) return queue;
  }
  ADD_FAILURE() << "no queue " << name;
  return result.queue_broker.queues.at(0);
}

// A fanout exchange `orders` feeding queue `billing`; producer `shop` publishes one message a
// millisecond from 1 ms until it stops for good at `stop`; group `billing` has the settings
// `consumer` (flow-map entries, such as "instances: 1, processing: 10ms"); every link takes
// exactly 1 ms.
inline std::string OneQueueScenario(const std::string& consumer, const std::string& stop) {
  return R"(
name: one-queue
duration: 100ms
drain: 1s
broker:
  kind: queue
  exchanges: [ { name: orders, type: fanout } ]
  queues: [ { name: billing } ]
  bindings: [ { exchange: orders, queue: billing } ]
producers:
  - { name: shop, exchange: orders, rate: 1000/s }
consumers:
  - { group: billing, queue: billing, )" +
         consumer + R"( }
network:
  latency: 1ms
faults:
  - { crash: shop, at: )" +
         stop + R"( }
)";
}

// The simulated times, in whole milliseconds, of the trace records of `kind`.
inline std::vector<sim::Time> MillisecondsOf(const RecordingTrace& trace, const std::string& kind) {
  std::vector<sim::Time> times;
  for (const TraceEvent& event : trace.Of(kind)) times.push_back(event.at / sim::kMillisecond);
  return times;
}

}  // namespace deliverysim::testing
