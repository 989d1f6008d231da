#include "models/flow_metrics.h"

#include <algorithm>

namespace deliverysim::models {

namespace {

void Count(std::uint8_t& counter) {
  if (counter < UINT8_MAX) ++counter;
}

LatencySummary Summarise(const sim::Histogram& times) {
  return {times.count(), times.Quantile(0.50), times.Quantile(0.90), times.Quantile(0.99),
          times.max()};
}

}  // namespace

FlowMetrics::FlowMetrics(const FlowConfig& flow) : flow_(flow) {}

FlowMetrics::Instance& FlowMetrics::Of(std::uint32_t flow) {
  if (flow >= instances_.size()) instances_.resize(flow + 1);
  Instance& instance = instances_[flow];
  if (instance.steps.empty()) {
    instance.steps.assign(flow_.steps.size(), 0);
    instance.compensations.assign(flow_.steps.size(), 0);
  }
  return instance;
}

void FlowMetrics::OnStarted(std::uint32_t flow, sim::Time at) {
  Of(flow).started = at;
  ++messages_;
}

void FlowMetrics::OnStepEffect(std::uint32_t flow, std::uint32_t step, bool failed, sim::Time now) {
  Instance& instance = Of(flow);
  instance.last_effect = std::max(instance.last_effect, now);
  if (!failed) {
    Count(instance.steps[step]);
    return;
  }
  if (instance.failed_at < 0 || static_cast<std::uint32_t>(instance.failed_at) > step) {
    instance.failed_at = static_cast<std::int32_t>(step);
  }
}

void FlowMetrics::OnCompensationEffect(std::uint32_t flow, std::uint32_t step, sim::Time now) {
  Instance& instance = Of(flow);
  instance.last_effect = std::max(instance.last_effect, now);
  Count(instance.compensations[step]);
}

void FlowMetrics::OnResponse(std::uint32_t flow, bool ok, sim::Time now) {
  Instance& instance = Of(flow);
  if (instance.answered || instance.started < 0) return;  // the first answer is the one seen
  instance.answered = true;
  ++(ok ? responses_ok_ : responses_failed_);
  response_time_.Record(now - instance.started);
}

void FlowMetrics::OnGaveUp(std::uint32_t flow, std::uint32_t step, sim::Time now) {
  ++gave_up_;
  Instance& instance = Of(flow);
  // Giving up is the flow's last act when nothing is left to undo.
  instance.last_effect = std::max(instance.last_effect, now);
  if (instance.failed_at < 0 || static_cast<std::uint32_t>(instance.failed_at) > step) {
    instance.failed_at = static_cast<std::int32_t>(step);
  }
}

FlowResult FlowMetrics::Finish() const {
  FlowResult result;
  result.flow = flow_.name;
  result.style = FlowStyleName(flow_.style);
  result.gave_up = gave_up_;
  result.messages = messages_;
  result.responses_ok = responses_ok_;
  result.responses_failed = responses_failed_;
  result.response_time = Summarise(response_time_);
  std::vector<std::uint64_t> stuck_at(flow_.steps.size(), 0);
  sim::Histogram completion, compensation;
  for (const Instance& instance : instances_) {
    if (instance.started < 0) continue;
    ++result.started;
    if (!instance.answered) ++result.unanswered;
    const bool failed = instance.failed_at >= 0;
    if (failed) ++result.failed;
    bool repeated = false, spurious = false, missing = false, all_done = true;
    std::int32_t first_not_done = -1;
    for (std::uint32_t s = 0; s < flow_.steps.size(); ++s) {
      const std::uint8_t done = instance.steps[s], undone = instance.compensations[s];
      if (done > 1) result.steps_repeated += done - 1U;
      if (undone > 1) result.compensations_repeated += undone - 1U;
      repeated = repeated || done > 1 || undone > 1;
      spurious = spurious || (undone > 0 && done == 0);
      if (done > 0 && undone == 0 && failed && !flow_.steps[s].compensation.empty()) {
        missing = true;
        ++result.compensations_missing;
      }
      if (done == 0 && first_not_done < 0) first_not_done = static_cast<std::int32_t>(s);
      all_done = all_done && done > 0;
    }
    const bool compensated_any =
        std::any_of(instance.compensations.begin(), instance.compensations.end(),
                    [](std::uint8_t n) { return n > 0; });
    const sim::Time took = std::max<sim::Time>(0, instance.last_effect - instance.started);
    if (repeated || spurious || missing || (compensated_any && !failed)) {
      ++result.inconsistent;
    } else if (failed) {
      ++result.compensated;
      compensation.Record(took);
    } else if (all_done) {
      ++result.completed;
      completion.Record(took);
    } else {
      ++result.stuck;
      ++stuck_at[static_cast<std::size_t>(std::max(first_not_done, 0))];
    }
  }
  for (std::uint32_t s = 0; s < flow_.steps.size(); ++s) {
    if (stuck_at[s] > 0) result.stuck_at.emplace_back(flow_.steps[s].name, stuck_at[s]);
  }
  result.completion_time = Summarise(completion);
  result.compensation_time = Summarise(compensation);
  return result;
}

}  // namespace deliverysim::models
