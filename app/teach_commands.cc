#include "app/teach_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "app/commands.h"
#include "app/explain.h"
#include "app/message_scores.h"
#include "app/scenario_loader.h"
#include "app/timeline_run.h"
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
        : scorer.Lost(*worst) ? std::string("lost")
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

}  // namespace

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
      return Fail(Error{"", 0, 0, "--message",
                        fmt::format("{} intended no message {} in this run; numbers start at 0",
                                    scenario.producers[messages[i].producer].name,
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
