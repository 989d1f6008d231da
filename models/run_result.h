// What a run measured, as plain values. The meaning of every field is in docs/METRICS.md.
#pragma once

#include <cstdint>
#include <string>
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
  // For sweeps and reports; the run's JSON and table leave these out.
  std::vector<SeriesSample> series;               // at most kMaxSeriesSamples, evenly spaced
  std::vector<std::int64_t> latency_percentiles;  // 0th to 100th; empty when none processed
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
  // Records whose message is earlier in the topic, not counting aborted transactions' records.
  std::uint64_t duplicate_records = 0;
  std::uint64_t aborted_records = 0;  // records of aborted transactions
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
  std::uint64_t events = 0;  // engine events run; depends on the model, not on the machine
};

}  // namespace deliverysim::models
