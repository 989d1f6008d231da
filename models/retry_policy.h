// When to try again: the delay before retry number n of a failed attempt, by a backoff and a
// jitter, as in the AWS Architecture Blog's "Exponential Backoff And Jitter" (2015):
//
//   backoff      immediate: 0        fixed: base        exponential: min(cap, base x 2^(n-1))
//   jitter       none: d             full: uniform(0, d)
//                equal: d/2 + uniform(0, d/2)
//                decorrelated: min(cap, uniform(base, 3 x previous delay)), previous = base at
//                first; it replaces the backoff's own growth
//
//   RetryPolicy policy(config);
//   sim::Time wait = policy.Delay(/*retry=*/1, /*previous=*/0, stream);  // the first retry
#pragma once

#include <cstdint>

#include "sim/random.h"
#include "sim/time.h"

namespace deliverysim::models {

enum class Backoff { kImmediate, kFixed, kExponential };
enum class Jitter { kNone, kFull, kEqual, kDecorrelated };

struct RetryPolicyConfig {
  Backoff backoff = Backoff::kImmediate;
  sim::Time base = 100 * sim::kMillisecond;
  sim::Time cap = 10 * sim::kSecond;
  Jitter jitter = Jitter::kNone;
  std::uint32_t max_attempts = 3;  // attempts in all, the first included; 0: no limit
};

class RetryPolicy {
 public:
  explicit RetryPolicy(const RetryPolicyConfig& config) : config_(config) {}

  // The delay before retry `retry` (1 for the first retry); `previous` is the delay this
  // returned for the retry before (decorrelated jitter grows from it; ignored for retry 1).
  // Draws from `stream` only when there is jitter.
  sim::Time Delay(std::uint32_t retry, sim::Time previous, sim::RandomStream& stream) const;

  // Whether another attempt may follow attempt number `attempts` (counting from 1).
  bool MayRetryAfter(std::uint32_t attempts) const {
    return config_.max_attempts == 0 || attempts < config_.max_attempts;
  }

 private:
  sim::Time Backoff(std::uint32_t retry) const;

  RetryPolicyConfig config_;
};

}  // namespace deliverysim::models
