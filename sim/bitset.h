// A bitset that grows on demand, for "has this id been seen" questions at one bit per id.
#pragma once

#include <cstdint>
#include <vector>

namespace deliverysim::sim {

class GrowableBitset {
 public:
  bool Test(std::uint64_t index) const {
    const std::uint64_t word = index >> 6;
    return word < words_.size() && ((words_[word] >> (index & 63)) & 1);
  }

  // Sets the bit and returns whether it was already set.
  bool TestAndSet(std::uint64_t index) {
    const std::uint64_t word = index >> 6;
    if (word >= words_.size()) words_.resize(word + 1 + words_.size() / 2, 0);
    const std::uint64_t mask = std::uint64_t{1} << (index & 63);
    const bool was_set = (words_[word] & mask) != 0;
    words_[word] |= mask;
    count_ += was_set ? 0 : 1;
    return was_set;
  }

  // Number of set bits.
  std::uint64_t count() const { return count_; }

 private:
  std::vector<std::uint64_t> words_;
  std::uint64_t count_ = 0;
};

}  // namespace deliverysim::sim
