// A scenario: the system to simulate and the faults to inject, as plain values. app/ builds one
// from a YAML file; the models read it and never see YAML.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/message.h"
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
  // Consume-transform-produce: each batch's outputs and its input offsets commit in one
  // transaction (needs produce_to).
  kTransactional,
};

// What a consumer does when it has no committed offset, or its offset is no longer in the log
// (auto.offset.reset): start at the log start, at the log end, or stop with an error.
enum class OffsetReset { kEarliest, kLatest, kNone };

// How a producer picks a record's partition (Kafka's partitioner.class and an explicit
// ProducerRecord partition).
enum class Partitioner {
  kDefault,     // keyed: hash of the key; keyless: sticky (Kafka's built-in partitioner)
  kKeyHash,     // hash of the key; a keyless record falls back to sticky
  kRoundRobin,  // every record to the next partition, key or not (RoundRobinPartitioner)
  kSticky,      // fill a batch on one partition, then switch at random, key or not
  kExplicit,    // every record to explicit_partition
};

// How a producer's application gets its events to the broker alongside its own database.
enum class PublishMode {
  kDirect,     // the application only publishes; the intent is the publish
  kDualWrite,  // commit the business transaction, then publish: a crash between loses the event
  kOutbox,     // commit the event as an outbox row with the business change; a relay publishes
};

// Where a crash fault strikes. kAtTime strikes wherever the component is; the others are
// steps of a consumer instance, except the last two, which are a producer's.
enum class CrashStep {
  kAtTime,
  kBeforeEffect,            // a record was handed to the handler; its effect has not run
  kMidProcessing,           // halfway through the processing of a record
  kAfterEffect,             // a side effect has just run
  kBeforeCommit,            // a commit is about to be sent
  kAfterCommit,             // a commit has just been accepted
  kBetweenEffectAndCommit,  // whichever of the two above splits an effect from its commit
  kAfterDatabaseCommit,     // producer: a business transaction committed, nothing published yet
  kAfterPublish,            // outbox relay: a round was acknowledged, its rows not yet deleted
};

// How a consumer group's handler treats an event that arrives for an entity whose state
// already reflects other events (docs/SCENARIOS.md, "Event order and schema versions").
enum class OrderingStrategy {
  kApply,           // every event overwrites the entity's state, in the order it comes
  kVersion,         // an event whose sequence is not above the state's is dropped
  kPrecedence,      // a higher-ranked event kind wins; within one kind, the newer version
  kLastWriterWins,  // the event with the later producer timestamp wins; a tie keeps the state
};

// How a producer's schema version 2 relates to version 1.
enum class SchemaChange {
  kNone,      // the producer stays at version 1
  kAdditive,  // v2 adds optional fields: a reader of v1 can still read it, as v1
  kBreaking,  // v2 renames or retypes fields: only a reader of v2 can read it
};

struct TopicConfig {
  std::string name;
  std::uint32_t partitions = 1;
  // Retention deletes whole segments that are not the active (newest) one: those whose last
  // record was appended more than `retention` ago, and the oldest while the log beyond them
  // still holds `retention_records`. Kafka's retention.ms, retention.bytes and segment.bytes,
  // counted in records.
  sim::Time retention = 168 * 3600 * sim::kSecond;
  std::uint64_t retention_records = 0;  // 0: no limit on size
  std::uint64_t segment_records = 1'000'000;
  // Replication over the cluster's brokers (Scenario::brokers); see partition_replication.h.
  std::uint32_t replication = 1;
  std::uint32_t min_insync_replicas = 1;
  bool unclean_leader_election = false;
  sim::Time replica_lag_max = 30 * sim::kSecond;  // Kafka's replica.lag.time.max.ms default
};

