// The inbox table of an idempotent consumer group: the ids whose side effect has committed.
// Recording an id and running its side effect happen in one local transaction, so an id is in
// the inbox exactly when its effect ran; a redelivered id is recognised and skipped.
#pragma once

#include <cstdint>
#include <vector>

#include "models/message.h"
#include "sim/bitset.h"

namespace deliverysim::models {

class Inbox {
 public:
  // Records `id` and returns true if it was not recorded before.
  bool RecordIfNew(MessageId id) {
    if (id.producer >= seen_.size()) seen_.resize(id.producer + 1);
    return !seen_[id.producer].TestAndSet(id.number);
  }

  // For the naive check-then-act inbox of queue consumers, whose check and record are two
  // steps with the side effect between them.
  bool Contains(MessageId id) const {
    return id.producer < seen_.size() && seen_[id.producer].Test(id.number);
  }
  void Record(MessageId id) { RecordIfNew(id); }

 private:
  std::vector<sim::GrowableBitset> seen_;  // per producer, by message number
};

}  // namespace deliverysim::models
