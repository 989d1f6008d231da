// The coordinator of an orchestrated flow (FlowStyle::kOrchestration): it sends each step's
// command, waits for the reply, and on a failure sends the compensations of the steps already
// done, latest first, one at a time.
//
// Its state per flow instance lives in the orchestrator service's database, so it survives
// the crash of the instance that processed the last reply; the instances act on it when they
// process replies (OnEvent). The reply deadlines are kept in the same database and served by
// a scheduler that does not crash with an instance: when one passes, the command goes out
// again, same message, through any live instance, up to max_attempts sends; then the step
// (or compensation) is given up. A step given up may still have run: a reply that arrives
// late for a done step sends its compensation.
//
// Replies are matched to the state rather than to message ids, so a repeated reply, or a
// reply to a command already answered, changes nothing.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "models/flow_metrics.h"
#include "models/ledger.h"
#include "models/message.h"
#include "models/producer.h"
#include "models/scenario.h"
#include "sim/engine.h"

namespace deliverysim::models {

class Orchestrator : public sim::Component {
 public:
  static constexpr std::uint32_t kDeadline = 1;
  static constexpr std::uint32_t kNoMessages = UINT32_MAX;

  // `source` is the ledger's source for the commands (EmitterSource of the group), or
  // kNoMessages when commands are calls, not messages.
  Orchestrator(sim::Engine& engine, MessageLedger& ledger, const FlowConfig& flow,
               std::uint32_t source, FlowMetrics& metrics);

  void Start(sim::ComponentId self) { self_ = self; }
  // The instances' producer clients, through which the scheduler sends commands again.
  void AddOutput(Producer* output) { outputs_.push_back(output); }

  // An instance processed `record` (a start or a reply); it publishes through `output`, or
  // died before it could (null).
  void OnProcessed(const Record& record, Producer* output);

  void OnEvent(const sim::Event& event) override;

 protected:
  enum class Phase : std::uint8_t { kNotStarted, kRunning, kCompensating, kCompleted, kUndone };
  struct FlowState {
    Phase phase = Phase::kNotStarted;
    std::uint32_t step = 0;      // being performed, or being compensated
    std::uint32_t attempts = 0;  // sends of the pending command
    std::uint64_t done = 0;      // steps whose done reply arrived, one bit each
    std::uint64_t to_undo = 0;   // done steps with a compensation still to send
    std::uint64_t sends = 0;     // numbers every send, so a stale deadline is recognised
    Record command;              // the pending command, for sending again
  };
  struct Deadline {
    sim::Time at;
    std::uint32_t flow;
    std::uint64_t send;
  };

  FlowState& Of(std::uint32_t flow);
  // A reply of `type` (a step's done or failed event, a compensation's done event) arrived.
  void OnReply(std::uint32_t flow, FlowState& state, EventType type, Producer* output);
  // Starts a new command and its deadline.
  void SendCommand(std::uint32_t flow, FlowState& state, EventType type, Producer* output);

  // How commands travel. By default: published as messages through `output` (or written down
  // when no instance is live) and sent again, same message, through any live instance.
  virtual void Transmit(std::uint32_t flow, FlowState& state, Producer* output);
  // Returns false when no way out is open now, so the attempt does not count.
  virtual bool TransmitAgain(std::uint32_t flow, FlowState& state);
  // The flow's business outcome became known: every step done (`ok`), or one failed or given
  // up. Compensation may go on after.
  virtual void OnOutcome(std::uint32_t /*flow*/, bool /*ok*/) {}

  sim::Engine& engine_;
  const FlowConfig& flow_;
  FlowMetrics& metrics_;

 private:
  void Arm(std::uint32_t flow, FlowState& state);
  // The step in hand failed or was given up: the flow's outcome is known, and the done steps
  // before it that have a compensation are to be undone.
  void StartUndoing(std::uint32_t flow, FlowState& state);
  // Sends the next compensation, or ends the flow when none is left.
  void CompensateNext(std::uint32_t flow, FlowState& state, Producer* output);
  void OnDeadline();
  Producer* LiveOutput() const;

  MessageLedger& ledger_;
  const std::uint32_t source_;
  sim::ComponentId self_ = 0;
  std::vector<Producer*> outputs_;
  std::vector<FlowState> flows_;    // by flow number
  std::deque<Deadline> deadlines_;  // all `timeout` long, so in time order
  bool timer_armed_ = false;
};

}  // namespace deliverysim::models
