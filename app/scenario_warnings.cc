#include "app/scenario_warnings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "app/report_table.h"

namespace deliverysim::app {

std::vector<std::string> ScenarioWarnings(const models::Scenario& scenario) {
  std::vector<std::string> warnings;
  // The two consumer warnings below are about the log broker's settings.
  const std::size_t log_groups =
      scenario.broker_kind == models::BrokerKind::kLog ? scenario.consumers.size() : 0;
  for (std::size_t g = 0; g < log_groups; ++g) {
    const models::ConsumerGroupConfig& group = scenario.consumers[g];
    const bool fed = std::any_of(scenario.producers.begin(), scenario.producers.end(),
                                 [&](const auto& p) { return p.topic == group.topic; });
    if (fed && group.auto_offset_reset == models::OffsetReset::kLatest && !group.existing_group) {
      warnings.push_back(fmt::format(
          "consumers[{}].auto_offset_reset: 'latest' (Kafka's default) starts group {} at the "
          "log end when it first gets its partitions, {} after its first member joins; what was "
          "published before is never processed. Write 'earliest' to process everything.",
          g, group.group, FormatDuration(scenario.initial_rebalance_delay)));
    }
  }
  for (std::size_t g = 0; g < log_groups; ++g) {
    const models::ConsumerGroupConfig& group = scenario.consumers[g];
    if (group.request_timeout <= group.fetch_max_wait) {
      warnings.push_back(fmt::format(
          "consumers[{}].request_timeout: {} is not longer than fetch_max_wait ({}), so a fetch "
          "the broker holds times out before its answer comes (Kafka requires "
          "request.timeout.ms > fetch.max.wait.ms).",
          g, FormatDuration(group.request_timeout), FormatDuration(group.fetch_max_wait)));
    }
  }
  for (std::size_t g = 0; g < log_groups; ++g) {
    const models::ConsumerGroupConfig& group = scenario.consumers[g];
    const bool keyed = std::any_of(scenario.producers.begin(), scenario.producers.end(),
                                   [&](const auto& p) { return p.topic == group.topic && p.keys; });
    if (group.keeps_entities && !keyed) {
      warnings.push_back(fmt::format(
          "consumers[{}].ordering: no producer of topic {} gives its messages keys, so group {} "
          "keeps no entities; give a producer 'keys'.",
          g, group.topic, group.group));
    }
  }
  // A rule reacting to a type nobody publishes never fires: most often a misspelt name.
  std::vector<bool> published(scenario.event_types.size(), false);
  for (const models::ProducerConfig& producer : scenario.producers) {
    published[producer.event_type] = true;
    for (const models::EventType type : producer.event_script) published[type] = true;
  }
  for (const models::ConsumerGroupConfig& group : scenario.consumers) {
    for (const models::ServiceRule& rule : group.service.rules) {
      published[rule.emit] = published[rule.on_failure] = true;
    }
  }
  for (std::size_t g = 0; g < scenario.consumers.size(); ++g) {
    const models::ConsumerGroupConfig& group = scenario.consumers[g];
    if (group.generated) continue;  // a flow's commands come from its orchestrator
    for (std::size_t r = 0; r < group.service.rules.size(); ++r) {
      const models::EventType on = group.service.rules[r].on;
      if (published[on]) continue;
      std::vector<std::string> known;
      for (std::size_t t = 1; t < published.size(); ++t) {
        if (published[t]) known.push_back(scenario.event_types[t]);
      }
      warnings.push_back(fmt::format(
          "consumers[{}].handles[{}].event: no producer or service publishes '{}', so the rule "
          "never runs; published: {}.",
          g, r, scenario.event_types[on],
          known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", "))));
    }
  }
  for (const models::ProducerConfig& producer : scenario.producers) {
    if (producer.schema_change != models::SchemaChange::kNone &&
        producer.schema_v2_at > scenario.duration) {
      warnings.push_back(fmt::format(
          "producers: {} moves to schema version 2 at {}, after it stopped producing at the end of "
          "the duration ({}); it writes no v2 event.",
          producer.name, FormatDuration(producer.schema_v2_at), FormatDuration(scenario.duration)));
    }
  }
  for (const models::ClockSkewFault& skew : scenario.clock_skews) {
    if (skew.at > scenario.duration) {
      warnings.push_back(fmt::format(
          "faults: the clock skew of {} from {} on stamps nothing, because producers stop at the "
          "end of the duration ({}).",
          skew.producer, FormatDuration(skew.at), FormatDuration(scenario.duration)));
    }
  }
  if (scenario.drain == 0 && !scenario.producers.empty() && !scenario.consumers.empty()) {
    warnings.push_back(
        "drain: 0 counts every message still in flight at the end of the duration as lost; "
        "give the system a drain period to finish its work.");
  }
  for (const models::CrashFault& crash : scenario.crashes) {
    if (crash.at >= scenario.duration) {
      warnings.push_back(fmt::format(
          "faults: the crash of {} from {} on never strikes, because faults stop when the "
          "duration ({}) ends.",
          crash.target, FormatDuration(crash.at), FormatDuration(scenario.duration)));
    }
  }
  for (const models::MembershipChange& change : scenario.membership_changes) {
    if (change.at < scenario.duration) continue;
    const bool join = change.kind == models::MembershipChange::Kind::kJoin;
    warnings.push_back(fmt::format(
        "faults: {} {} at {} never happens, because faults stop when the duration ({}) ends{}.",
        change.target, join ? "joining" : "leaving", FormatDuration(change.at),
        FormatDuration(scenario.duration), join ? "; it never starts" : ""));
  }
  for (const models::LinkFault& fault : scenario.link_faults) {
    if (fault.start >= scenario.duration) {
      warnings.push_back(fmt::format(
          "faults: the trouble on {} -> {} from {} on never starts, because faults stop when the "
          "duration ({}) ends.",
          fault.from, fault.to, FormatDuration(fault.start), FormatDuration(scenario.duration)));
    }
  }
  return warnings;
}

}  // namespace deliverysim::app
