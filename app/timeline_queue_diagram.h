// The sequence diagram of a queue broker's run (broker.kind queue or service-bus): lanes for
// producers, exchanges, queues (a Service Bus queue's dead-letter sub-queue beside its queue)
// and consumer instances; arrows for publishes, routing (a fanout exchange draws one arrow per
// queue), deliveries, acknowledgements, nacks and rejects, and dead letters; marks for handler
// starts and retries, effects, requeues, lock expiries, unroutable messages, losses in a broker
// restart, and crashes. BuildTimeline (timeline_diagram.h) hands queue brokers' runs here.
//
// TODO: a Service Bus completion that arrives after its lock ran out (completions_lock_lost)
// is not drawn, since the broker no longer knows which message the lock was for; the lock
// expiry and the effect that ran anyway are. A delivery or acknowledgement packet lost on a
// consumer's link is drawn only inside a --window, without its message, as the log's control
// packets are: the network traces a message's ids only for produce packets.
#pragma once

#include <cstddef>
#include <vector>

#include "app/timeline_diagram.h"
#include "app/timeline_events.h"
#include "models/scenario.h"

namespace deliverysim::app {

// A consumer crash is drawn when it cuts a selected message's work (delivered and not yet
// settled), or, with a window, always; broker crashes and restarts are always drawn.
TimelineDiagram BuildQueueTimeline(const models::Scenario& scenario,
                                   const std::vector<TimelineEvent>& events,
                                   const MessageSelection& selection, std::size_t max_rows);

// A dead letter's reason in words: "delivery limit exceeded (returned 4 times, limit 3)".
// `handler_attempts` is the number of times the handler tried it before rejecting it (0: not
// known to have been retried).
std::string DeadLetterReason(const models::Scenario& scenario, const TimelineEvent& event,
                             std::int64_t handler_attempts);

}  // namespace deliverysim::app
