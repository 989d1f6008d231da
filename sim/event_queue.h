// The pending-event set: a flat 4-ary min-heap of Events ordered by (time, sequence).
//
// Invariants:
//   1. heap_[i] never runs after any of its children heap_[4i+1 .. 4i+4].
//   2. Sequence numbers are unique, so the order is total and the run is deterministic.
// A 4-ary heap halves the depth of a binary heap. Pop walks the hole down to a leaf before
// placing the heap's last element (bottom-up), saving the comparisons against an element that
// usually belongs near the bottom; bench/engine_bench.cc compares it with std::priority_queue.
// REQUIRES of every event: at >= 0.
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

  // Takes a copy, so pushing an element of the queue itself is safe.
  void Push(Event event);

  // Removes and returns the first event. REQUIRES: !empty().
  Event Pop();

  void Reserve(std::size_t n) { heap_.reserve(n); }

 private:
  // Moves `event` from the free slot `hole` towards the root until its parent runs first.
  void SiftUp(std::size_t hole, const Event& event);

  std::vector<Event> heap_;
};

}  // namespace deliverysim::sim