struct ProducerConfig {
  std::string name;
  std::string topic;
  double rate_per_second = 1;
  Arrivals arrivals = Arrivals::kConstant;
  std::uint32_t keys = 0;          // 0: messages carry no key and go round-robin
  double zipf_exponent = 0;        // 0: keys equally popular
  int acks = -1;                   // 0, 1, or -1 for "all"
  std::uint32_t max_attempts = 0;  // 0: retry until acknowledged or delivery_timeout
  sim::Time request_timeout = 30 * sim::kSecond;
  sim::Time retry_backoff = 100 * sim::kMillisecond;
  // With has_retry_policy, the delay before each retry of a batch comes from `retry` by the
  // batch's sends so far (its max_attempts is unused: max_attempts above counts); otherwise
  // it is retry_backoff.
  bool has_retry_policy = false;
  RetryPolicyConfig retry;
  // Kafka 4.x producer defaults, with batch size counted in records rather than bytes.
  Partitioner partitioner = Partitioner::kDefault;
  std::uint32_t explicit_partition = 0;
  std::uint32_t batch_size = 16;
  sim::Time linger = 5 * sim::kMillisecond;
  std::uint32_t max_in_flight = 5;  // requests per connection awaiting a reply
  // Kafka's client closes the connection when a request times out, failing every request in
  // flight on it; a queue publisher republishes only the message whose confirm is overdue.
  bool timeout_closes_connection = true;
  sim::Time delivery_timeout = 120 * sim::kSecond;
  bool idempotence = false;  // the loader applies Kafka's default (on, unless acks etc. conflict)
  // Transactions: a non-empty id makes the producer transactional (idempotence included); the
  // application commits a transaction every transaction_records intents.
  std::string transactional_id;
  std::uint32_t transaction_records = 10;
  PublishMode publish = PublishMode::kDirect;
  sim::Time relay_poll_interval = 100 * sim::kMillisecond;  // outbox: how often the relay polls
  std::uint32_t relay_batch = 100;                          // outbox: most rows per round
  // Queue brokers only (docs/SCENARIOS.md, "Queue brokers"). The producer publishes to
  // `exchange` with `routing_key`; acks 0 means no publisher confirms.
  std::string exchange;
  std::string routing_key;
  bool mandatory = false;  // an unroutable message is returned rather than dropped
  bool persistent = true;  // survives a broker restart in a durable queue
  double poison = 0;       // fraction of messages that no handler can process
  // Log brokers: the flow (Scenario::flows) each message starts; -1: none.
  std::int32_t starts_flow = -1;
  // The flow is request-response: each intent is a user's request, made by a call rather
  // than published, so the producer sends nothing to the broker.
  bool calls_instead = false;
  EventType event_type = kUntypedEvent;  // of every message it publishes
  // Event kinds (log broker): the kind of an entity's event with sequence s is
  // event_script[s], or the script's last kind past its end. Empty: untyped events.
  std::vector<EventType> event_script;
  // Schema versions (log broker): intents from schema_v2_at on are serialised as version 2.
  SchemaChange schema_change = SchemaChange::kNone;
  sim::Time schema_v2_at = 0;
};

// ---- Queue brokers (RabbitMQ-style) -------------------------------------------------------

enum class BrokerKind { kLog, kQueue, kServiceBus };
enum class ExchangeType { kDirect, kFanout, kTopic };
enum class QueueType { kClassic, kQuorum };
enum class AckMode { kAuto, kManual };
// What a handler does with a poison message (ProducerConfig::poison) and with an attempt that
// fails transiently (QueueConsumerConfig::failure).
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
  // Each handler attempt of any message fails, independently, with this probability (a
  // transient failure, such as a timed-out call downstream); a failed attempt takes the
  // on_poison path as a poison message does. Drawn from the instance's own stream.
  double failure = 0;
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

// ---- Services and business flows (log broker) ---------------------------------------------

// What a rule of a service does for the flow it belongs to, so that the flow's metrics can
// tell a step's effect from a compensation's.
enum class RuleRole : std::uint8_t { kPlain, kStep, kCompensation };

// How a service reacts to one event type it consumes. Whether it fails and whether it emits
// are properties of the message (drawn from its identity), not of the attempt: a redelivered
// payment request is declined again, as the real card would be.
struct ServiceRule {
  EventType on = kUntypedEvent;
  EventType emit = kUntypedEvent;        // kUntypedEvent: emits nothing
  double probability = 1;                // that it emits, when it does not fail
  double failure = 0;                    // that the business step fails
  EventType on_failure = kUntypedEvent;  // emitted instead when it fails
  sim::Time delay = 0;                   // handler time on top of the group's processing
  std::int32_t flow = -1;                // the flow whose step or compensation this is
  std::uint32_t step = 0;
  RuleRole role = RuleRole::kPlain;
};

