#include "sim/event_queue.h"

#include <cassert>

namespace deliverysim::sim {

namespace {
constexpr std::size_t kArity = 4;
}

void EventQueue::Push(const Event& event) {
  std::size_t hole = heap_.size();
  heap_.push_back(event);
  while (hole > 0) {
    std::size_t parent = (hole - 1) / kArity;
    if (!RunsBefore(event, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = event;
}

Event EventQueue::Pop() {
  assert(!heap_.empty());
  Event first = heap_.front();
  Event last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return first;

  // Sift the former last element down from the root.
  std::size_t hole = 0;
  for (;;) {
    std::size_t child = hole * kArity + 1;
    if (child >= n) break;
    std::size_t end = child + kArity < n ? child + kArity : n;
    std::size_t best = child;
    for (std::size_t c = child + 1; c < end; ++c) {
      if (RunsBefore(heap_[c], heap_[best])) best = c;
    }
    if (!RunsBefore(heap_[best], last)) break;
    heap_[hole] = heap_[best];
    hole = best;
  }
  heap_[hole] = last;
  return first;
}

}  // namespace deliverysim::sim
