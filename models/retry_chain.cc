#include "models/retry_chain.h"

#include <Eigen/Dense>
#include <cassert>

namespace deliverysim::models {

namespace {

// Transient state of attempt k (0-based) before which an effect has (1) or has not (0) run.
Eigen::Index State(std::uint32_t attempt, int effect_ran) {
  return static_cast<Eigen::Index>(2 * attempt + effect_ran);
}

enum Absorbing { kAcknowledged = 0, kGivenUpAfterEffect = 1, kGivenUpNoEffect = 2 };

}  // namespace

RetryPrediction SolveRetryChain(const RetryOdds& policy) {
  assert(policy.max_attempts >= 1 && policy.max_attempts <= kMaxChainAttempts);
  const std::uint32_t n = policy.max_attempts;
  const double effect = (1 - policy.request_loss) * (1 - policy.failure);
  const double acked = effect * (1 - policy.ack_loss);
  const double effect_unacked = effect * policy.ack_loss;
  const double no_effect = 1 - effect;

  // Q: transient to transient; R: transient to absorbing.
  const Eigen::Index states = 2 * static_cast<Eigen::Index>(n);
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(states, states);
  Eigen::MatrixXd r = Eigen::MatrixXd::Zero(states, 3);
  for (std::uint32_t k = 0; k < n; ++k) {
    const bool last = k + 1 == n;
    for (int ran = 0; ran <= 1; ++ran) {
      const Eigen::Index from = State(k, ran);
      r(from, kAcknowledged) = acked;
      // Without an acknowledgement the sender tries again, or gives up after the last attempt.
      const double to_ran = effect_unacked + (ran ? no_effect : 0);
      const double to_not_ran = ran ? 0 : no_effect;
      if (last) {
        r(from, kGivenUpAfterEffect) = to_ran;
        r(from, kGivenUpNoEffect) = to_not_ran;
      } else {
        q(from, State(k + 1, 1)) = to_ran;
        q(from, State(k + 1, 0)) = to_not_ran;
      }
    }
  }
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(states, states);
  // Visits to each transient state, starting before the first attempt with no effect.
  const Eigen::RowVectorXd visits =
      (identity - q).transpose().partialPivLu().solve(Eigen::VectorXd::Unit(states, 0)).transpose();
  const Eigen::RowVectorXd absorbed = visits * r;

  RetryPrediction p;
  p.acknowledged = absorbed(kAcknowledged);
  p.given_up = absorbed(kGivenUpAfterEffect) + absorbed(kGivenUpNoEffect);
  p.processed = p.acknowledged + absorbed(kGivenUpAfterEffect);
  p.dead_lettered = policy.dead_letter_queue ? p.given_up : 0;
  p.lost = policy.dead_letter_queue ? 0 : absorbed(kGivenUpNoEffect);
  p.expected_attempts = visits.sum();
  p.expected_effects = p.expected_attempts * effect;
  p.expected_duplicate_effects = p.expected_effects - p.processed;
  return p;
}

RetryPrediction SolveUnlimitedRetries(const RetryOdds& policy) {
  const double effect = (1 - policy.request_loss) * (1 - policy.failure);
  const double acked = effect * (1 - policy.ack_loss);
  assert(acked > 0);
  RetryPrediction p;
  p.acknowledged = 1;
  p.processed = 1;
  p.expected_attempts = 1 / acked;
  p.expected_effects = effect / acked;
  p.expected_duplicate_effects = p.expected_effects - 1;
  return p;
}

}  // namespace deliverysim::models
