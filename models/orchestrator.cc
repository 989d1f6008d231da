#include "models/orchestrator.h"

#include <bit>
#include <cassert>

namespace deliverysim::models {

namespace {

std::uint64_t Bit(std::uint32_t step) { return std::uint64_t{1} << step; }

}  // namespace

Orchestrator::Orchestrator(sim::Engine& engine, MessageLedger& ledger, const FlowConfig& flow,
                           std::uint32_t source, FlowMetrics& metrics)
    : engine_(engine), flow_(flow), metrics_(metrics), ledger_(ledger), source_(source) {
  assert(!flow.steps.empty() && flow.steps.size() <= 64);
}

Orchestrator::FlowState& Orchestrator::Of(std::uint32_t flow) {
  if (flow >= flows_.size()) flows_.resize(flow + 1);
  return flows_[flow];
}

void Orchestrator::OnProcessed(const Record& record, Producer* output) {
  if (record.flow == kNoFlow) return;
  FlowState& state = Of(record.flow);
  if (record.event_type == flow_.started) {
    if (state.phase != Phase::kNotStarted) return;  // the start, delivered again
    state.phase = Phase::kRunning;
    state.step = 0;
    SendCommand(record.flow, state, flow_.steps[0].command, output);
    return;
  }
  OnReply(record.flow, state, record.event_type, output);
}

void Orchestrator::OnReply(std::uint32_t flow, FlowState& state, EventType type, Producer* output) {
  for (std::uint32_t i = 0; i < flow_.steps.size(); ++i) {
    const FlowStep& step = flow_.steps[i];
    if (type == step.done) {
      if (state.done & Bit(i)) return;
      state.done |= Bit(i);
      if (state.phase == Phase::kRunning && state.step == i) {
        if (i + 1 < flow_.steps.size()) {
          state.step = i + 1;
          SendCommand(flow, state, flow_.steps[i + 1].command, output);
        } else {
          state.phase = Phase::kCompleted;
          ++state.sends;  // no deadline of this flow matters any more
          OnOutcome(flow, true);
        }
        return;
      }
      // A late reply for a step given up: it ran after all, so it must be undone too.
      const bool undoing = state.phase == Phase::kCompensating || state.phase == Phase::kUndone;
      if (!undoing || step.compensation.empty()) return;
      state.to_undo |= Bit(i);
      if (state.phase == Phase::kUndone) {
        state.phase = Phase::kCompensating;
        CompensateNext(flow, state, output);
      }
      return;
    }
    if (type == step.failed) {
      if (state.phase != Phase::kRunning || state.step != i) return;
      StartUndoing(flow, state);
      CompensateNext(flow, state, output);
      return;
    }
    if (!step.compensation.empty() && type == step.compensated) {
      if (state.phase != Phase::kCompensating || state.step != i) return;
      state.to_undo &= ~Bit(i);
      CompensateNext(flow, state, output);
      return;
    }
  }
}

void Orchestrator::StartUndoing(std::uint32_t flow, FlowState& state) {
  OnOutcome(flow, false);
  state.phase = Phase::kCompensating;
  for (std::uint32_t s = 0; s < state.step; ++s) {
    if ((state.done & Bit(s)) && !flow_.steps[s].compensation.empty()) state.to_undo |= Bit(s);
  }
}

void Orchestrator::CompensateNext(std::uint32_t flow, FlowState& state, Producer* output) {
  if (state.to_undo == 0) {
    state.phase = Phase::kUndone;
    ++state.sends;
    return;
  }
  // Latest first: undo in the reverse order of doing.
  const auto step = static_cast<std::uint32_t>(63 - std::countl_zero(state.to_undo));
  state.step = step;
  SendCommand(flow, state, flow_.steps[step].compensation_command, output);
}

void Orchestrator::SendCommand(std::uint32_t flow, FlowState& state, EventType type,
                               Producer* output) {
  Record command;
  if (source_ != kNoMessages) command.id = ledger_.Intend(source_, engine_.now());
  command.intent_time = engine_.now();
  command.key = flow;
  command.flow = flow;
  command.event_type = type;
  state.command = command;
  state.attempts = 1;
  Transmit(flow, state, output);
  metrics_.OnMessage();
  Arm(flow, state);
}

void Orchestrator::Transmit(std::uint32_t, FlowState& state, Producer* output) {
  // With no live instance the command is written down and the scheduler sends it later.
  if (output != nullptr) output->Publish(state.command);
}

bool Orchestrator::TransmitAgain(std::uint32_t, FlowState& state) {
  Producer* output = LiveOutput();
  if (output == nullptr) return false;
  output->Forward(state.command);
  return true;
}

void Orchestrator::Arm(std::uint32_t flow, FlowState& state) {
  ++state.sends;
  deadlines_.push_back({engine_.now() + flow_.timeout, flow, state.sends});
  if (!timer_armed_) {
    timer_armed_ = true;
    engine_.Schedule(deadlines_.front().at, self_, kDeadline, 0);
  }
}

void Orchestrator::OnEvent(const sim::Event& event) {
  assert(event.kind == kDeadline);
  (void)event;
  timer_armed_ = false;
  OnDeadline();
  if (!deadlines_.empty() && !timer_armed_) {
    timer_armed_ = true;
    engine_.Schedule(deadlines_.front().at, self_, kDeadline, 0);
  }
}

void Orchestrator::OnDeadline() {
  // Arming pushes to the back; take only the deadlines due now.
  while (!deadlines_.empty() && deadlines_.front().at <= engine_.now()) {
    const Deadline due = deadlines_.front();
    deadlines_.pop_front();
    FlowState& state = flows_[due.flow];
    if (due.send != state.sends) continue;  // answered, or sent again since
    if (state.attempts < flow_.max_attempts) {
      if (TransmitAgain(due.flow, state)) {
        ++state.attempts;
        metrics_.OnMessage();
      }
      Arm(due.flow, state);
      continue;
    }
    Producer* output = LiveOutput();
    if (state.phase == Phase::kRunning) {
      metrics_.OnGaveUp(due.flow, state.step, engine_.now());
      StartUndoing(due.flow, state);
    } else {
      metrics_.OnCompensationGivenUp();
      state.to_undo &= ~Bit(state.step);
    }
    CompensateNext(due.flow, state, output);
  }
}

Producer* Orchestrator::LiveOutput() const {
  for (Producer* output : outputs_) {
    if (output->alive()) return output;
  }
  return nullptr;
}

}  // namespace deliverysim::models
