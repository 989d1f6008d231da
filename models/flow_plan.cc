#include "models/flow_plan.h"

namespace deliverysim::models {

namespace {

// The generated group called `name`, made on first use with the flow's shared settings.
ConsumerGroupConfig* ServiceGroup(Scenario& scenario, const FlowConfig& flow,
                                  const std::string& name, const std::string& topic,
                                  const std::string& produce_to, std::string& error) {
  for (ConsumerGroupConfig& group : scenario.consumers) {
    if (group.group != name) continue;
    if (!group.generated || group.topic != topic) {
      error = "the service name '" + name + "' is already the name of another consumer group";
      return nullptr;
    }
    return &group;
  }
  ConsumerGroupConfig group = ServiceSettings(flow, name);
  group.group = name;
  group.topic = topic;
  group.produce_to = produce_to;
  group.generated = true;
  scenario.consumers.push_back(group);
  return &scenario.consumers.back();
}

ServiceRule Rule(EventType on, EventType emit, std::int32_t flow, std::uint32_t step,
                 RuleRole role) {
  ServiceRule rule;
  rule.on = on;
  rule.emit = emit;
  rule.flow = flow;
  rule.step = step;
  rule.role = role;
  return rule;
}

}  // namespace

std::string OrchestratorName(const FlowConfig& flow) { return flow.name + "-orchestrator"; }

const ConsumerGroupConfig& ServiceSettings(const FlowConfig& flow, const std::string& service) {
  const auto own = flow.service_settings.find(service);
  return own != flow.service_settings.end() ? own->second : flow.services;
}

std::string PlanFlow(Scenario& scenario, std::uint32_t index) {
  // Interning may grow event_types but never the flows, so `flow` stays valid.
  FlowConfig& flow = scenario.flows[index];
  const auto flow_number = static_cast<std::int32_t>(index);
  // Request-response calls name what they ask for like an orchestrator's commands.
  const bool orchestrated = flow.style != FlowStyle::kChoreography;
  flow.started = InternEventType(scenario, flow.name + ".started");
  for (FlowStep& step : flow.steps) {
    step.done = InternEventType(scenario, step.name + ".done");
    step.failed = InternEventType(scenario, step.name + ".failed");
    if (orchestrated) step.command = InternEventType(scenario, step.name + ".command");
    if (step.compensation.empty()) continue;
    step.compensated = InternEventType(scenario, step.compensation + ".done");
    if (orchestrated) {
      step.compensation_command = InternEventType(scenario, step.compensation + ".command");
    }
  }
  for (ProducerConfig& producer : scenario.producers) {
    if (producer.name != flow.starter) continue;
    producer.starts_flow = flow_number;
    producer.event_type = flow.started;
    producer.calls_instead = flow.style == FlowStyle::kRequestResponse;
  }

  if (flow.style == FlowStyle::kRequestResponse) return "";  // services answer calls

  std::string error;
  const std::string& events = flow.events_topic;
  if (orchestrated) {
    ConsumerGroupConfig* orchestrator =
        ServiceGroup(scenario, flow, OrchestratorName(flow), events, flow.commands_topic, error);
    if (orchestrator == nullptr) return error;
    orchestrator->service.orchestrates = flow_number;
  }
  for (std::uint32_t i = 0; i < flow.steps.size(); ++i) {
    const FlowStep& step = flow.steps[i];
    const std::string& in = orchestrated ? flow.commands_topic : events;
    ConsumerGroupConfig* group = ServiceGroup(scenario, flow, step.service, in, events, error);
    if (group == nullptr) return error;
    const EventType trigger =
        orchestrated ? step.command : (i == 0 ? flow.started : flow.steps[i - 1].done);
    ServiceRule perform = Rule(trigger, step.done, flow_number, i, RuleRole::kStep);
    perform.failure = step.failure;
    perform.on_failure = step.failed;
    group->service.rules.push_back(perform);
    if (step.compensation.empty()) continue;
    if (orchestrated) {
      group->service.rules.push_back(Rule(step.compensation_command, step.compensated, flow_number,
                                          i, RuleRole::kCompensation));
      continue;
    }
    // Choreography: whichever later step fails, this one undoes itself.
    for (std::uint32_t later = i + 1; later < flow.steps.size(); ++later) {
      group->service.rules.push_back(Rule(flow.steps[later].failed, step.compensated, flow_number,
                                          i, RuleRole::kCompensation));
    }
  }
  return "";
}

}  // namespace deliverysim::models
