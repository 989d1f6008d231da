#include "models/retry_policy.h"

#include <algorithm>

namespace deliverysim::models {

namespace {

// Uniform in [low, high], in whole nanoseconds.
sim::Time Uniform(sim::Time low, sim::Time high, sim::RandomStream& stream) {
  if (high <= low) return low;
  return low + static_cast<sim::Time>(stream.NextBelow(static_cast<std::uint64_t>(high - low) + 1));
}

}  // namespace

sim::Time RetryPolicy::Backoff(std::uint32_t retry) const {
  switch (config_.backoff) {
    case Backoff::kImmediate: return 0;
    case Backoff::kFixed: return config_.base;
    case Backoff::kExponential: {
      // Doubling past the cap would overflow; stop doubling once there.
      sim::Time delay = config_.base;
      for (std::uint32_t i = 1; i < retry && delay < config_.cap; ++i) delay *= 2;
      return std::min(delay, config_.cap);
    }
  }
  return 0;
}

sim::Time RetryPolicy::Delay(std::uint32_t retry, sim::Time previous,
                             sim::RandomStream& stream) const {
  if (config_.jitter == Jitter::kDecorrelated) {
    const sim::Time last = retry <= 1 ? config_.base : std::min(previous, config_.cap);
    return std::min(config_.cap, Uniform(config_.base, 3 * last, stream));
  }
  const sim::Time delay = Backoff(retry);
  switch (config_.jitter) {
    case Jitter::kNone: return delay;
    case Jitter::kFull: return Uniform(0, delay, stream);
    case Jitter::kEqual: return delay / 2 + Uniform(0, delay - delay / 2, stream);
    case Jitter::kDecorrelated: break;  // handled above
  }
  return delay;
}

}  // namespace deliverysim::models
