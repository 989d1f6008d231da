// A component that a crash fault may strike by name, for components the fault injector does
// not know by type (the queue broker and its consumers).
#pragma once

#include <string>

#include "sim/time.h"

namespace deliverysim::models {

class Crashable {
 public:
  virtual ~Crashable() = default;
  virtual const std::string& name() const = 0;
  // Crashes now, losing what the component holds in memory; restarts after `restart_after`
  // (sim::kForever: never). Crashing a component that is down changes nothing.
  virtual void Crash(sim::Time restart_after) = 0;
};

}  // namespace deliverysim::models
