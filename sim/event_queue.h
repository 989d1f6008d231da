// The pending-event set: a flat 4-ary min-heap of Events ordered by (time, sequence).
//
// Invariants:
//   1. heap_[i] never runs after any of its children heap_[4i+1 .. 4i+4].
//   2. Sequence numbers are unique, so the order is total and the run is deterministic.
// A 4-ary heap halves the depth of a binary heap and keeps siblings in one cache line pair;
// with 32-byte events that is the cheapest layout measured in bench/engine_bench.cc.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/event.h"

namespace deliverysim::sim {

class EventQueue {
 public:
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }

  // REQUIRES: !empty().
  const Event& top() const { return heap_.front(); }

  void Push(const Event& event);

  // Removes and returns the first event. REQUIRES: !empty().
  Event Pop();

  void Reserve(std::size_t n) { heap_.reserve(n); }

 private:
  std::vector<Event> heap_;
};

}  // namespace deliverysim::sim
