// The last lines of a message's story, one per group that should have processed it: what
// became of it there. The log's and the queues' stories share them.
#pragma once

#include <string>
#include <vector>

namespace deliverysim::app {

struct GroupOutcome {
  std::string group;                          // as shown: "billing" or "billing (queue billing)"
  int effects = 0;                            // times its side effect ran
  int skipped = 0;                            // repeated deliveries the inbox skipped
  std::vector<std::string> duplicate_causes;  // one per effect beyond the first
  std::string lost_reason;                    // why it never ran, when it did not
  std::string afterwards;  // after the one effect, e.g. "dead-lettered ..."; or empty
};

// "Outcome for group billing: processed exactly once." and its LOST and DUPLICATED kin.
std::string OutcomeLine(const GroupOutcome& outcome);

}  // namespace deliverysim::app
