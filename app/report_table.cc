#include "app/report_table.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace deliverysim::app {

std::string FormatDuration(sim::Time ns) {
  struct Unit {
    sim::Time size;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{sim::kHour, "h"},
                                    {sim::kMinute, "min"},
                                    {sim::kSecond, "s"},
                                    {sim::kMillisecond, "ms"},
                                    {sim::kMicrosecond, "us"}};
  for (const Unit& unit : kUnits) {
    if (ns >= unit.size) {
      const double value = static_cast<double>(ns) / static_cast<double>(unit.size);
      const int decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
      return fmt::format("{:.{}f} {}", value, decimals, unit.name);
    }
  }
  return fmt::format("{} ns", ns);
}

namespace {

using models::GroupResult;

struct Row {
  const char* label;
  std::function<std::string(const GroupResult&)> cell;
};

std::string Count(std::uint64_t n) { return fmt::format("{}", n); }

std::string LatencyCell(const GroupResult& g, sim::Time value) {
  return g.latency.count == 0 ? "n/a" : FormatDuration(value);
}

std::vector<Row> Rows() {
  return {
      {"commit strategy", [](const GroupResult& g) { return g.commit; }},
      {"intended", [](const GroupResult& g) { return Count(g.intended); }},
      {"lost", [](const GroupResult& g) { return Count(g.lost); }},
      {"dead-lettered", [](const GroupResult& g) { return Count(g.dead_lettered); }},
      {"deliveries", [](const GroupResult& g) { return Count(g.deliveries); }},
      {"duplicate deliveries", [](const GroupResult& g) { return Count(g.duplicate_deliveries); }},
      {"duplicate effects", [](const GroupResult& g) { return Count(g.duplicate_effects); }},
      {"out of order", [](const GroupResult& g) { return Count(g.out_of_order); }},
      {"lag, messages: max", [](const GroupResult& g) { return Count(g.lag_messages.max); }},
      {"               mean",
       [](const GroupResult& g) { return fmt::format("{:.1f}", g.lag_messages.mean); }},
      {"               p99", [](const GroupResult& g) { return Count(g.lag_messages.p99); }},
      {"lag, time: max", [](const GroupResult& g) { return FormatDuration(g.lag_time.max); }},
      {"           mean",
       [](const GroupResult& g) { return FormatDuration(std::llround(g.lag_time.mean)); }},
      {"           p99", [](const GroupResult& g) { return FormatDuration(g.lag_time.p99); }},
      {"latency: p50", [](const GroupResult& g) { return LatencyCell(g, g.latency.p50); }},
      {"         p90", [](const GroupResult& g) { return LatencyCell(g, g.latency.p90); }},
      {"         p99", [](const GroupResult& g) { return LatencyCell(g, g.latency.p99); }},
      {"         max", [](const GroupResult& g) { return LatencyCell(g, g.latency.max); }},
      {"rebalances", [](const GroupResult& g) { return Count(g.rebalances); }},
      {"commits refused", [](const GroupResult& g) { return Count(g.commits_refused); }},
      {"aborted reads", [](const GroupResult& g) { return Count(g.aborted_reads); }},
  };
}

// A count that only some groups have: "-" for the others.
std::string CountIf(bool has, std::uint64_t n) { return has ? Count(n) : "-"; }

// Groups that keep entity state (consumers[].ordering) add their table's outcome.
std::vector<Row> EntityRows() {
  return {
      {"ordering", [](const GroupResult& g) { return g.has_entities ? g.ordering : "-"; }},
      {"entities", [](const GroupResult& g) { return CountIf(g.has_entities, g.entities); }},
      {"  matching ordered stream",
       [](const GroupResult& g) { return CountIf(g.has_entities, g.entities_matching); }},
      {"  diverged",
       [](const GroupResult& g) { return CountIf(g.has_entities, g.entities_diverged); }},
      {"events dropped by ordering",
       [](const GroupResult& g) { return CountIf(g.has_entities, g.events_dropped); }},
  };
}

// Groups that read a topic whose schema changes add what they made of the versions.
std::vector<Row> SchemaRows() {
  return {
      {"read as older version",
       [](const GroupResult& g) {
         return CountIf(g.has_schema_versions, g.read_as_older_version);
       }},
      {"dead-lettered unreadable",
       [](const GroupResult& g) {
         return CountIf(g.has_schema_versions, g.dead_lettered_unreadable);
       }},
  };
}

// A line for the broker and one per queue: what the queues did, beside the groups' metrics.
std::string QueueBrokerLines(const models::QueueBrokerResult& broker) {
  std::string out = fmt::format(
      "broker: {} restarts, {} packets dropped while down, {} unroutable dropped, {} returned\n",
      broker.restarts, broker.dropped_while_down, broker.unroutable_dropped, broker.returned);
  // The peak of the incoming request rate, where a retry storm shows.
  const auto peak =
      std::max_element(broker.incoming_requests.begin(), broker.incoming_requests.end());
  if (peak != broker.incoming_requests.end()) {
    const sim::Time at = broker.incoming_interval * (peak - broker.incoming_requests.begin());
    out += fmt::format("broker incoming requests: peak {} in the {} from {}\n", *peak,
                       FormatDuration(broker.incoming_interval), FormatDuration(at));
  }
  for (const models::QueueResult& q : broker.queues) {
    out += fmt::format(
        "queue {} ({}, {}): {} enqueued, {} delivered ({} redelivered), {} acked, {} requeued, "
        "{} dead-lettered, {} discarded, {} lost in restarts, {} consumer crashes, "
        "{} ready + {} unacked at the end\n",
        q.name, q.type, q.durable ? "durable" : "transient", q.enqueued, q.delivered, q.redelivered,
        q.acked, q.requeued, q.dead_lettered, q.discarded, q.lost_in_restart, q.consumer_crashes,
        q.ready_at_end, q.unacked_at_end);
    if (q.handler_retries > 0)
      out += fmt::format("  {}: {} handler retries\n", q.name, q.handler_retries);
    if (q.type == "service-bus") {
      out += fmt::format(
          "  {}: {} lock expiries, {} completions after the lock was lost, {} duplicates "
          "detected\n",
          q.name, q.lock_expiries, q.completions_lock_lost, q.duplicates_detected);
    }
  }
  return out;
}

// One paragraph per business flow: how its instances ended, and what they cost.
std::string FlowLines(const models::FlowResult& flow) {
  std::string out = fmt::format(
      "flow {} ({}): {} started, {} completed, {} compensated, {} inconsistent, {} stuck\n",
      flow.flow, flow.style, flow.started, flow.completed, flow.compensated, flow.inconsistent,
      flow.stuck);
  if (!flow.stuck_at.empty()) {
    std::vector<std::string> parts;
    for (const auto& [step, count] : flow.stuck_at) {
      parts.push_back(fmt::format("{} {}", step, count));
    }
    out += fmt::format("  stuck at: {}\n", fmt::join(parts, ", "));
  }
  out += fmt::format(
      "  {} failed a step, {} commands given up; {} steps and {} compensations repeated, {} "
      "compensations missing\n",
      flow.failed, flow.gave_up, flow.steps_repeated, flow.compensations_repeated,
      flow.compensations_missing);
  out += fmt::format("  users answered: {} ok, {} with an error, {} unanswered", flow.responses_ok,
                     flow.responses_failed, flow.unanswered);
  if (flow.response_time.count > 0) {
    out +=
        fmt::format("; they waited p50 {}, p99 {}, max {}", FormatDuration(flow.response_time.p50),
                    FormatDuration(flow.response_time.p99), FormatDuration(flow.response_time.max));
  }
  out += '\n';
  const double per_flow =
      flow.started > 0 ? static_cast<double>(flow.messages) / static_cast<double>(flow.started) : 0;
  out += fmt::format("  {} messages ({:.2f} a flow)", flow.messages, per_flow);
  if (flow.completion_time.count > 0) {
    out += fmt::format("; completed in p50 {}, p99 {}", FormatDuration(flow.completion_time.p50),
                       FormatDuration(flow.completion_time.p99));
  }
  if (flow.compensation_time.count > 0) {
    out += fmt::format("; compensated in p50 {}", FormatDuration(flow.compensation_time.p50));
  }
  return out + "\n";
}

// Queue brokers add the age of the oldest message in each group's queue.
std::vector<Row> QueueRows() {
  return {
      {"oldest message: max",
       [](const GroupResult& g) { return FormatDuration(g.oldest_message_age.max); }},
      {"                mean",
       [](const GroupResult& g) {
         return FormatDuration(std::llround(g.oldest_message_age.mean));
       }},
      {"                p99",
       [](const GroupResult& g) { return FormatDuration(g.oldest_message_age.p99); }},
  };
}

}  // namespace

