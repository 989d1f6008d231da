// The timeline as one self-contained HTML page: the run's metrics, then the sequence diagram
// as inline SVG with a tooltip on every event and a filter by message id or key. No script,
// style or font comes from the network.
//
//   std::string page = RenderTimelineHtml(diagram, result);
#pragma once

#include <string>

#include "app/timeline_diagram.h"
#include "models/run_result.h"

namespace deliverysim::app {

// Each event row is an SVG <g class="row STYLE"> (STYLE from RowStyleName, "alarm" added for
// faults and repeats) with data-message and data-key attributes and a <title>. Opening the page
// with "#message=N" or "#key=K" in its address presets the filter.
std::string RenderTimelineHtml(const TimelineDiagram& diagram, const models::RunResult& result);

}  // namespace deliverysim::app
