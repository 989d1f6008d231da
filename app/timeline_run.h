// The timeline options of `deliverysim run`: which messages to show and where to draw them.
// The events come from running the scenario again with an in-memory recorder; a run is
// deterministic, so the second run is the first one event for event.
//
//   Result<MessageSelection> chosen = ChooseMessages(scenario, options);
//   if (chosen.ok()) ShowTimeline(scenario, result, chosen.value(), options);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/result.h"
#include "app/timeline_events.h"
#include "models/run_result.h"
#include "models/scenario.h"

namespace deliverysim::app {

struct TimelineOptions {
  bool text = false;                  // --timeline: draw on standard output
  std::string html_path;              // --timeline-html FILE
  std::vector<std::string> messages;  // --messages RANGE, repeatable
  std::string window;                 // --window T1..T2
  std::optional<int> width;           // --width COLUMNS
  bool quiet = false;                 // say nothing of the page written (with --json)
  std::size_t telling = 3;            // how many telling messages when none are named

  bool wanted() const { return text || !html_path.empty(); }
  bool filtered() const { return !messages.empty() || !window.empty() || width.has_value(); }
};

// The selection the options describe. With neither --messages nor --window, runs the scenario
// once to find the `options.telling` most telling messages (see MessageScorer::Telling).
// An error names the option and the allowed forms.
[[nodiscard]] Result<MessageSelection> ChooseMessages(const models::Scenario& scenario,
                                                      const TimelineOptions& options);

// Records `selection` in a fresh run of `scenario`, draws it on standard output (--timeline)
// and writes the HTML page (--timeline-html). Returns the process exit status.
int ShowTimeline(const models::Scenario& scenario, const models::RunResult& result,
                 const MessageSelection& selection, const TimelineOptions& options);

// Runs `scenario` with a recorder for `selection` and returns the events it kept; `dropped`,
// when given, receives the number past kMaxRecordedEvents.
std::vector<TimelineEvent> RecordRun(const models::Scenario& scenario,
                                     const MessageSelection& selection,
                                     std::size_t* dropped = nullptr);

}  // namespace deliverysim::app
