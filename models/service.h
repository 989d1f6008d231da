// The business logic of a service (ServiceConfig): what a consumer group does, beyond its
// side effect, with each event it processes. One Service serves every instance of its group,
// since its tables belong to the service's database, not to a process.
//
// For each rule whose type matches, the step fails or not, and emits its event or not, by a
// draw from the message's identity (its flow and step, or its id) and the scenario's seed:
// processing the same event again decides the same way. Each emitted event is a new message
// with an id of the group's own ledger source, the trigger's flow, and the flow number as its
// key, so that a flow's events share a partition.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/flow_metrics.h"
#include "models/ledger.h"
#include "models/message.h"
#include "models/orchestrator.h"
#include "models/producer.h"
#include "models/scenario.h"
#include "sim/trace.h"

namespace deliverysim::models {

// Whether a flow's step (or compensation) fails is a property of the flow: a uniform draw in
// [0, 1) fixed by the seed, the flow (its index in the scenario and its number), the step, the
// role and the purpose of the draw. Every style of the flow draws the same.
double FlowStepDraw(std::uint64_t seed, std::uint32_t flow_index, std::uint32_t flow,
                    std::uint32_t step, RuleRole role, std::uint64_t purpose);
inline constexpr std::uint64_t kFailureDraw = 1;
inline constexpr std::uint64_t kEmitDraw = 2;

class Service {
 public:
  // `flows` holds the metrics of every flow of the scenario, by flow index; `orchestrator` is
  // null unless the group orchestrates a flow.
  Service(const ServiceConfig& config, MessageLedger& ledger, std::uint32_t source,
          std::uint64_t seed, std::vector<FlowMetrics*> flows, Orchestrator* orchestrator,
          sim::TraceSink* trace);

  // Handler time the rules for `record` add to the group's processing time.
  sim::Time ExtraTime(const Record& record) const;

  // `record`'s effect just committed at `now`: runs its rules, publishing through `output`.
  // A null `output` means the process died between its database commit and its publish (a
  // dual write): the effects stand, and what it meant to publish is lost. `instance` names the
  // process, for the trace.
  void Act(const Record& record, Producer* output, sim::Time now, const std::string& instance = "");

  // The inbox recognised `record` as processed before. With an outbox, the events it emitted
  // are rows of the service's database, so they are published again, same messages: an
  // idempotent receiver answers a repeated command with its first answer, which is what lets
  // an orchestrator's repeated command get a reply whose first copy was slow or lost. A dual
  // write kept no copy, so there is nothing to send again.
  void Repeat(const Record& record, Producer& output);

  PublishMode publish() const { return config_.publish; }

 private:
  // A uniform draw in [0, 1) fixed by the message's identity, the rule and `purpose`.
  double Draw(const Record& record, const ServiceRule& rule, std::uint64_t purpose) const;

  const ServiceConfig& config_;
  MessageLedger& ledger_;
  const std::uint32_t source_;
  const std::uint64_t seed_;
  std::vector<FlowMetrics*> flows_;
  Orchestrator* orchestrator_;
  sim::TraceSink* trace_;
  std::vector<std::vector<std::uint32_t>> rules_by_type_;  // rule indices, by event type
  // With an outbox: what each processed message emitted, by the message's id.
  // TODO: never pruned, so it grows by a few records per processed message for the whole run;
  // a real outbox keeps its rows only for the inbox's retention.
  std::unordered_map<std::uint64_t, std::vector<Record>> emitted_;
};

}  // namespace deliverysim::models