// A consumer group that acts on what it consumes: it runs the rule of each event's type and
// publishes what the rule emits to the group's produce_to topic, as new messages.
struct ServiceConfig {
  std::vector<ServiceRule> rules;
  PublishMode publish = PublishMode::kDualWrite;  // how emitted events leave its database
  std::int32_t orchestrates = -1;                 // the flow this group orchestrates; -1: none
  // Queue brokers: a service publishes to the exchange its group's produce_to names, with
  // this routing key (Service Bus: produce_to names the queue, the key is set to it).
  std::string routing_key;
  bool active() const { return !rules.empty() || orchestrates >= 0; }
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
  // The group existed before the run and had committed offset 0 on every partition, so that
  // auto_offset_reset matters only once retention deletes past its position.
  bool existing_group = false;
  bool read_committed = false;  // isolation.level; Kafka's default is read_uncommitted
  // Consume-transform-produce: each processed record is forwarded, same message, to this
  // topic by a producer client inside each instance. Empty: the group produces nothing.
  std::string produce_to;
  QueueConsumerConfig queue;  // queue brokers only; `topic` then names the queue
  ServiceConfig service;      // log brokers only
  bool generated = false;     // made by a flow (FlowConfig), not written in the scenario
  // Entity state (log broker): with keeps_entities the group's handler writes each event into
  // an entity table by `ordering`; `precedence` ranks event kinds, the strongest first.
  bool keeps_entities = false;
  OrderingStrategy ordering = OrderingStrategy::kApply;
  std::vector<EventType> precedence;
  // The schema versions the group's code can read (1, 2 or both).
  bool reads_schema_v1 = true;
  bool reads_schema_v2 = true;
};

enum class FlowStyle { kChoreography, kOrchestration, kRequestResponse };

// One step of a business flow and the event types that carry it.
struct FlowStep {
  std::string name;                                // "take-payment"
  std::string service;                             // the consumer group that performs it
  double failure = 0;                              // that the step fails for a given flow
  std::string compensation;                        // "refund"; empty: nothing to undo
  EventType command = kUntypedEvent;               // orchestration: "take-payment.command"
  EventType done = kUntypedEvent;                  // "take-payment.done"
  EventType failed = kUntypedEvent;                // "take-payment.failed"
  EventType compensation_command = kUntypedEvent;  // orchestration: "refund.command"
  EventType compensated = kUntypedEvent;           // "refund.done"
};

// A business flow: a producer's message starts one instance, which runs the steps in order;
// when a step fails, the steps already done are compensated. Its services are consumer groups
// made from the flow (models/flow_plan.h).
struct FlowConfig {
  std::string name;
  FlowStyle style = FlowStyle::kChoreography;
  std::string starter;         // the producer whose every message starts one flow
  std::string events_topic;    // every event; orchestration: the starts and the replies
  std::string commands_topic;  // orchestration: the orchestrator's commands
  std::vector<FlowStep> steps;
  EventType started = kUntypedEvent;     // "order.started"
  sim::Time timeout = 5 * sim::kSecond;  // orchestration: for a reply, before sending again
  std::uint32_t max_attempts = 3;        // orchestration: sends of one command
  ConsumerGroupConfig services;          // settings shared by the groups made from the flow
  std::map<std::string, ConsumerGroupConfig> service_settings;  // by service, where they differ
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
  std::string target;  // a producer, a consumer instance, or a broker node of a cluster
  sim::Time at = 0;    // the time, or for a step, the earliest time it may strike
  CrashStep step = CrashStep::kAtTime;
  sim::Time restart_after = sim::kForever;  // kForever: stays down
};