std::string RunResultToTable(const models::RunResult& result, WallClock wall) {
  std::string out =
      fmt::format("scenario {} (seed {}): {} simulated, {}\n", result.scenario, result.seed,
                  FormatDuration(result.duration),
                  result.drain > 0 ? "then " + FormatDuration(result.drain) + " of drain"
                                   : std::string("no drain"));
  for (const models::ProducerResult& p : result.producers) {
    out += fmt::format("producer {} -> {}: {} intended, {} sends, {} acknowledged, {} gave up\n",
                       p.name, p.topic, p.intended, p.sends, p.acknowledged, p.gave_up);
  }
  for (const models::TopicResult& t : result.topics) {
    std::int64_t offsets = 0;
    for (std::int64_t end : t.log_end_offsets) offsets += end;
    out += fmt::format("topic {}: {} offsets in {} partitions, {} duplicate records", t.name,
                       offsets, t.log_end_offsets.size(), t.duplicate_records);
    if (t.aborted_records > 0) {
      out += fmt::format(", {} records of aborted transactions", t.aborted_records);
    }
    out += '\n';
  }
  out += fmt::format("network: {} packets lost, {} duplicated\n", result.packets_lost,
                     result.packets_duplicated);
  if (result.has_queue_broker) out += QueueBrokerLines(result.queue_broker);
  for (const models::TopicResult& t : result.topics) {
    if (!t.replicated) continue;
    out += fmt::format(
        "topic {} (replication {}): {} acknowledged records lost, {} elections ({} unclean), "
        "{} partitions offline at the end\n",
        t.name, t.replication, t.acknowledged_lost, t.elections, t.unclean_elections,
        t.offline_partitions);
  }
  out += '\n';

  // A scenario whose only consumers are a request-response flow's services has no groups.
  std::vector<Row> rows = result.groups.empty() ? std::vector<Row>{} : Rows();
  if (result.has_queue_broker) {
    for (Row& row : QueueRows()) rows.push_back(std::move(row));
  }
  const auto any_group = [&](bool GroupResult::*flag) {
    return std::any_of(result.groups.begin(), result.groups.end(),
                       [&](const GroupResult& g) { return g.*flag; });
  };
  if (any_group(&GroupResult::has_entities)) {
    for (Row& row : EntityRows()) rows.push_back(std::move(row));
  }
  if (any_group(&GroupResult::has_schema_versions)) {
    for (Row& row : SchemaRows()) rows.push_back(std::move(row));
  }
  std::size_t label_width = 0;
  for (const Row& row : rows) label_width = std::max(label_width, std::string(row.label).size());
  std::vector<std::size_t> widths;
  for (const GroupResult& g : result.groups) {
    std::size_t width = g.group.size();
    for (const Row& row : rows) width = std::max(width, row.cell(g).size());
    widths.push_back(width);
  }
  if (!rows.empty()) out += fmt::format("{:<{}}", "group", label_width);
  for (std::size_t i = 0; i < result.groups.size(); ++i) {
    out += fmt::format("  {:>{}}", result.groups[i].group, widths[i]);
  }
  if (!rows.empty()) out += '\n';
  for (const Row& row : rows) {
    out += fmt::format("{:<{}}", row.label, label_width);
    for (std::size_t i = 0; i < result.groups.size(); ++i) {
      out += fmt::format("  {:>{}}", row.cell(result.groups[i]), widths[i]);
    }
    out += '\n';
  }
  for (const GroupResult& g : result.groups) {
    for (const std::string& error : g.errors)
      out += fmt::format("error in {}: {}\n", g.group, error);
  }
  if (!result.flows.empty() && !rows.empty()) out += '\n';
  for (const models::FlowResult& flow : result.flows) out += FlowLines(flow);
  const double rate = wall.seconds > 0 ? static_cast<double>(result.events) / wall.seconds : 0;
  out += fmt::format("\n{} events in {:.2f} s of wall time ({:.2f} million events/s)\n",
                     result.events, wall.seconds, rate / 1e6);
  return out;
}

}  // namespace deliverysim::app
