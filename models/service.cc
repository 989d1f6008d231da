#include "models/service.h"

#include "sim/random.h"

namespace deliverysim::models {

namespace {

std::uint64_t IdKey(MessageId id) { return (std::uint64_t{id.producer} << 32) | id.number; }
}  // namespace

Service::Service(const ServiceConfig& config, MessageLedger& ledger, std::uint32_t source,
                 std::uint64_t seed, std::vector<FlowMetrics*> flows, Orchestrator* orchestrator,
                 sim::TraceSink* trace)
    : config_(config),
      ledger_(ledger),
      source_(source),
      seed_(seed),
      flows_(std::move(flows)),
      orchestrator_(orchestrator),
      trace_(trace) {
  for (std::uint32_t r = 0; r < config.rules.size(); ++r) {
    const EventType on = config.rules[r].on;
    if (on >= rules_by_type_.size()) rules_by_type_.resize(on + 1U);
    rules_by_type_[on].push_back(r);
  }
}

sim::Time Service::ExtraTime(const Record& record) const {
  sim::Time extra = 0;
  if (record.event_type >= rules_by_type_.size()) return 0;
  for (std::uint32_t r : rules_by_type_[record.event_type]) extra += config_.rules[r].delay;
  return extra;
}

double FlowStepDraw(std::uint64_t seed, std::uint32_t flow_index, std::uint32_t flow,
                    std::uint32_t step, RuleRole role, std::uint64_t purpose) {
  const std::uint64_t identity =
      sim::Mix64((std::uint64_t{flow} << 8) ^ step ^ (static_cast<std::uint64_t>(role) << 62) ^
                 (std::uint64_t{flow_index} << 40));
  const std::uint64_t bits = sim::Mix64(seed ^ sim::Mix64(identity ^ (purpose << 56)));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

double Service::Draw(const Record& record, const ServiceRule& rule, std::uint64_t purpose) const {
  // A flow's step is the same business act whichever message asked for it (a command sent
  // again has the same flow and step), so flow events draw by flow and step.
  if (record.flow != kNoFlow && rule.flow >= 0) {
    return FlowStepDraw(seed_, static_cast<std::uint32_t>(rule.flow), record.flow, rule.step,
                        rule.role, purpose);
  }
  const std::uint64_t identity =
      sim::Mix64((std::uint64_t{record.id.producer} << 32) | record.id.number) ^
      sim::Mix64(rule.on);
  const std::uint64_t bits = sim::Mix64(seed_ ^ sim::Mix64(identity ^ (purpose << 56)));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

void Service::Act(const Record& record, Producer* output, sim::Time now,
                  const std::string& instance) {
  if (orchestrator_ != nullptr) orchestrator_->OnProcessed(record, output);
  if (record.event_type >= rules_by_type_.size()) return;
  for (std::uint32_t r : rules_by_type_[record.event_type]) {
    const ServiceRule& rule = config_.rules[r];
    const bool fails = rule.failure > 0 && Draw(record, rule, kFailureDraw) < rule.failure;
    FlowMetrics* flow = rule.flow >= 0 && record.flow != kNoFlow
                            ? flows_[static_cast<std::size_t>(rule.flow)]
                            : nullptr;
    if (flow != nullptr && rule.role == RuleRole::kStep) {
      flow->OnStepEffect(record.flow, rule.step, fails, now);
    } else if (flow != nullptr && rule.role == RuleRole::kCompensation) {
      flow->OnCompensationEffect(record.flow, rule.step, now);
    }
    EventType emit = rule.on_failure;
    if (!fails) {
      const bool emits = rule.probability >= 1 || Draw(record, rule, kEmitDraw) < rule.probability;
      emit = emits ? rule.emit : kUntypedEvent;
    }
    if (emit == kUntypedEvent) continue;
    Record event;
    event.id = ledger_.Intend(source_, now);
    event.intent_time = now;
    event.flow = record.flow;
    event.key = record.flow != kNoFlow ? record.flow : record.key;
    event.event_type = emit;
    if (output != nullptr) {
      output->Publish(event);
    } else if (trace_) {
      // The producer client traces the intents it publishes; this one it never saw.
      trace_->Record(now, "intent",
                     {sim::TraceField::Text("component", instance),
                      sim::TraceField::Number("producer", event.id.producer),
                      sim::TraceField::Number("message", event.id.number),
                      sim::TraceField::Number("key", event.key),
                      sim::TraceField::Number("sequence", event.sequence),
                      sim::TraceField::Number("partition", -1)});
    }
    if (config_.publish == PublishMode::kOutbox) emitted_[IdKey(record.id)].push_back(event);
    if (flow != nullptr) flow->OnMessage();
  }
}

void Service::Repeat(const Record& record, Producer& output) {
  const auto it = emitted_.find(IdKey(record.id));
  if (it == emitted_.end()) return;
  for (const Record& event : it->second) output.Forward(event);
}

}  // namespace deliverysim::models
