#include "models/queue_broker.h"

#include <algorithm>
#include <cassert>

#include "models/queue_routing.h"

namespace deliverysim::models {

namespace {
using sim::TraceField;

template <typename T>
void SetAt(std::vector<T>& table, std::size_t index, T value, T fill) {
  if (index >= table.size()) table.resize(index + 1, fill);
  table[index] = value;
}
}  // namespace

QueueBroker::QueueBroker(sim::Engine& engine, Network& network, const Scenario& scenario,
                         sim::TraceSink* trace)
    : engine_(engine), network_(network), scenario_(scenario), trace_(trace) {
  const QueueBrokerConfig& config = scenario.queue_broker;
  for (const QueueConfig& queue : config.queues) {
    Queue entry{&queue, {}, {}, 0, nullptr, {}, {}, {}, {}};
    entry.stats.name = queue.name;
    entry.stats.type = IsServiceBus(queue) ? "service-bus" : QueueTypeName(queue.type);
    entry.stats.durable = queue.durable;
    queues_.push_back(std::move(entry));
  }
  // Every message source publishes by a config: the producers', then each group's (a
  // service's publisher; a group that publishes nothing routes nowhere and never sends).
  for (std::uint32_t source = 0; source < MessageSources(scenario); ++source) {
    publishers_.push_back(SourceConfig(scenario, source));
    routes_of_producer_.push_back(
        source < scenario.producers.size() ||
                scenario.consumers[source - scenario.producers.size()].service.active()
            ? Route(publishers_.back().exchange, publishers_.back().routing_key)
            : std::vector<std::uint32_t>{});
  }
}

std::uint32_t QueueBroker::QueueIndex(const std::string& name) const {
  for (std::uint32_t q = 0; q < queues_.size(); ++q) {
    if (queues_[q].config->name == name) return q;
  }
  assert(false && "the loader checks every queue named");
  return 0;
}

void QueueBroker::AddPublisher(sim::ComponentId component, std::uint32_t index,
                               const std::string& name) {
  SetAt(producer_of_component_, component, static_cast<int>(index), -1);
  // A service's instances share its source, so confirms go back by component.
  SetAt(link_of_component_, component, network_.Connect(name_, name, component), LinkId{0});
}

void QueueBroker::AddConsumer(sim::ComponentId component, const std::string& name,
                              const ConsumerGroupConfig& group) {
  SetAt(consumer_of_component_, component, static_cast<int>(consumers_.size()), -1);
  consumers_.push_back(Consumer{component,
                                name,
                                QueueIndex(group.topic),
                                &group.queue,
                                network_.Connect(name_, name, component),
                                false,
                                0,
                                {},
                                {},
                                false,
                                0});
}

void QueueBroker::SetQueueMetrics(std::uint32_t queue, GroupMetrics* metrics) {
  queues_[queue].metrics = metrics;
}

std::uint64_t QueueBroker::Depth(std::uint32_t queue) const {
  std::uint64_t depth = queues_[queue].ready.size();
  for (const Consumer& consumer : consumers_) {
    if (consumer.queue == queue) depth += consumer.unacked.size() + consumer.orphaned.size();
  }
  return depth;
}

sim::Time QueueBroker::OldestMessageAge(std::uint32_t queue) const {
  // Scanned rather than kept in order: returns and dead letters break enqueue-time order.
  sim::Time oldest = engine_.now();
  for (const Entry& entry : queues_[queue].ready) oldest = std::min(oldest, entry.enqueued_at);
  for (const Consumer& consumer : consumers_) {
    if (consumer.queue != queue) continue;
    for (const auto& held : {&consumer.unacked, &consumer.orphaned}) {
      for (const auto& [tag, entry] : *held) oldest = std::min(oldest, entry.enqueued_at);
    }
  }
  return engine_.now() - oldest;
}

std::vector<std::uint32_t> QueueBroker::Route(const std::string& exchange,
                                              const std::string& key) const {
  return RouteQueues(scenario_.queue_broker, exchange, key);
}

void QueueBroker::OnEvent(const sim::Event& event) {
  switch (event.kind) {
    case kPacketArrived: OnPacket(static_cast<std::uint32_t>(event.arg)); break;
    case kRestart: Restart(event.arg); break;
    case kLockExpired: OnLockExpired(event.arg); break;
    case kSessionLockExpired: Dispatch(static_cast<std::uint32_t>(event.arg)); break;
    default: assert(false && "unknown queue broker event");
  }
}

void QueueBroker::OnPacket(std::uint32_t slot) {
  const Packet& packet = network_.packet(slot);
  // The incoming request rate over time: a retry storm shows as a peak.
  const auto bucket = static_cast<std::size_t>(engine_.now() / scenario_.sample_interval);
  if (bucket >= incoming_.size()) incoming_.resize(bucket + 1, 0);
  ++incoming_[bucket];
  if (!alive_) {
    ++totals_.dropped_while_down;
  } else {
    switch (packet.type) {
      case PacketType::kProduce: OnPublish(packet); break;
      case PacketType::kConsume: OnConsume(packet); break;
      case PacketType::kAck: OnAck(packet); break;
      case PacketType::kNack: OnNack(packet); break;
      case PacketType::kClose: OnClose(packet); break;
      default: assert(false && "a queue broker gets only publishes and consumer requests");
    }
  }
  network_.Release(slot);
}

void QueueBroker::OnPublish(const Packet& packet) {
  // The producer client sends its messages in batches; each is a publish of its own here.
  if (packet.records.empty()) {
    Publish(packet, packet.record);
  } else {
    for (const Record& record : packet.records) Publish(packet, record);
  }
  // Publisher confirms: the broker confirms once every target queue took the messages (and a
  // returned one after its return).
  if (!packet.wants_reply) return;
  const std::uint32_t slot = network_.NewPacket();
  Packet& confirm = network_.packet(slot);
  confirm.type = PacketType::kProduceAck;
  confirm.sender = id_;
  confirm.correlation = packet.correlation;
  confirm.incarnation = packet.incarnation;
  confirm.record = packet.record;
  confirm.batches = packet.batches;  // every batch confirmed; offsets mean nothing here
  confirm.wants_reply = false;
  network_.Send(link_of_component_[packet.sender], slot);
}

void QueueBroker::Publish(const Packet& packet, const Record& record) {
  const int producer = producer_of_component_[packet.sender];
  assert(producer >= 0);
  const ProducerConfig& config = publishers_[static_cast<std::size_t>(producer)];
  const std::vector<std::uint32_t>& routes = RoutesOf(static_cast<std::uint32_t>(producer));
  if (routes.empty()) {
    ++(config.mandatory ? totals_.returned : totals_.unroutable_dropped);
    if (trace_) {
      trace_->Record(engine_.now(), config.mandatory ? "returned" : "unroutable",
                     {TraceField::Text("exchange", config.exchange),
                      TraceField::Number("producer", record.id.producer),
                      TraceField::Number("message", record.id.number)});
    }
  }
  for (std::uint32_t queue : routes) {
    if (SeenRecently(queues_[queue], record.id)) {
      ++queues_[queue].stats.duplicates_detected;
      TraceMessage("duplicate-detected", queue, record);
      continue;
    }
    Entry entry;
    entry.record = record;
    entry.persistent = config.persistent;
    Enqueue(queue, entry);
    TraceEnqueue(config.exchange, queue, record, nullptr);
  }
  for (std::uint32_t queue : routes) Dispatch(queue);
}

void QueueBroker::Enqueue(std::uint32_t queue, Entry entry) {
  entry.position = next_position_++;
  entry.enqueued_at = engine_.now();
  ++queues_[queue].stats.enqueued;
  queues_[queue].ready.push_back(entry);
}

bool QueueBroker::HasRoom(const Consumer& consumer) {
  return consumer.config->ack == AckMode::kAuto || consumer.config->prefetch == 0 ||
         consumer.unacked.size() < consumer.config->prefetch;
}

void QueueBroker::Dispatch(std::uint32_t q) {
  Queue& queue = queues_[q];
  if (queue.config->sessions) {
    DispatchSessions(q);
    return;
  }
  while (!queue.ready.empty() && !queue.consumers.empty()) {
    // Round-robin over the consumers with room, starting after the last one served.
    const std::size_t count = queue.consumers.size();
    std::size_t chosen = count;
    for (std::size_t step = 0; step < count; ++step) {
      const std::size_t candidate = (queue.cursor + step) % count;
      if (HasRoom(consumers_[queue.consumers[candidate]])) {
        chosen = candidate;
        break;
      }
    }
    if (chosen == count) return;  // every consumer is at its prefetch limit
    queue.cursor = (chosen + 1) % count;
    Entry entry = queue.ready.front();
    queue.ready.pop_front();
    Deliver(queue.consumers[chosen], entry);
  }
}

void QueueBroker::Deliver(std::uint32_t c, Entry entry) {
  Consumer& consumer = consumers_[c];
  QueueResult& stats = queues_[consumer.queue].stats;
  const std::uint64_t tag = ++next_tag_;
  ++stats.delivered;
  if (entry.redelivered) ++stats.redelivered;
  Send(consumer.reply, PacketType::kDeliver, consumer.connection, entry.record, tag,
       entry.redelivered);
  TraceDelivery("dispatch", consumer, tag, entry.record, "redelivered", entry.redelivered);
  // With automatic acknowledgement the message counts as done once sent.
  if (consumer.config->ack == AckMode::kManual) {
    consumer.unacked.emplace(tag, entry);
    const QueueConfig& config = *queues_[consumer.queue].config;
    if (IsServiceBus(config)) {
      engine_.ScheduleAfter(config.lock_duration, id_, kLockExpired,
                            (std::uint64_t{c} << 40) | tag);
    }
  }
}

bool QueueBroker::OverLimit(const QueueConfig& config, std::uint32_t returns) {
  // Service Bus: "automatically deadlettered after this number of deliveries". RabbitMQ:
  // "returned more times than the limit".
  if (IsServiceBus(config)) return returns >= config.max_delivery_count;
  return config.type == QueueType::kQuorum && config.delivery_limit > 0 &&
         returns > config.delivery_limit;
}

void QueueBroker::OnConsume(const Packet& packet) {
  Consumer* consumer = ConsumerOf(packet.sender);
  const auto c = static_cast<std::uint32_t>(consumer - consumers_.data());
  // A subscription on a newer connection means the old one is gone.
  if (consumer->open && consumer->connection != packet.correlation) CloseConsumer(c);
  if (!consumer->open) {
    consumer->open = true;
    consumer->connection = packet.correlation;
    queues_[consumer->queue].consumers.push_back(c);
  }
  Send(consumer->reply, PacketType::kConsumeOk, consumer->connection, Record{}, 0, false);
  Dispatch(consumer->queue);
}

void QueueBroker::OnAck(const Packet& packet) {
  Consumer* consumer = ConsumerOf(packet.sender);
  // An acknowledgement on a closed connection means nothing: its deliveries went back.
  if (!consumer->open || consumer->connection != packet.correlation) return;
  auto& unacked = consumer->unacked;
  const auto first = packet.multiple ? unacked.begin() : unacked.find(packet.offset);
  const auto last = packet.multiple ? unacked.upper_bound(packet.offset)
                                    : (first == unacked.end() ? first : std::next(first));
  // A Service Bus completion whose lock ran out fails.
  if (!packet.multiple && first == unacked.end() &&
      IsServiceBus(*queues_[consumer->queue].config)) {
    ++queues_[consumer->queue].stats.completions_lock_lost;
  }
  queues_[consumer->queue].stats.acked += static_cast<std::uint64_t>(std::distance(first, last));
  if (trace_) {
    for (auto it = first; it != last; ++it) {
      TraceDelivery("ack", *consumer, it->first, it->second.record, "multiple", packet.multiple);
    }
  }
  unacked.erase(first, last);
  Dispatch(consumer->queue);
}

void QueueBroker::OnNack(const Packet& packet) {
  Consumer* consumer = ConsumerOf(packet.sender);
  if (!consumer->open || consumer->connection != packet.correlation) return;
  const auto found = consumer->unacked.find(packet.offset);
  if (found == consumer->unacked.end()) {
    if (IsServiceBus(*queues_[consumer->queue].config)) {
      ++queues_[consumer->queue].stats.completions_lock_lost;
    }
    return;
  }
  const Entry entry = found->second;
  TraceDelivery("nack", *consumer, found->first, entry.record, "requeue", packet.requeue);
  consumer->unacked.erase(found);
  const std::uint32_t q = consumer->queue;
  if (packet.requeue) {
    // The quorum queue page: without a delivery limit a nacked message goes to the back.
    const QueueConfig& config = *queues_[q].config;
    Return(q, entry, config.type == QueueType::kQuorum && config.delivery_limit == 0);
  } else {
    DeadLetter(q, entry, "rejected");
  }
  Dispatch(q);
}

void QueueBroker::OnClose(const Packet& packet) {
  Consumer* consumer = ConsumerOf(packet.sender);
  if (!consumer->open || consumer->connection != packet.correlation) return;
  CloseConsumer(static_cast<std::uint32_t>(consumer - consumers_.data()));
}

void QueueBroker::CloseConsumer(std::uint32_t c) {
  Consumer& consumer = consumers_[c];
  Queue& queue = queues_[consumer.queue];
  consumer.open = false;
  queue.consumers.erase(std::find(queue.consumers.begin(), queue.consumers.end(), c));
  queue.cursor = queue.consumers.empty() ? 0 : queue.cursor % queue.consumers.size();
  std::map<std::uint64_t, Entry> held;
  held.swap(consumer.unacked);
  if (IsServiceBus(*queue.config)) {
    // Service Bus releases nothing when a receiver goes: the locks run out on their own.
    consumer.orphaned.merge(held);
    OrphanSession(consumer.queue, consumer);
  } else {
    for (auto& [tag, entry] : held) Return(consumer.queue, entry, /*to_back=*/false);
  }
  Dispatch(consumer.queue);
}

void QueueBroker::Return(std::uint32_t q, Entry entry, bool to_back) {
  Queue& queue = queues_[q];
  ++queue.stats.requeued;
  entry.redelivered = true;
  ++entry.returns;
  // "When a message has been returned more times than the limit the message will be dropped
  // or dead-lettered" (quorum queues, poison message handling).
  const QueueConfig& config = *queue.config;
  if (OverLimit(config, entry.returns)) {
    DeadLetter(q, entry, IsServiceBus(config) ? "MaxDeliveryCountExceeded" : "delivery-limit");
    return;
  }
  TraceMessage("requeue", q, entry.record);
  if (to_back) entry.position = next_position_++;
  InsertByPosition(queue, entry);
}

void QueueBroker::InsertByPosition(Queue& queue, const Entry& entry) {
  const auto at = std::lower_bound(
      queue.ready.begin(), queue.ready.end(), entry.position,
      [](const Entry& e, std::uint64_t position) { return e.position < position; });
  queue.ready.insert(at, entry);
}

void QueueBroker::DeadLetter(std::uint32_t q, const Entry& entry, const char* reason) {
  Queue& queue = queues_[q];
  const QueueConfig& config = *queue.config;
  if (IsServiceBus(config)) {
    // Every Service Bus queue has its own dead-letter sub-queue.
    ++queue.stats.dead_lettered;
    if (queue.metrics && queue.metrics->Watches(entry.record.id)) {
      queue.metrics->OnDeadLettered(entry.record.id);
    }
    TraceDeadLetter("dead-letter", q, entry, reason);
    return;
  }
  std::vector<std::uint32_t> targets;
  if (!config.dead_letter_exchange.empty()) {
    const std::string& key = config.dead_letter_routing_key.empty()
                                 ? publishers_[entry.record.id.producer].routing_key
                                 : config.dead_letter_routing_key;
    targets = Route(config.dead_letter_exchange, key);
  }
  // A dead letter that no queue takes is dropped, as RabbitMQ drops it.
  if (targets.empty()) {
    ++queue.stats.discarded;
    TraceDeadLetter("discard", q, entry, reason);
    return;
  }
  ++queue.stats.dead_lettered;
  if (queue.metrics && queue.metrics->Watches(entry.record.id)) {
    queue.metrics->OnDeadLettered(entry.record.id);
  }
  TraceDeadLetter("dead-letter", q, entry, reason);
  for (std::uint32_t target : targets) {
    Entry copy;
    copy.record = entry.record;
    copy.persistent = entry.persistent;
    Enqueue(target, copy);
    TraceEnqueue(config.dead_letter_exchange, target, entry.record, &config.name);
  }
  for (std::uint32_t target : targets) {
    if (target != q) Dispatch(target);
  }
}

void QueueBroker::Crash(sim::Time restart_after) {
  if (!alive_) return;
  alive_ = false;
  ++crashes_;
  ++totals_.restarts;
  if (trace_) trace_->Record(engine_.now(), "crash", {TraceField::Text("component", name_)});

  // The broker host's kernel resets every connection.
  for (std::uint32_t c = 0; c < consumers_.size(); ++c) {
    Consumer& consumer = consumers_[c];
    if (!consumer.open) continue;
    Send(consumer.reply, PacketType::kConnectionLost, consumer.connection, Record{}, 0, false);
    consumer.open = false;
    // A restart is not a return: the quorum delivery count stays as it was.
    for (auto& [tag, entry] : consumer.unacked) {
      Entry back = entry;
      back.redelivered = true;
      InsertByPosition(queues_[consumer.queue], back);
    }
    consumer.unacked.clear();
  }

  // What survives: persistent messages of durable queues (a quorum queue persists every
  // message whatever its delivery mode).
  for (std::uint32_t q = 0; q < queues_.size(); ++q) {
    Queue& queue = queues_[q];
    queue.consumers.clear();
    queue.cursor = 0;
    const bool quorum = queue.config->type == QueueType::kQuorum;
    std::deque<Entry> kept;
    for (const Entry& entry : queue.ready) {
      if (queue.config->durable && (entry.persistent || quorum)) {
        kept.push_back(entry);
      } else {
        ++queue.stats.lost_in_restart;
        TraceMessage("lost-in-restart", q, entry.record);
      }
    }
    queue.ready.swap(kept);
  }
  if (restart_after != sim::kForever) {
    engine_.ScheduleAfter(restart_after, id_, kRestart, crashes_);
  }
}

void QueueBroker::Restart(std::uint64_t crash) {
  if (alive_ || crash != crashes_) return;
  alive_ = true;
  if (trace_) trace_->Record(engine_.now(), "restart", {TraceField::Text("component", name_)});
}

QueueBroker::Consumer* QueueBroker::ConsumerOf(sim::ComponentId component) {
  assert(component < consumer_of_component_.size() && consumer_of_component_[component] >= 0);
  return &consumers_[static_cast<std::size_t>(consumer_of_component_[component])];
}

void QueueBroker::Send(LinkId link, PacketType type, std::uint64_t connection, const Record& record,
                       std::uint64_t tag, bool redelivered) {
  const std::uint32_t slot = network_.NewPacket();
  Packet& packet = network_.packet(slot);
  packet.type = type;
  packet.sender = id_;
  packet.correlation = connection;
  packet.record = record;
  packet.offset = static_cast<std::int64_t>(tag);
  packet.redelivered = redelivered;
  packet.multiple = false;
  packet.requeue = false;
  packet.wants_reply = false;
  network_.Send(link, slot);
}

void QueueBroker::TraceMessage(const char* kind, std::uint32_t queue, const Record& record) {
  if (!trace_) return;
  trace_->Record(engine_.now(), kind,
                 {TraceField::Text("queue", queues_[queue].config->name),
                  TraceField::Number("producer", record.id.producer),
                  TraceField::Number("message", record.id.number)});
}

void QueueBroker::TraceDeadLetter(const char* kind, std::uint32_t queue, const Entry& entry,
                                  const char* reason) {
  if (!trace_) return;
  trace_->Record(
      engine_.now(), kind,
      {TraceField::Text("queue", queues_[queue].config->name),
       TraceField::Number("producer", entry.record.id.producer),
       TraceField::Number("message", entry.record.id.number), TraceField::Text("reason", reason),
       TraceField::Number("returns", entry.returns)});
}

void QueueBroker::TraceEnqueue(const std::string& exchange, std::uint32_t queue,
                               const Record& record, const std::string* dead_lettered_from) {
  if (!trace_) return;
  trace_->Record(engine_.now(), "enqueue",
                 {TraceField::Text("exchange", exchange),
                  TraceField::Text("queue", queues_[queue].config->name),
                  TraceField::Number("producer", record.id.producer),
                  TraceField::Number("message", record.id.number),
                  TraceField::Text("dead_lettered_from",
                                   dead_lettered_from ? *dead_lettered_from : std::string())});
}

void QueueBroker::TraceDelivery(const char* kind, const Consumer& consumer, std::uint64_t tag,
                                const Record& record, const char* flag, bool flag_value) {
  if (!trace_) return;
  trace_->Record(engine_.now(), kind,
                 {TraceField::Text("consumer", consumer.name),
                  TraceField::Text("queue", queues_[consumer.queue].config->name),
                  TraceField::Number("tag", static_cast<std::int64_t>(tag)),
                  TraceField::Number("producer", record.id.producer),
                  TraceField::Number("message", record.id.number),
                  TraceField::Number(flag, flag_value ? 1 : 0)});
}

void QueueBroker::Fill(QueueBrokerResult& result) const {
  result = totals_;
  result.incoming_interval = scenario_.sample_interval;
  result.incoming_requests = incoming_;
  result.queues.clear();
  for (std::uint32_t q = 0; q < queues_.size(); ++q) {
    QueueResult stats = queues_[q].stats;
    stats.ready_at_end = queues_[q].ready.size();
    stats.unacked_at_end = Depth(q) - stats.ready_at_end;
    result.queues.push_back(stats);
  }
}

}  // namespace deliverysim::models
