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
}

}  // namespace

std::vector<MetricValue> FlattenMetrics(const models::RunResult& result) {
  std::vector<MetricValue> out;
  for (const models::GroupResult& g : result.groups) AddGroup(g, out);
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
