// A pool of payloads addressed by 32-bit index, so that an Event can carry a payload in its
// 64-bit argument without an allocation per event. Released slots are reused last-in first-out;
// the order is deterministic because it depends only on the order of Acquire and Release.
//
//   Pool<FetchResponse> responses;
//   std::uint32_t slot = responses.Acquire();   // a default or previously used object
//   responses[slot].ranges.clear();
//   ...
//   responses.Release(slot);
//
// Objects keep their state (and their vectors' capacity) across reuse: callers reset what they
// use. Objects never move, so a reference stays valid until its slot is released, even while
// other slots are acquired.
#pragma once

#include <cassert>
#include <cstdint>
#include <deque>
#include <vector>

namespace deliverysim::sim {

template <typename T>
class Pool {
 public:
  std::uint32_t Acquire() {
    if (!free_.empty()) {
      std::uint32_t slot = free_.back();
      free_.pop_back();
      return slot;
    }
    items_.emplace_back();
    return static_cast<std::uint32_t>(items_.size() - 1);
  }

  // REQUIRES: slot was acquired and not released since.
  void Release(std::uint32_t slot) {
    assert(slot < items_.size());
    free_.push_back(slot);
  }

  T& operator[](std::uint32_t slot) { return items_[slot]; }
  const T& operator[](std::uint32_t slot) const { return items_[slot]; }

  std::size_t in_use() const { return items_.size() - free_.size(); }
  std::size_t capacity() const { return items_.size(); }

 private:
  std::deque<T> items_;  // a deque, so that growing never moves an object
  std::vector<std::uint32_t> free_;
};

}  // namespace deliverysim::sim
