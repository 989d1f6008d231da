#include "app/timeline_run.h"

#include <iostream>

#include "app/atomic_file.h"
#include "app/commands.h"
#include "app/message_scores.h"
#include "app/timeline_diagram.h"
#include "app/timeline_html.h"
#include "app/timeline_text.h"
#include "models/simulation.h"

namespace deliverysim::app {

Result<MessageSelection> ChooseMessages(const models::Scenario& scenario,
                                        const TimelineOptions& options) {
  if (!options.wanted()) {
    const char* option = !options.messages.empty() ? "--messages"
                         : !options.window.empty() ? "--window"
                                                   : "--width";
    return Error{"", 0, 0, option,
                 "needs --timeline or --timeline-html: it says what the timeline shows"};
  }
  MessageSelection selection;
  for (const std::string& text : options.messages) {
    Result<MessageSelection::Range> range = ParseMessageRange(text, scenario);
    if (!range.ok()) return range.error();
    selection.ranges.push_back(range.value());
  }
  if (!options.window.empty()) {
    if (Result<Done> parsed = ParseWindow(options.window, selection); !parsed.ok()) {
      return parsed.error();
    }
  }
  if (options.width && (*options.width < 40 || *options.width > 1000)) {
    return Error{"", 0, 0, "--width", "allowed: a number of columns from 40 to 1000"};
  }
  if (selection.ranges.empty() && !selection.has_window) {
    MessageScorer scorer(scenario);
    models::Simulation(scenario, &scorer).Run();
    selection = MessageSelection::Messages(scorer.Telling(options.telling));
  }
  return selection;
}

std::vector<TimelineEvent> RecordRun(const models::Scenario& scenario,
                                     const MessageSelection& selection, std::size_t* dropped) {
  TimelineRecorder recorder(scenario, selection);
  models::Simulation(scenario, &recorder).Run();
  if (dropped) *dropped = recorder.dropped();
  return recorder.events();
}

int ShowTimeline(const models::Scenario& scenario, const models::RunResult& result,
                 const MessageSelection& selection, const TimelineOptions& options) {
  std::size_t dropped = 0;
  const std::vector<TimelineEvent> events = RecordRun(scenario, selection, &dropped);
  TimelineDiagram diagram = BuildTimeline(scenario, events, selection);
  diagram.rows_left_out += dropped;
  if (options.text) {
    std::cout << "\n"
              << RenderTimelineText(diagram,
                                    TextLayout{TimelineWidth(options.width), TimelineColour()});
  }
  if (!options.html_path.empty()) {
    AtomicFile page(options.html_path);
    Result<Done> written = page.Open();
    if (written.ok()) {
      page.stream() << RenderTimelineHtml(diagram, result);
      written = page.Commit();
    }
    if (!written.ok()) {
      std::cerr << "error: " << written.error().ToString() << "\n";
      return kExitOutputFailed;
    }
    if (!options.quiet) std::cout << "timeline page written to " << options.html_path << "\n";
  }
  std::cout.flush();
  return std::cout ? kExitOk : kExitOutputFailed;
}

}  // namespace deliverysim::app
