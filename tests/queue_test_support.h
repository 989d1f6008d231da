// Helpers shared by the queue-broker tests: a run's group or queue by name.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "models/run_result.h"

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

}  // namespace deliverysim::testing
