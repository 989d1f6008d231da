#include "app/explain_outcome.h"

#include <fmt/format.h>

namespace deliverysim::app {

std::string OutcomeLine(const GroupOutcome& o) {
  if (o.effects == 0) {
    return fmt::format("Outcome for group {}: LOST, its side effect never ran: {}.\n", o.group,
                       o.lost_reason);
  }
  if (o.effects == 1) {
    return fmt::format(
        "Outcome for group {}: processed exactly once{}{}.\n", o.group,
        o.skipped == 0 ? "" : fmt::format(" (the inbox skipped {} repeated deliveries)", o.skipped),
        o.afterwards.empty() ? "" : ", and then " + o.afterwards);
  }
  std::string line = fmt::format(
      "Outcome for group {}: DUPLICATED, its side effect ran {} times:", o.group, o.effects);
  for (const std::string& cause : o.duplicate_causes) line += " " + cause + ";";
  line.back() = '.';
  return line + "\n";
}

}  // namespace deliverysim::app
