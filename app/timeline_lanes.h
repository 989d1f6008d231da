// The parts the timeline's builders share: a lane's sort key and a row waiting for its lanes'
// indices, and the step that numbers the lanes used and caps the rows (timeline_diagram.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "app/timeline_diagram.h"

namespace deliverysim::app {

// Lanes sort by category (producers first, consumer instances last), then by scenario order.
struct LaneKey {
  int category = 0;
  std::int64_t first = 0;
  std::int64_t second = 0;
  std::string name;

  bool operator<(const LaneKey& other) const {
    return std::tie(category, first, second) < std::tie(other.category, other.first, other.second);
  }
};

struct PendingRow {
  TimelineRow row;
  std::optional<LaneKey> from;  // none: a row across the diagram
  std::optional<LaneKey> to;    // none or equal to `from`: a mark
};

// Gives the lanes that some row uses an index each, in LaneKey order, and keeps the first
// `max_rows` rows, counting the rest in rows_left_out.
TimelineDiagram AssembleDiagram(std::vector<PendingRow>& rows, std::size_t max_rows);

}  // namespace deliverysim::app
