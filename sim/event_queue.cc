#include "sim/event_queue.h"

#include <cassert>

namespace deliverysim::sim {

namespace {
constexpr std::size_t kArity = 4;

__extension__ typedef unsigned __int128 OrderKey;  // GCC and Clang; -Wpedantic needs the marker

// (time, sequence) as one unsigned number, so that comparing two events is one wide compare
// without data-dependent branches. Times are never negative, so the shift keeps their order.
inline OrderKey KeyOf(const Event& event) {
  return (static_cast<OrderKey>(static_cast<std::uint64_t>(event.at)) << 64) | event.sequence;
}
}  // namespace

void EventQueue::Push(Event event) {
  heap_.push_back(event);
  SiftUp(heap_.size() - 1, event);
}

void EventQueue::SiftUp(std::size_t hole, const Event& event) {
  const OrderKey key = KeyOf(event);
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (key >= KeyOf(heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = event;
}

Event EventQueue::Pop() {
  assert(!heap_.empty());
  const Event first = heap_.front();
  const Event last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return first;

  // Bottom-up: walk the hole down to a leaf along the smallest children without comparing
  // against `last`, which usually belongs near the bottom anyway, then sift `last` up.
  std::size_t hole = 0;
  for (;;) {
    const std::size_t child = hole * kArity + 1;
    if (child >= n) break;
    const std::size_t end = child + kArity < n ? child + kArity : n;
    std::size_t best = child;
    OrderKey best_key = KeyOf(heap_[child]);
    for (std::size_t c = child + 1; c < end; ++c) {
      const OrderKey key = KeyOf(heap_[c]);
      const bool smaller = key < best_key;
      best = smaller ? c : best;
      best_key = smaller ? key : best_key;
    }
    heap_[hole] = heap_[best];
    hole = best;
  }
  SiftUp(hole, last);
  return first;
}

}  // namespace deliverysim::sim
