// A queue broker's message told in sentences (broker.kind queue or service-bus): its publish
// and routing, each delivery and redelivery with its cause, handler retries and their waits,
// acknowledgements, nacks and rejects, lock expiries, the crash that cut it, and why it ended
// processed, duplicated, dead-lettered or lost in each group meant to process it.
// ExplainMessage (explain.h) hands queue brokers' messages here.
//
// TODO: a Service Bus completion that fails because its lock ran out is not told (the trace
// does not tie the failed completion to its message); the lock's expiry and the effect are.
#pragma once

#include <string>
#include <vector>

#include "app/timeline_events.h"
#include "models/scenario.h"

namespace deliverysim::app {

// `events` as for ExplainMessage: every event of `message`, and the run's crashes and restarts.
std::string ExplainQueueMessage(const models::Scenario& scenario,
                                const std::vector<TimelineEvent>& events, MessageRef message);

}  // namespace deliverysim::app
