// Which messages are poison: a fixed fraction of a producer's messages that no handler can
// process. The choice is a hash of the seed, the producer and the message number, not a draw
// from any component's stream, so every redelivery of a message (and every broker kind given
// the same workload) agrees on it and no other component's draws move.
#pragma once

#include <cstdint>
#include <string_view>

#include "models/message.h"
#include "sim/random.h"

namespace deliverysim::models {

// True for about `fraction` of the messages of the producer called `producer_name`.
inline bool IsPoison(std::uint64_t seed, std::string_view producer_name, MessageId id,
                     double fraction) {
  if (fraction <= 0) return false;
  const std::uint64_t bits =
      sim::Mix64(seed ^ sim::Mix64(sim::StableHash(producer_name) + id.number));
  return static_cast<double>(bits >> 11) * 0x1.0p-53 < fraction;
}

}  // namespace deliverysim::models
