// The ledger of intents: when each message's producer committed to publish it. Metrics read
// it to age the oldest unprocessed message; nothing in the simulated system reads it.
#pragma once

#include <cstdint>
#include <vector>

#include "models/message.h"
#include "sim/time.h"

namespace deliverysim::models {

class MessageLedger {
 public:
  explicit MessageLedger(std::size_t producers) : intent_times_(producers) {}

  // Records a new intent and returns its id. Numbers run 0, 1, 2... per producer.
  MessageId Intend(std::uint32_t producer, sim::Time now) {
    auto& times = intent_times_[producer];
    times.push_back(now);
    return MessageId{producer, static_cast<std::uint32_t>(times.size() - 1)};
  }

  std::uint64_t intended(std::uint32_t producer) const { return intent_times_[producer].size(); }

  // REQUIRES: number < intended(producer).
  sim::Time intent_time(std::uint32_t producer, std::uint64_t number) const {
    return intent_times_[producer][number];
  }

 private:
  std::vector<std::vector<sim::Time>> intent_times_;  // per producer, by message number
};

}  // namespace deliverysim::models
