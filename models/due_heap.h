// Moments at which something becomes due, each with a payload (a partition), served earliest
// first; moments that tie come out in the order they were added, so that a sequence of
// nondecreasing moments comes out exactly as a FIFO would give it.
//
// Invariants:
//   1. entries_ is a binary min-heap on (at, order).
//   2. order is unique and grows with each Push, so ties keep their insertion order.
//   3. Clear keeps the vector's capacity: in steady state a Push allocates nothing.
//
//   DueHeap due;
//   due.Push(2 * sim::kSecond, /*partition=*/3);
//   while (!due.Empty() && due.Top().at <= now) { Use(due.Top().partition); due.Pop(); }
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace deliverysim::models {

class DueHeap {
 public:
  struct Entry {
    sim::Time at;
    std::uint64_t order;
    std::uint32_t partition;
  };

  void Push(sim::Time at, std::uint32_t partition) {
    entries_.push_back({at, next_order_++, partition});
    std::push_heap(entries_.begin(), entries_.end(), Later);
  }
  bool Empty() const { return entries_.empty(); }
  // REQUIRES: !Empty().
  const Entry& Top() const { return entries_.front(); }
  // REQUIRES: !Empty().
  void Pop() {
    std::pop_heap(entries_.begin(), entries_.end(), Later);
    entries_.pop_back();
  }
  void Clear() { entries_.clear(); }

 private:
  // The heap's "less", inverted so that the earliest entry is on top.
  static bool Later(const Entry& a, const Entry& b) {
    return a.at != b.at ? a.at > b.at : a.order > b.order;
  }

  std::vector<Entry> entries_;
  std::uint64_t next_order_ = 0;
};

}  // namespace deliverysim::models
