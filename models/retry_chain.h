// A retry policy as an absorbing Markov chain: what becomes of one message that is sent up to
// `max_attempts` times until an acknowledgement comes back.
//
// Each attempt, independently: the request is lost on the way with probability `request_loss`;
// otherwise the handler runs and fails with probability `failure` (no effect, no
// acknowledgement); otherwise its effect runs, and the acknowledgement is lost with probability
// `ack_loss`, in which case the sender tries again and a later success is a duplicate effect.
// After `max_attempts` attempts without an acknowledgement the message is given up: moved to a
// dead-letter queue when there is one, dropped otherwise.
//
// The chain's transient states are (attempt k, has an effect run yet); its absorbing states are
// acknowledged, given up after an effect, and given up with no effect. The fundamental matrix
// N = (I - Q)^-1 (Eigen) gives the expected visits, hence attempts and effects, and N R the
// absorption probabilities.
//
//   RetryPrediction p = SolveRetryChain({.request_loss = 0.1, .failure = 0.2, .ack_loss = 0.5,
//                                        .max_attempts = 2, .dead_letter_queue = true});
//   p.dead_lettered;   // 0.4096
#pragma once

#include <cstdint>

namespace deliverysim::models {

struct RetryOdds {
  double request_loss = 0;
  double failure = 0;
  double ack_loss = 0;
  std::uint32_t max_attempts = 1;  // 1 to kMaxChainAttempts
  bool dead_letter_queue = false;  // given-up messages go to a DLQ rather than being dropped
};

inline constexpr std::uint32_t kMaxChainAttempts = 1000;

struct RetryPrediction {
  double acknowledged = 0;   // P(an attempt's acknowledgement arrived)
  double processed = 0;      // P(the effect ran at least once)
  double dead_lettered = 0;  // P(given up into the DLQ); 0 without one
  double lost = 0;           // P(given up, never processed, and no DLQ to keep it)
  double given_up = 0;       // P(no acknowledgement after every attempt)
  double expected_attempts = 0;
  double expected_effects = 0;
  double expected_duplicate_effects = 0;  // effects beyond the first
};

// REQUIRES: probabilities in [0, 1]; 1 <= max_attempts <= kMaxChainAttempts.
RetryPrediction SolveRetryChain(const RetryOdds& policy);

// The limit of unlimited attempts, in closed form (a geometric number of attempts); nothing is
// given up. REQUIRES: an attempt can succeed, (1 - request_loss)(1 - failure)(1 - ack_loss) > 0.
RetryPrediction SolveUnlimitedRetries(const RetryOdds& policy);

}  // namespace deliverysim::models
