// A scenario: the system to simulate and the faults to inject, as plain values. app/ builds one
// from a YAML file; the models read it and never see YAML.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/retry_policy.h"
#include "sim/distribution.h"
#include "sim/time.h"

namespace deliverysim::models {

enum class Arrivals { kConstant, kPoisson };

enum class CommitStrategy {
  kBeforeProcessing,  // commit the batch, then process it: at-most-once
  kAfterProcessing,   // process the batch, then commit it: at-least-once
  kAutoCommitOnPoll,  // Java client: each poll commits what the previous poll returned
  kAutoCommitTimer,   // librdkafka: a timer commits offsets stored at hand-over
  kInbox,             // after-processing plus an inbox table: exactly-once effects
};

enum class OffsetReset { kEarliest, kLatest };

// Where a crash fault strikes a consumer instance. kAtTime strikes wherever the instance is.
enum class CrashStep {
  kAtTime,
  kBeforeEffect,            // a record was handed to the handler; its effect has not run
  kMidProcessing,           // halfway through the processing of a record
  kAfterEffect,             // a side effect has just run
  kBeforeCommit,            // a commit is about to be sent
  kAfterCommit,             // a commit has just been accepted
  kBetweenEffectAndCommit,  // whichever of the two above splits an effect from its commit
};

struct TopicConfig {
  std::string name;
  std::uint32_t partitions = 1;
};

struct ProducerConfig {
  std::string name;
  std::string topic;
  double rate_per_second = 1;
  Arrivals arrivals = Arrivals::kConstant;
  std::uint32_t keys = 0;          // 0: messages carry no key and go round-robin
  double zipf_exponent = 0;        // 0: keys equally popular
  int acks = -1;                   // 0, 1, or -1 for "all"
  std::uint32_t max_attempts = 0;  // 0: retry until acknowledged
  sim::Time request_timeout = 30 * sim::kSecond;
  sim::Time retry_backoff = 100 * sim::kMillisecond;
  // Queue brokers only (docs/SCENARIOS.md, "Queue brokers"). The producer publishes to
  // `exchange` with `routing_key`; acks 0 means no publisher confirms.
  std::string exchange;
  std::string routing_key;
  bool mandatory = false;  // an unroutable message is returned rather than dropped
  bool persistent = true;  // survives a broker restart in a durable queue
  double poison = 0;       // fraction of messages that no handler can process
};

// ---- Queue brokers (RabbitMQ-style) -------------------------------------------------------

enum class BrokerKind { kLog, kQueue, kServiceBus };
enum class ExchangeType { kDirect, kFanout, kTopic };
enum class QueueType { kClassic, kQuorum };
enum class AckMode { kAuto, kManual };
// What a handler does with a poison message (ProducerConfig::poison).
enum class PoisonAction {
  kCrash,    // the process dies before it can acknowledge
  kRequeue,  // nack with requeue
  kReject,   // reject without requeue: dead-lettered, or discarded without a dead-letter exchange
  kRetry,    // retry in the handler by QueueConsumerConfig::retry, then reject
};

struct ExchangeConfig {
  std::string name;
  ExchangeType type = ExchangeType::kDirect;
};

struct QueueConfig {
  std::string name;
  QueueType type = QueueType::kClassic;
  bool durable = true;
  std::uint32_t delivery_limit = 0;  // quorum queues; 0: no limit
  std::string dead_letter_exchange;  // empty: none, so dead letters are discarded
  std::string dead_letter_routing_key;
  // Service-Bus-style queues (broker.kind: service-bus) only; a lock duration of 0 marks a
  // RabbitMQ-style queue.
  sim::Time lock_duration = 0;
  std::uint32_t max_delivery_count = 10;
  sim::Time duplicate_detection_window = 0;  // 0: duplicate detection off
  bool sessions = false;  // each key is a session id: FIFO per session under an exclusive lock
};

struct BindingConfig {
  std::string exchange;
  std::string queue;
  std::string key;  // direct: the exact routing key; topic: a pattern; fanout: ignored
};

// How a queue consumer group keeps an inbox table of processed ids.
enum class InboxMode {
  kNone,
  kAtomic,  // the id is recorded in the side effect's transaction: a repeat is skipped
  kNaive,   // check the table, run the effect, then record: repeats in flight slip through
};

struct QueueConsumerConfig {
  AckMode ack = AckMode::kManual;
  std::uint32_t prefetch = 0;   // unacknowledged deliveries per consumer; 0: unlimited
  std::uint32_t ack_every = 1;  // manual: one multiple-ack per this many processed messages
  PoisonAction on_poison = PoisonAction::kCrash;
  sim::Time restart_after = sim::kSecond;    // after a poison message killed the instance
  sim::Time reconnect_delay = sim::kSecond;  // between attempts to (re)subscribe
  std::uint32_t concurrency = 1;             // messages in process at once per instance
  InboxMode inbox = InboxMode::kNone;
  RetryPolicyConfig retry;            // handler retries of a failing message (on_poison: retry)
  bool has_reconnect_policy = false;  // otherwise a fixed reconnect_delay
  RetryPolicyConfig reconnect;        // delays between attempts to subscribe
};

struct QueueBrokerConfig {
  std::vector<ExchangeConfig> exchanges;
  std::vector<QueueConfig> queues;
  std::vector<BindingConfig> bindings;
};

struct ConsumerGroupConfig {
  std::string group;
  std::string topic;
  std::uint32_t instances = 1;
  sim::Distribution processing = sim::Distribution::Constant(0);
  CommitStrategy commit = CommitStrategy::kAfterProcessing;
  sim::Time auto_commit_interval = 5 * sim::kSecond;
  std::uint32_t max_poll_records = 500;
  sim::Time fetch_max_wait = 500 * sim::kMillisecond;
  sim::Time session_timeout = 45 * sim::kSecond;
  sim::Time request_timeout = 30 * sim::kSecond;
  OffsetReset auto_offset_reset = OffsetReset::kLatest;
  QueueConsumerConfig queue;  // queue brokers only; `topic` then names the queue
};

// Properties of the one-way link from `from` to `to`.
struct LinkConfig {
  std::string from;
  std::string to;
  bool has_latency = false;  // otherwise the network's default latency
  sim::Distribution latency;
  double loss = 0;
  double duplicate = 0;
};

struct NetworkConfig {
  sim::Distribution latency = sim::Distribution::Constant(sim::kMillisecond);
  std::vector<LinkConfig> links;
};

struct CrashFault {
  std::string target;  // a producer or a consumer instance
  sim::Time at = 0;    // the time, or for a step, the earliest time it may strike
  CrashStep step = CrashStep::kAtTime;
  sim::Time restart_after = sim::kForever;  // kForever: stays down
};

// Extra loss, duplication and delay on one-way links for a window of time.
struct LinkFault {
  std::string from;
  std::string to;
  sim::Time start = 0;
  sim::Time end = sim::kForever;  // faults stop when the drain period begins in any case
  double loss = 0;
  double duplicate = 0;
  bool has_delay = false;
  sim::Distribution delay;
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  sim::Time duration = 0;
  sim::Time drain = 0;
  sim::Time sample_interval = 100 * sim::kMillisecond;
  sim::Time initial_rebalance_delay = 3 * sim::kSecond;
  std::vector<TopicConfig> topics;
  std::vector<ProducerConfig> producers;
  std::vector<ConsumerGroupConfig> consumers;
  NetworkConfig network;
  std::vector<CrashFault> crashes;
  std::vector<LinkFault> link_faults;
  BrokerKind broker_kind = BrokerKind::kLog;
  QueueBrokerConfig queue_broker;  // kQueue and kServiceBus
};

// The index of the topic called `name` in scenario.topics. REQUIRES: it exists (the loader
// checks every reference).
std::uint32_t TopicIndex(const Scenario& scenario, const std::string& name);

// The name of instance `index` (0-based) of a consumer group: "billing-1" for index 0.
std::string InstanceName(const std::string& group, std::uint32_t index);

// The stable names used in scenario files; CommitStrategyName(kInbox) == "inbox".
const char* CommitStrategyName(CommitStrategy strategy);
const char* CrashStepName(CrashStep step);
const char* AckModeName(AckMode mode);
// Service Bus's names: "peek-lock" (manual) and "receive-and-delete" (automatic).
const char* ReceiveModeName(AckMode mode);
const char* QueueTypeName(QueueType type);

// The name a crash fault uses for the queue broker.
inline constexpr const char* kBrokerName = "broker";

}  // namespace deliverysim::models
