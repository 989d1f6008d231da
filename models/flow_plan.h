// Turns a business flow (FlowConfig) into the consumer groups that run it.
//
// Choreography: each step's service consumes the flow's events topic and reacts to the event
// that ended the step before it (the first step to the flow's start), emitting the step's
// done or failed event to the same topic; a service whose step has a compensation also reacts
// to the failure of every later step by emitting its compensation's done event.
//
// Orchestration: an orchestrator group consumes the events topic (starts and replies) and
// sends commands to the commands topic (Orchestrator, models/orchestrator.h); each step's
// service consumes the commands topic, performs the step or its compensation, and replies on
// the events topic.
//
// Request-response makes no groups: its services are RpcServer instances that the simulation
// builds from the flow, called by a SyncCaller.
//
//   step "take-payment" (compensation "refund") names the event types take-payment.command,
//   take-payment.done, take-payment.failed, refund.command and refund.done.
#pragma once

#include <cstdint>
#include <string>

#include "models/scenario.h"

namespace deliverysim::models {

// Names the flow's event types and appends (or extends) the consumer groups that run flow
// `flow` of `scenario`; the groups are marked generated. Returns an error message when a
// service name is taken by a consumer group of another kind, else an empty string.
// REQUIRES: the flow's producer, topics and steps are valid (the loader checks them).
std::string PlanFlow(Scenario& scenario, std::uint32_t flow);

// The settings of service `service` of `flow`: its own, or the flow's shared ones.
const ConsumerGroupConfig& ServiceSettings(const FlowConfig& flow, const std::string& service);

// The name of the orchestrator group of a flow: "order-orchestrator".
std::string OrchestratorName(const FlowConfig& flow);

}  // namespace deliverysim::models
