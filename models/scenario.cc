#include "models/scenario.h"

#include <cassert>

namespace deliverysim::models {

std::uint32_t TopicIndex(const Scenario& scenario, const std::string& name) {
  for (std::uint32_t t = 0; t < scenario.topics.size(); ++t) {
    if (scenario.topics[t].name == name) return t;
  }
  assert(false && "the loader checks that every topic named exists");
  return 0;
}

std::int64_t FindTopic(const Scenario& scenario, const std::string& name) {
  for (std::size_t t = 0; t < scenario.topics.size(); ++t) {
    if (scenario.topics[t].name == name) return static_cast<std::int64_t>(t);
  }
  return -1;
}

ProducerConfig QueueServicePublisher(const Scenario& scenario, std::uint32_t group) {
  const ConsumerGroupConfig& config = scenario.consumers[group];
  ProducerConfig publisher;
  publisher.name = config.group;
  publisher.exchange = scenario.broker_kind == BrokerKind::kServiceBus ? "" : config.produce_to;
  publisher.routing_key = config.service.routing_key;
  publisher.acks = -1;  // confirms: a service republishes what the broker did not confirm
  publisher.linger = 0;
  publisher.batch_size = 1;
  publisher.max_in_flight = 1'000'000;
  publisher.idempotence = false;
  publisher.delivery_timeout = sim::kForever;
  publisher.timeout_closes_connection = false;
  publisher.publish = config.service.publish;
  return publisher;
}

ProducerConfig SourceConfig(const Scenario& scenario, std::uint32_t source) {
  if (source < scenario.producers.size()) return scenario.producers[source];
  ProducerConfig config;
  const std::size_t group = source - scenario.producers.size();
  if (group < scenario.consumers.size()) {
    if (scenario.broker_kind != BrokerKind::kLog) {
      return QueueServicePublisher(scenario, static_cast<std::uint32_t>(group));
    }
    config.name = scenario.consumers[group].group;
    config.topic = scenario.consumers[group].produce_to;
  }
  return config;
}

const char* FlowStyleName(FlowStyle style) {
  switch (style) {
    case FlowStyle::kChoreography: return "choreography";
    case FlowStyle::kOrchestration: return "orchestration";
    case FlowStyle::kRequestResponse: return "request-response";
  }
  return "?";
}

EventType InternEventType(Scenario& scenario, const std::string& name) {
  for (std::size_t i = 1; i < scenario.event_types.size(); ++i) {
    if (scenario.event_types[i] == name) return static_cast<EventType>(i);
  }
  scenario.event_types.push_back(name);
  return static_cast<EventType>(scenario.event_types.size() - 1);
}

std::string InstanceName(const std::string& group, std::uint32_t index) {
  return group + "-" + std::to_string(index + 1);
}

std::string BrokerName(std::uint32_t brokers, std::uint32_t index) {
  return brokers == 1 ? "broker" : "broker-" + std::to_string(index + 1);
}

const char* CommitStrategyName(CommitStrategy strategy) {
  switch (strategy) {
    case CommitStrategy::kBeforeProcessing: return "before-processing";
    case CommitStrategy::kAfterProcessing: return "after-processing";
    case CommitStrategy::kAutoCommitOnPoll: return "auto-commit-on-poll";
    case CommitStrategy::kAutoCommitTimer: return "auto-commit-timer";
    case CommitStrategy::kInbox: return "inbox";
    case CommitStrategy::kTransactional: return "transactional";
  }
  return "?";
}

const char* CrashStepName(CrashStep step) {
  switch (step) {
    case CrashStep::kAtTime: return "at-time";
    case CrashStep::kBeforeEffect: return "before-effect";
    case CrashStep::kMidProcessing: return "mid-processing";
    case CrashStep::kAfterEffect: return "after-effect";
    case CrashStep::kBeforeCommit: return "before-commit";
    case CrashStep::kAfterCommit: return "after-commit";
    case CrashStep::kBetweenEffectAndCommit: return "between-effect-and-commit";
    case CrashStep::kAfterDatabaseCommit: return "after-db-commit";
    case CrashStep::kAfterPublish: return "after-publish";
  }
  return "?";
}

const char* PublishModeName(PublishMode mode) {
  switch (mode) {
    case PublishMode::kDirect: return "direct";
    case PublishMode::kDualWrite: return "dual-write";
    case PublishMode::kOutbox: return "outbox";
  }
  return "?";
}

const char* PartitionerName(Partitioner partitioner) {
  switch (partitioner) {
    case Partitioner::kDefault: return "default";
    case Partitioner::kKeyHash: return "key-hash";
    case Partitioner::kRoundRobin: return "round-robin";
    case Partitioner::kSticky: return "sticky";
    case Partitioner::kExplicit: return "explicit";
  }
  return "?";
}

const char* AckModeName(AckMode mode) { return mode == AckMode::kAuto ? "auto-ack" : "manual-ack"; }

const char* ReceiveModeName(AckMode mode) {
  return mode == AckMode::kAuto ? "receive-and-delete" : "peek-lock";
}

const char* QueueTypeName(QueueType type) {
  return type == QueueType::kQuorum ? "quorum" : "classic";
}

const char* OrderingStrategyName(OrderingStrategy strategy) {
  switch (strategy) {
    case OrderingStrategy::kApply: return "apply";
    case OrderingStrategy::kVersion: return "version";
    case OrderingStrategy::kPrecedence: return "precedence";
    case OrderingStrategy::kLastWriterWins: return "last-writer-wins";
  }
  return "apply";
}

}  // namespace deliverysim::models
