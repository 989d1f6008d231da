#include "app/report_json.h"

#include <nlohmann/json.hpp>

#include "app/version.h"

namespace deliverysim::app {

namespace {
using Json = nlohmann::ordered_json;  // keeps the documented key order

Json Summary(const models::SampledSummary& s) {
  return Json{{"max", s.max}, {"mean", s.mean}, {"p99", s.p99}};
}

// With nothing processed there is no latency to report: null, not zero.
Json Latency(const models::LatencySummary& l) {
  if (l.count == 0)
    return Json{{"p50", nullptr}, {"p90", nullptr}, {"p99", nullptr}, {"max", nullptr}};
  return Json{{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"max", l.max}};
}

Json Group(const models::GroupResult& g) {
  Json group{
      {"topic", g.topic},
      {"commit", g.commit},
      {"intended", g.intended},
      {"lost", g.lost},
      {"dead_lettered", g.dead_lettered},
      {"deliveries", g.deliveries},
      {"duplicate_deliveries", g.duplicate_deliveries},
      {"duplicate_effects", g.duplicate_effects},
      {"out_of_order", g.out_of_order},
      {"lag_messages", Summary(g.lag_messages)},
      {"lag_time_ns", Summary(g.lag_time)},
      {"latency_ns", Latency(g.latency)},
      {"rebalances", g.rebalances},
      {"commits_refused", g.commits_refused},
      {"aborted_reads", g.aborted_reads},
      {"errors", g.errors},
  };
  // Queue brokers only, so that log-broker output is unchanged.
  if (g.has_oldest_message_age) group["oldest_message_age_ns"] = Summary(g.oldest_message_age);
  // Only groups that keep entity state, or read a topic whose schema changes, have these.
  if (g.has_entities) {
    group["entities"] = Json{{"ordering", g.ordering},
                             {"entities", g.entities},
                             {"matching", g.entities_matching},
                             {"diverged", g.entities_diverged},
                             {"events_dropped", g.events_dropped}};
  }
  if (g.has_schema_versions) {
    group["schema_versions"] = Json{{"read_as_older_version", g.read_as_older_version},
                                    {"dead_lettered_unreadable", g.dead_lettered_unreadable}};
  }
  return group;
}

Json Flow(const models::FlowResult& flow) {
  Json stuck_at = Json::object();
  for (const auto& [step, count] : flow.stuck_at) stuck_at[step] = count;
  return Json{{"flow", flow.flow},
              {"style", flow.style},
              {"started", flow.started},
              {"completed", flow.completed},
              {"compensated", flow.compensated},
              {"inconsistent", flow.inconsistent},
              {"stuck", flow.stuck},
              {"stuck_at", stuck_at},
              {"failed", flow.failed},
              {"gave_up", flow.gave_up},
              {"steps_repeated", flow.steps_repeated},
              {"compensations_repeated", flow.compensations_repeated},
              {"compensations_missing", flow.compensations_missing},
              {"messages", flow.messages},
              {"responses_ok", flow.responses_ok},
              {"responses_failed", flow.responses_failed},
              {"unanswered", flow.unanswered},
              {"response_time_ns", Latency(flow.response_time)},
              {"completion_time_ns", Latency(flow.completion_time)},
              {"compensation_time_ns", Latency(flow.compensation_time)}};
}

Json QueueBroker(const models::QueueBrokerResult& broker) {
  Json queues = Json::object();
  for (const models::QueueResult& q : broker.queues) {
    queues[q.name] = Json{{"type", q.type},
                          {"durable", q.durable},
                          {"enqueued", q.enqueued},
                          {"delivered", q.delivered},
                          {"redelivered", q.redelivered},
                          {"acked", q.acked},
                          {"requeued", q.requeued},
                          {"dead_lettered", q.dead_lettered},
                          {"discarded", q.discarded},
                          {"lost_in_restart", q.lost_in_restart},
                          {"consumer_crashes", q.consumer_crashes},
                          {"lock_expiries", q.lock_expiries},
                          {"completions_lock_lost", q.completions_lock_lost},
                          {"duplicates_detected", q.duplicates_detected},
                          {"handler_retries", q.handler_retries},
                          {"ready_at_end", q.ready_at_end},
                          {"unacked_at_end", q.unacked_at_end}};
  }
  return Json{{"unroutable_dropped", broker.unroutable_dropped},
              {"returned", broker.returned},
              {"restarts", broker.restarts},
              {"dropped_while_down", broker.dropped_while_down},
              {"incoming_interval_ns", broker.incoming_interval},
              {"incoming_requests", broker.incoming_requests},
              {"queues", queues}};
}
}  // namespace

std::string RunResultToJson(const models::RunResult& result) {
  Json groups = Json::object();
  for (const models::GroupResult& g : result.groups) groups[g.group] = Group(g);
  Json producers = Json::object();
  for (const models::ProducerResult& p : result.producers) {
    producers[p.name] = Json{{"topic", p.topic},
                             {"intended", p.intended},
                             {"sends", p.sends},
                             {"acknowledged", p.acknowledged},
                             {"gave_up", p.gave_up}};
  }
  Json topics = Json::object();
  for (const models::TopicResult& t : result.topics) {
    topics[t.name] = Json{{"log_end_offsets", t.log_end_offsets},
                          {"duplicate_records", t.duplicate_records},
                          {"aborted_records", t.aborted_records}};
    if (!t.replicated) continue;  // a single broker's output keeps its original form
    Json& topic = topics[t.name];
    topic["replication"] = t.replication;
    topic["high_watermarks"] = t.high_watermarks;
    topic["acknowledged_lost"] = t.acknowledged_lost;
    topic["elections"] = t.elections;
    topic["unclean_elections"] = t.unclean_elections;
    topic["offline_partitions"] = t.offline_partitions;
  }
  Json root{
      {"schema", kRunSchema},
      {"version", kVersion},
      {"scenario", result.scenario},
      {"seed", result.seed},
      {"duration_ns", result.duration},
      {"drain_ns", result.drain},
      {"groups", groups},
      {"producers", producers},
      {"topics", topics},
      {"network", Json{{"packets_lost", result.packets_lost},
                       {"packets_duplicated", result.packets_duplicated}}},
      {"events", result.events},
  };
  // Only queue-broker runs have this key, so log-broker output is unchanged.
  if (result.has_queue_broker) root["queue_broker"] = QueueBroker(result.queue_broker);
  // Likewise only scenarios with flows have this key.
  if (!result.flows.empty()) {
    Json flows = Json::array();
    for (const models::FlowResult& flow : result.flows) flows.push_back(Flow(flow));
    root["flows"] = flows;
  }
  return root.dump(2) + "\n";
}

}  // namespace deliverysim::app
