// Watches the instances of one business flow from the side: which steps and compensations ran,
// how often, and when. It changes nothing in the simulated system; services tell it when an
// effect of theirs runs, which is the moment the effect commits in the service's database.
//
// At the end of the run each instance falls in exactly one class:
//   inconsistent  a step or a compensation ran more than once, a compensation ran for a step
//                 that never ran or in a flow where nothing failed, or a step failed (or was
//                 given up) and a done step with a compensation was not compensated;
//   completed     every step ran once and nothing was compensated;
//   compensated   a step failed (or was given up) and every done step with a compensation was
//                 compensated once;
//   stuck         none of these: no failure, and some step never ran; it stopped at the first
//                 step that did not run.
#pragma once

#include <cstdint>
#include <vector>

#include "models/ledger.h"
#include "models/message.h"
#include "models/producer.h"
#include "models/run_result.h"
#include "models/scenario.h"
#include "sim/histogram.h"
#include "sim/time.h"

namespace deliverysim::models {

class FlowMetrics : public IntentWatcher, public Producer::AcceptanceListener {
 public:
  explicit FlowMetrics(const FlowConfig& flow);

  // Watching the flow's starter in the ledger: each intent starts the flow numbered as it is.
  void OnIntent(MessageId id, sim::Time at) override { OnStarted(id.number, at); }
  // The starter's record was accepted: for an event-driven flow, the user's answer.
  void OnAccepted(const Record& record, sim::Time now) override {
    if (record.flow != kNoFlow) OnResponse(record.flow, true, now);
  }
  // Flow `flow` started: its first message was committed to be published at `at`.
  void OnStarted(std::uint32_t flow, sim::Time at);
  // The effect of a step or a compensation ran; `failed` when the step's business outcome was
  // a failure (a step that failed did not happen, so there is nothing to compensate).
  void OnStepEffect(std::uint32_t flow, std::uint32_t step, bool failed, sim::Time now);
  void OnCompensationEffect(std::uint32_t flow, std::uint32_t step, sim::Time now);
  // An orchestrator gave up waiting for the reply to a step's command, or to a compensation's.
  void OnGaveUp(std::uint32_t flow, std::uint32_t step, sim::Time now);
  void OnCompensationGivenUp() { ++gave_up_; }
  // A message was published for the flow (a start, an event, a command or a resend), or a
  // call made (request-response).
  void OnMessage() { ++messages_; }
  // The user who started flow `flow` got an answer at `now`: the start was accepted (event
  // styles: the broker acknowledged it) or, for request-response, the whole call chain
  // answered; `ok` is false for an error (a declined or failed request, a timeout).
  void OnResponse(std::uint32_t flow, bool ok, sim::Time now);

  FlowResult Finish() const;

 private:
  struct Instance {
    sim::Time started = -1;  // -1: never started (the id was not a start)
    bool answered = false;
    sim::Time last_effect = 0;
    std::int32_t failed_at = -1;              // first step that failed or was given up
    std::vector<std::uint8_t> steps;          // effects per step, saturating
    std::vector<std::uint8_t> compensations;  // compensation effects per step, saturating
  };
  Instance& Of(std::uint32_t flow);

  const FlowConfig& flow_;
  std::vector<Instance> instances_;  // by flow number, dense: flows number a producer's intents
  std::uint64_t gave_up_ = 0;
  std::uint64_t messages_ = 0;
  std::uint64_t responses_ok_ = 0;
  std::uint64_t responses_failed_ = 0;
  sim::Histogram response_time_;
};

}  // namespace deliverysim::models
