#include "app/run_metrics.h"

namespace deliverysim::app {

namespace {

void AddGroup(const models::GroupResult& g, std::vector<MetricValue>& out) {
  auto add = [&](const char* metric, double value) { out.push_back({g.group, metric, value}); };
  add("intended", static_cast<double>(g.intended));
  add("lost", static_cast<double>(g.lost));
  add("dead_lettered", static_cast<double>(g.dead_lettered));
  add("deliveries", static_cast<double>(g.deliveries));
  add("duplicate_deliveries", static_cast<double>(g.duplicate_deliveries));
  add("duplicate_effects", static_cast<double>(g.duplicate_effects));
  add("out_of_order", static_cast<double>(g.out_of_order));
  add("lag_messages.max", static_cast<double>(g.lag_messages.max));
  add("lag_messages.mean", g.lag_messages.mean);
  add("lag_messages.p99", static_cast<double>(g.lag_messages.p99));
  add("lag_time_ns.max", static_cast<double>(g.lag_time.max));
  add("lag_time_ns.mean", g.lag_time.mean);
  add("lag_time_ns.p99", static_cast<double>(g.lag_time.p99));
  if (g.latency.count > 0) {
    add("latency_ns.p50", static_cast<double>(g.latency.p50));
    add("latency_ns.p90", static_cast<double>(g.latency.p90));
    add("latency_ns.p99", static_cast<double>(g.latency.p99));
    add("latency_ns.max", static_cast<double>(g.latency.max));
  }
  add("rebalances", static_cast<double>(g.rebalances));
  add("commits_refused", static_cast<double>(g.commits_refused));
  if (g.has_entities) {
    add("entities", static_cast<double>(g.entities));
    add("entities_matching", static_cast<double>(g.entities_matching));
    add("entities_diverged", static_cast<double>(g.entities_diverged));
    add("events_dropped", static_cast<double>(g.events_dropped));
  }
  if (g.has_schema_versions) {
    add("read_as_older_version", static_cast<double>(g.read_as_older_version));
    add("dead_lettered_unreadable", static_cast<double>(g.dead_lettered_unreadable));
  }
}

// A flow's scope is "flow:NAME"; it has no "lost", which is how reports tell it from a group.
void AddFlow(const models::FlowResult& f, std::vector<MetricValue>& out) {
  const std::string scope = "flow:" + f.flow;
  auto add = [&](const std::string& metric, double value) {
    out.push_back({scope, metric, value});
  };
  const auto count = [](std::uint64_t n) { return static_cast<double>(n); };
  add("started", count(f.started));
  add("completed", count(f.completed));
  add("compensated", count(f.compensated));
  add("inconsistent", count(f.inconsistent));
  add("stuck", count(f.stuck));
  add("failed", count(f.failed));
  add("gave_up", count(f.gave_up));
  add("steps_repeated", count(f.steps_repeated));
  add("compensations_repeated", count(f.compensations_repeated));
  add("compensations_missing", count(f.compensations_missing));
  add("messages", count(f.messages));
  add("responses_ok", count(f.responses_ok));
  add("responses_failed", count(f.responses_failed));
  add("unanswered", count(f.unanswered));
  const std::pair<const char*, const models::LatencySummary*> times[] = {
      {"response_time_ns", &f.response_time},
      {"completion_time_ns", &f.completion_time},
      {"compensation_time_ns", &f.compensation_time}};
  for (const auto& [name, summary] : times) {
    if (summary->count == 0) continue;  // nothing measured
    add(std::string(name) + ".p50", static_cast<double>(summary->p50));
    add(std::string(name) + ".p99", static_cast<double>(summary->p99));
    add(std::string(name) + ".max", static_cast<double>(summary->max));
  }
}

}  // namespace

std::vector<MetricValue> FlattenMetrics(const models::RunResult& result) {
  std::vector<MetricValue> out;
  for (const models::GroupResult& g : result.groups) AddGroup(g, out);
  for (const models::FlowResult& f : result.flows) AddFlow(f, out);
  for (const models::ProducerResult& p : result.producers) {
    const std::string scope = "producer:" + p.name;
    out.push_back({scope, "intended", static_cast<double>(p.intended)});
    out.push_back({scope, "sends", static_cast<double>(p.sends)});
    out.push_back({scope, "acknowledged", static_cast<double>(p.acknowledged)});
    out.push_back({scope, "gave_up", static_cast<double>(p.gave_up)});
  }
  out.push_back({"network", "packets_lost", static_cast<double>(result.packets_lost)});
  out.push_back({"network", "packets_duplicated", static_cast<double>(result.packets_duplicated)});
  out.push_back({"run", "events", static_cast<double>(result.events)});
  return out;
}

}  // namespace deliverysim::app
