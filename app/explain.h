// A message's story in plain sentences: each send attempt, a loss on a link, the offset it got,
// each delivery and side effect, the crash that cut it, the commit that came or never came, and
// why it ended lost, duplicated or fine in each consumer group.
//
//   std::vector<TimelineEvent> events = RecordRun(scenario, MessageSelection::Messages({m}));
//   std::cout << ExplainMessage(scenario, events, m);
#pragma once

#include <string>
#include <vector>

#include "app/timeline_events.h"
#include "models/scenario.h"

namespace deliverysim::app {

// `events` must hold every event of `message` and the commits, crashes, restarts and
// rebalances of the run, as a TimelineRecorder selecting the message keeps them. One sentence
// per line, then one "Outcome for group G: ..." line per group reading the message's topic.
std::string ExplainMessage(const models::Scenario& scenario,
                           const std::vector<TimelineEvent>& events, MessageRef message);

}  // namespace deliverysim::app