// A consumer instance leaving its group on purpose (a deployment, a scale-in) or joining late
// (a scale-out). Unlike a crash, a leave finishes the batch in hand, commits as the strategy
// would, and tells the coordinator, which rebalances at once.
struct MembershipChange {
  enum class Kind { kLeave, kJoin };
  Kind kind = Kind::kLeave;
  std::string target;  // a consumer instance
  sim::Time at = 0;
  sim::Time rejoin_after = sim::kForever;  // leaves only; kForever: stays out
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

// From `at` on, a producer's clock reads real time plus `offset` (negative: behind). Only the
// timestamps it puts on its events see it (OrderingStrategy::kLastWriterWins).
struct ClockSkewFault {
  std::string producer;
  sim::Time at = 0;
  sim::Time offset = 0;
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  sim::Time duration = 0;
  sim::Time drain = 0;
  sim::Time sample_interval = 100 * sim::kMillisecond;
  sim::Time initial_rebalance_delay = 3 * sim::kSecond;
  sim::Time retention_check_interval = 5 * 60 * sim::kSecond;  // log.retention.check.interval
  sim::Time transaction_timeout = 60 * sim::kSecond;  // transaction.timeout.ms: then aborted
  std::uint32_t brokers = 1;  // 1: one node called "broker"; more: broker-1 ... broker-N
  std::vector<TopicConfig> topics;
  std::vector<ProducerConfig> producers;
  std::vector<ConsumerGroupConfig> consumers;
  NetworkConfig network;
  std::vector<CrashFault> crashes;
  std::vector<MembershipChange> membership_changes;
  std::vector<LinkFault> link_faults;
  std::vector<ClockSkewFault> clock_skews;
  BrokerKind broker_kind = BrokerKind::kLog;
  QueueBrokerConfig queue_broker;  // kQueue and kServiceBus
  // The names of the event types the scenario uses; Record::event_type indexes it, and entry 0
  // (kUntypedEvent) is "" for messages with no declared type.
  std::vector<std::string> event_types{""};
  std::vector<FlowConfig> flows;
};

// Messages get ids from the ledger per source: the scenario's producers first, then one per
// consumer group, for the events a service emits (ServiceConfig).
inline std::size_t MessageSources(const Scenario& scenario) {
  return scenario.producers.size() + scenario.consumers.size();
}
// The publisher a queue-broker service's instances use: its group's exchange and routing key,
// with confirms, sending each message as it comes as every queue publisher does.
ProducerConfig QueueServicePublisher(const Scenario& scenario, std::uint32_t group);

// What the teaching views need of message source `source`: a scenario producer's config, or
// for a service's events one that names the service's group, its produce_to topic and acks all.
ProducerConfig SourceConfig(const Scenario& scenario, std::uint32_t source);

// The ledger's source number of the events that consumer group `group` emits.
inline std::uint32_t EmitterSource(const Scenario& scenario, std::uint32_t group) {
  return static_cast<std::uint32_t>(scenario.producers.size() + group);
}

// The index of the topic called `name` in scenario.topics. REQUIRES: it exists (the loader
// checks every reference).
std::uint32_t TopicIndex(const Scenario& scenario, const std::string& name);
// The same, or -1 when there is no such topic (a queue broker's producers and groups name
// exchanges and queues instead).
std::int64_t FindTopic(const Scenario& scenario, const std::string& name);

// The index of event type `name` in scenario.event_types, added if it is new. Loaders call it
// so that every part of a scenario naming the same type gets the same index.
EventType InternEventType(Scenario& scenario, const std::string& name);

// The name of instance `index` (0-based) of a consumer group: "billing-1" for index 0.
std::string InstanceName(const std::string& group, std::uint32_t index);

// The name of broker node `index` (0-based) in a cluster of `brokers`: "broker" when there is
// one, else "broker-1" for index 0.
std::string BrokerName(std::uint32_t brokers, std::uint32_t index);

// The stable names used in scenario files; CommitStrategyName(kInbox) == "inbox".
const char* CommitStrategyName(CommitStrategy strategy);
const char* CrashStepName(CrashStep step);
const char* PartitionerName(Partitioner partitioner);
const char* PublishModeName(PublishMode mode);
const char* FlowStyleName(FlowStyle style);
const char* AckModeName(AckMode mode);
// Service Bus's names: "peek-lock" (manual) and "receive-and-delete" (automatic).
const char* ReceiveModeName(AckMode mode);
const char* QueueTypeName(QueueType type);
// "apply", "version", "precedence" or "last-writer-wins".
const char* OrderingStrategyName(OrderingStrategy strategy);

// The name a crash fault uses for the queue broker.
inline constexpr const char* kBrokerName = "broker";

}  // namespace deliverysim::models
