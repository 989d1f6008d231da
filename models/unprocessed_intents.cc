#include "models/unprocessed_intents.h"

#include <algorithm>

namespace deliverysim::models {

void UnprocessedIntents::Add(std::uint32_t number, sim::Time at,
                             const sim::GrowableBitset& processed,
                             std::uint64_t unprocessed_count) {
  // Compacting once the stale entries outnumber the live ones costs O(1) per intent over a run.
  if (stored() > 2 * unprocessed_count + 64) Compact(processed);
  entries_.push_back({number, at});
}

sim::Time UnprocessedIntents::OldestIntentTime(const sim::GrowableBitset& processed) {
  while (head_ < entries_.size() && processed.Test(entries_[head_].number)) ++head_;
  return head_ < entries_.size() ? entries_[head_].at : -1;
}

void UnprocessedIntents::Compact(const sim::GrowableBitset& processed) {
  auto live_end =
      std::remove_if(entries_.begin() + static_cast<std::ptrdiff_t>(head_), entries_.end(),
                     [&](const Entry& e) { return processed.Test(e.number); });
  entries_.erase(live_end, entries_.end());
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
  head_ = 0;
}

}  // namespace deliverysim::models
