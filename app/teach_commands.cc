#include "app/teach_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "app/commands.h"
#include "app/demo_catalogue.h"
#include "app/explain.h"
#include "app/message_scores.h"
#include "app/report_table.h"
#include "app/scenario_loader.h"
#include "app/timeline_run.h"
#include "app/timeline_text.h"
#include "models/simulation.h"

namespace deliverysim::app {

namespace {

int Fail(const Error& error) {
  std::cerr << "error: " << error.ToString() << "\n";
  return kExitBadInput;
}

int Finish() {
  std::cout.flush();
  return std::cout ? kExitOk : kExitOutputFailed;
}

// The messages `options` names, or an error; an empty list when --worst finds nothing wrong.
Result<std::vector<MessageRef>> ChooseStories(const models::Scenario& scenario,
                                              const ExplainOptions& options) {
  if (options.worst) {
    MessageScorer scorer(scenario);
    models::Simulation(scenario, &scorer).Run();
    const std::optional<MessageRef> worst = scorer.Worst();
    if (!worst) return std::vector<MessageRef>{};
    const std::uint64_t duplicates = scorer.DuplicateEffects(*worst);
    std::cout << fmt::format(
        "The worst message is {}: {}.\n\n", MessageName(scenario, *worst),
        duplicates > 0 ? fmt::format("{} duplicate effect{}", duplicates, duplicates > 1 ? "s" : "")
        : scorer.Lost(*worst)         ? std::string("lost")
        : scorer.DeadLettered(*worst) ? std::string("dead-lettered")
                                      : std::string("processed out of its key's order"));
    return std::vector<MessageRef>{*worst};
  }
  if (options.key) {
    MessageSelection selection;
    selection.key = *options.key;
    std::vector<MessageRef> messages;
    for (const TimelineEvent& e : RecordRun(scenario, selection)) {
      if (e.kind == EventKind::kIntent) messages.push_back(e.message);
    }
    if (messages.empty()) {
      return Error{"", 0, 0, "--key",
                   fmt::format("no message was intended with key {}; keys run from 0 to the "
                               "producer's 'keys' less one",
                               *options.key)};
    }
    return messages;
  }
  Result<MessageSelection::Range> range = ParseMessageRange(options.message, scenario);
  if (!range.ok() || range.value().first != range.value().last) {
    return Error{"", 0, 0, "--message",
                 fmt::format("'{}' is not one message; allowed: N or PRODUCER:N", options.message)};
  }
  return std::vector<MessageRef>{{range.value().producer, range.value().first}};
}

void PrintWrapped(const std::string& text, int width, const std::string& indent) {
  for (const std::string& line : Wrap(text, width - static_cast<int>(indent.size()))) {
    std::cout << indent << line << "\n";
  }
}

int ListDemos(const std::vector<Demo>& demos, int width) {
  std::cout << "Demos; run one with: deliverysim demo NAME\n";
  for (const Demo& demo : demos) {
    std::cout << "\n  " << demo.name << "\n";
    PrintWrapped(demo.lesson, width, "      ");
  }
  return Finish();
}

// Checks every expectation and prints each with its values; false when one fails.
Result<bool> PrintOutcome(const Demo& demo, const models::RunResult& result) {
  bool all = true;
  std::cout << "\nExpected outcome:\n";
  for (const Expectation& e : demo.expectations) {
    Result<ExpectationOutcome> outcome = Check(e, result, demo.path);
    if (!outcome.ok()) return outcome.error();
    const ExpectationOutcome& o = outcome.value();
    all = all && o.holds;
    std::cout << fmt::format("  {:<50} {} ({} {} {})\n", e.text, o.holds ? "yes" : "NO", o.left,
                             e.op, o.right);
  }
  std::cout << (all ? "The run shows what the demo promises.\n"
                    : "The run does NOT show what the demo promises.\n");
  return all;
}

int RunDemo(const Demo& demo, int width) {
  Result<models::Scenario> loaded = LoadScenarioFile(demo.path);
  if (!loaded.ok()) return Fail(loaded.error());
  const models::Scenario& scenario = loaded.value();
  TimelineOptions timeline;
  timeline.text = true;
  timeline.messages = demo.timeline;
  timeline.width = width;
  timeline.telling = 2;
  Result<MessageSelection> selection = ChooseMessages(scenario, timeline);
  if (!selection.ok()) return Fail(selection.error());

  std::cout << "Demo " << demo.name << "\n\n";
  PrintWrapped("Lesson: " + demo.lesson, width, "");
  for (const std::string& paragraph : demo.narration) {
    std::cout << "\n";
    PrintWrapped(paragraph, width, "");
  }
  std::cout << "\n$ deliverysim run " << demo.path << "\n";
  const auto start = std::chrono::steady_clock::now();
  const models::RunResult result = models::Simulation(scenario, nullptr).Run();
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  std::cout << RunResultToTable(result, WallClock{wall.count()});
  Result<bool> shown = PrintOutcome(demo, result);
  if (!shown.ok()) return Fail(shown.error());
  std::cout << "\nThe most telling messages:\n";
  std::cout.flush();
  if (const int status = ShowTimeline(scenario, result, selection.value(), timeline);
      status != kExitOk) {
    return status;
  }
  std::cout << fmt::format("\nOne message's story: deliverysim explain {} --worst\n", demo.path);
  if (!std::cout) return kExitOutputFailed;
  return shown.value() ? kExitOk : kExitDemoFailed;
}

}  // namespace

std::string DefaultDemoFolder() { return DELIVERYSIM_DEMO_DIR; }

int DemoCommand(const DemoOptions& options) {
  Result<std::vector<Demo>> demos = LoadDemoCatalogue(options.folder);
  if (!demos.ok()) return Fail(demos.error());
  const int width = TimelineWidth(options.width);
  if (options.name.empty()) return ListDemos(demos.value(), width);
  std::string names;
  for (const Demo& demo : demos.value()) {
    if (demo.name == options.name) return RunDemo(demo, width);
    names += (names.empty() ? "" : ", ") + demo.name;
  }
  return Fail(Error{"", 0, 0, "NAME",
                    fmt::format("no demo called '{}'; allowed: {}", options.name, names)});
}

int ExplainCommand(const ExplainOptions& options) {
  Result<models::Scenario> loaded = LoadScenarioFile(options.scenario_path);
  if (!loaded.ok()) return Fail(loaded.error());
  models::Scenario& scenario = loaded.value();
  if (options.seed) scenario.seed = *options.seed;

  Result<std::vector<MessageRef>> chosen = ChooseStories(scenario, options);
  if (!chosen.ok()) return Fail(chosen.error());
  const std::vector<MessageRef>& messages = chosen.value();
  if (messages.empty()) {
    std::cout << "Every message was processed exactly once, in its key's order, by every group: "
                 "nothing went wrong.\n";
    return Finish();
  }
  const std::size_t told = std::min(messages.size(), kMaxStories);
  const std::vector<TimelineEvent> events =
      RecordRun(scenario, MessageSelection::Messages({messages.begin(), messages.begin() + told}));
  for (std::size_t i = 0; i < told; ++i) {
    const bool intended = std::any_of(events.begin(), events.end(), [&](const TimelineEvent& e) {
      return e.kind == EventKind::kIntent && e.message == messages[i];
    });
    if (!intended) {
      return Fail(Error{
          "", 0, 0, "--message",
          fmt::format(
              "{} intended no message {} in this run; numbers start at 0",
              models::SourceConfig(scenario, static_cast<std::uint32_t>(messages[i].producer)).name,
              MessageName(scenario, messages[i]))});
    }
  }
  for (std::size_t i = 0; i < told; ++i) {
    // Every story reads the whole record; a message's own events are picked out by id.
    if (i > 0) std::cout << "\n";
    if (told > 1) std::cout << fmt::format("Message {}:\n", MessageName(scenario, messages[i]));
    std::cout << ExplainMessage(scenario, events, messages[i]);
  }
  if (told < messages.size()) {
    std::cout << fmt::format("\n... and {} more messages with this key; name one with --message.\n",
                             messages.size() - told);
  }
  return Finish();
}

}  // namespace deliverysim::app
