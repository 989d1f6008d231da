// What a run measured, as plain values. The meaning of every field is in docs/METRICS.md.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/time.h"

namespace deliverysim::models {

struct SampledSummary {
  std::int64_t max = 0;
  double mean = 0;
  std::int64_t p99 = 0;
};

struct LatencySummary {
  std::uint64_t count = 0;  // messages processed; the quantiles mean nothing when 0
  std::int64_t p50 = 0;
  std::int64_t p90 = 0;
  std::int64_t p99 = 0;
  std::int64_t max = 0;
};

// One sample of a group's state over time, for plots of lag and throughput.
struct SeriesSample {
  sim::Time t = 0;
  std::int64_t lag_messages = 0;  // summed over the topic's partitions
  sim::Time lag_time = 0;         // age of the oldest unprocessed intent
  std::uint64_t processed = 0;    // distinct ids whose effect has run, so far
};

struct GroupResult {
  std::string group;
  std::string topic;
  std::string commit;
  std::uint64_t intended = 0;
  std::uint64_t lost = 0;
  std::uint64_t dead_lettered = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t duplicate_deliveries = 0;
  std::uint64_t duplicate_effects = 0;
  std::uint64_t out_of_order = 0;
  SampledSummary lag_messages;
  SampledSummary lag_time;  // nanoseconds
  LatencySummary latency;   // nanoseconds
  std::uint64_t rebalances = 0;
  std::uint64_t commits_refused = 0;
  std::vector<std::string> errors;  // instances stopped on an error, in the order they stopped
  std::uint64_t aborted_reads = 0;  // messages processed whose every copy was aborted
  // Entity state (consumers[].ordering), reported only for groups that keep it; see
  // docs/METRICS.md, "Entity state".
  bool has_entities = false;
  std::string ordering;
  std::uint64_t entities = 0;           // entities with at least one event processed
  std::uint64_t entities_matching = 0;  // final state = the state of their ordered stream
  std::uint64_t entities_diverged = 0;  // the others
  std::uint64_t events_dropped = 0;     // events the ordering strategy kept out of the table
  // Schema versions, reported only when a producer of the group's messages changes schema.
  bool has_schema_versions = false;
  std::uint64_t read_as_older_version = 0;     // distinct ids of an additive v2 read as v1
  std::uint64_t dead_lettered_unreadable = 0;  // distinct ids dead-lettered as unreadable
  // For sweeps and reports; the run's JSON and table leave these out.
  std::vector<SeriesSample> series;               // at most kMaxSeriesSamples, evenly spaced
  std::vector<std::int64_t> latency_percentiles;  // 0th to 100th; empty when none processed
  // Queue brokers only: how long the oldest message in the group's queue had been there,
  // sampled (nanoseconds).
  bool has_oldest_message_age = false;
  SampledSummary oldest_message_age;
};

// A run keeps at most this many series samples per group, so long runs stay small.
inline constexpr std::size_t kMaxSeriesSamples = 1000;

struct ProducerResult {
  std::string name;
  std::string topic;
  std::uint64_t intended = 0;
  std::uint64_t sends = 0;  // attempts, first sends included
  std::uint64_t acknowledged = 0;
  std::uint64_t gave_up = 0;
};

struct TopicResult {
  std::string name;
  std::vector<std::int64_t> log_end_offsets;  // per partition
  // Replication, reported only when the cluster has more than one broker.
  bool replicated = false;
  std::uint32_t replication = 1;
  std::vector<std::int64_t> high_watermarks = {};  // per partition
  std::int64_t acknowledged_lost = 0;              // acknowledged records missing from the leaders
  std::uint64_t elections = 0;
  std::uint64_t unclean_elections = 0;
  std::uint64_t offline_partitions = 0;  // with no leader at the end of the drain
  // Records whose message is earlier in the topic, not counting aborted transactions' records.
  std::uint64_t duplicate_records = 0;
  std::uint64_t aborted_records = 0;  // records of aborted transactions
};

// One queue of a queue broker (docs/METRICS.md, "Queue brokers").
struct QueueResult {
  std::string name;
  std::string type;  // "classic", "quorum" or "service-bus"
  bool durable = true;
  std::uint64_t enqueued = 0;          // copies routed into the queue, dead letters included
  std::uint64_t delivered = 0;         // deliveries sent to consumers, redeliveries included
  std::uint64_t redelivered = 0;       // of those, marked redelivered
  std::uint64_t acked = 0;             // deliveries acknowledged (manual acknowledgement)
  std::uint64_t requeued = 0;          // returns: nacks with requeue and closed connections
  std::uint64_t dead_lettered = 0;     // moved to the dead-letter exchange and routed on
  std::uint64_t discarded = 0;         // dead letters with nowhere to go: dropped
  std::uint64_t lost_in_restart = 0;   // messages a broker restart did not keep
  std::uint64_t consumer_crashes = 0;  // of the instances consuming it, poison ones included
  // Service-Bus-style queues only (0 otherwise).
  std::uint64_t lock_expiries = 0;          // locks that ran out before a settlement
  std::uint64_t completions_lock_lost = 0;  // completions that came after their lock expired
  std::uint64_t duplicates_detected = 0;    // sends dropped by duplicate detection
  std::uint64_t handler_retries = 0;  // retries of failing messages inside consumers' handlers
  std::uint64_t ready_at_end = 0;
  std::uint64_t unacked_at_end = 0;
};

struct QueueBrokerResult {
  std::uint64_t unroutable_dropped = 0;  // published, routed to no queue, not mandatory
  std::uint64_t returned = 0;            // published as mandatory, routed to no queue
  std::uint64_t restarts = 0;
  std::uint64_t dropped_while_down = 0;  // packets that reached the broker while it was down
  // Packets reaching the broker (publishes, acknowledgements, subscriptions...) in each
  // interval of incoming_interval from time 0, up to the last interval with any.
  sim::Time incoming_interval = 0;
  std::vector<std::uint64_t> incoming_requests;
  std::vector<QueueResult> queues;
};

// What became of the instances of one business flow (docs/METRICS.md, "Flows").
struct FlowResult {
  std::string flow;
  std::string style;
  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t compensated = 0;
  std::uint64_t inconsistent = 0;
  std::uint64_t stuck = 0;
  // Stuck flows by the step they stopped at, in step order; steps with none are left out.
  std::vector<std::pair<std::string, std::uint64_t>> stuck_at;
  std::uint64_t failed = 0;          // flows one of whose steps failed
  std::uint64_t gave_up = 0;         // orchestration: commands given up after max_attempts sends
  std::uint64_t steps_repeated = 0;  // step effects beyond the first, all flows
  std::uint64_t compensations_repeated = 0;  // compensation effects beyond the first
  std::uint64_t compensations_missing = 0;   // done steps a failed flow left undone
  std::uint64_t messages = 0;  // published for the flow: starts, events, commands, resends
  // What the user who started a flow waited for: the start's acknowledgement (event styles)
  // or the call chain's answer (request-response).
  LatencySummary response_time;
  std::uint64_t responses_ok = 0;
  std::uint64_t responses_failed = 0;
  std::uint64_t unanswered = 0;      // started flows whose user had no answer by the end
  LatencySummary completion_time;    // start to the last step's effect, completed flows
  LatencySummary compensation_time;  // start to the last compensation, compensated flows
};

struct RunResult {
  std::string scenario;
  std::uint64_t seed = 0;
  sim::Time duration = 0;
  sim::Time drain = 0;
  std::vector<GroupResult> groups;
  std::vector<ProducerResult> producers;
  std::vector<TopicResult> topics;
  std::uint64_t packets_lost = 0;
  std::uint64_t packets_duplicated = 0;
  std::uint64_t events = 0;       // engine events run; depends on the model, not on the machine
  bool has_queue_broker = false;  // the scenario's broker is `kind: queue`
  QueueBrokerResult queue_broker;
  std::vector<FlowResult> flows;
};

}  // namespace deliverysim::models
