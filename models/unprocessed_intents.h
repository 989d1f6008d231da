// The intents a consumer group has not processed yet, oldest first, in memory proportional to
// their number: a message leaves when it is processed, so a long run keeps only what is in
// flight (and what was lost), never one entry per message ever sent.
//
// Invariants:
//   1. entries_[head_..] are in increasing message number, hence in intent-time order.
//   2. Every unprocessed intent is among them; processed ones may linger until the next
//      compaction, which runs when they outnumber the unprocessed, so the list never holds
//      more than about twice the unprocessed intents.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/bitset.h"
#include "sim/time.h"

namespace deliverysim::models {

class UnprocessedIntents {
 public:
  // REQUIRES: numbers arrive in increasing order.
  void Add(std::uint32_t number, sim::Time at, const sim::GrowableBitset& processed,
           std::uint64_t unprocessed_count);

  // The intent time of the oldest message not in `processed`, or -1 when there is none.
  sim::Time OldestIntentTime(const sim::GrowableBitset& processed);

  std::size_t stored() const { return entries_.size() - head_; }

 private:
  struct Entry {
    std::uint32_t number;
    sim::Time at;
  };

  void Compact(const sim::GrowableBitset& processed);

  std::vector<Entry> entries_;
  std::size_t head_ = 0;
};

}  // namespace deliverysim::models
