// The one event type of the engine: a small plain struct that the pending-event set stores by
// value. What an event means is up to the component it targets; anything larger than the
// 64-bit argument lives in a Pool owned by that component, and `arg` holds its index.
#pragma once

#include <cstdint>

#include "sim/time.h"

namespace deliverysim::sim {

using ComponentId = std::uint32_t;

struct Event {
  Time at = 0;
  std::uint64_t sequence = 0;  // global scheduling order: breaks ties between equal `at`
  ComponentId target = 0;
  std::uint32_t kind = 0;  // meaning chosen by the target component
  std::uint64_t arg = 0;   // inline value or pool index, chosen by the target component
};

// Strict order of the pending-event set: earlier time first, then earlier scheduling.
inline bool RunsBefore(const Event& a, const Event& b) {
  return a.at != b.at ? a.at < b.at : a.sequence < b.sequence;
}

}  // namespace deliverysim::sim
