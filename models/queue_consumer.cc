#include "models/queue_consumer.h"

#include <algorithm>
#include <cassert>

#include "models/poison.h"

namespace deliverysim::models {

namespace {
using sim::TraceField;
}  // namespace

QueueConsumer::QueueConsumer(sim::Engine& engine, Network& network, const Scenario& scenario,
                             const ConsumerGroupConfig& group, std::uint32_t member,
                             GroupMetrics& metrics, Inbox* inbox, sim::TraceSink* trace)
    : engine_(engine),
      network_(network),
      scenario_(scenario),
      group_(group),
      config_(group.queue),
      metrics_(metrics),
      trace_(trace),
      name_(InstanceName(group.group, member)),
      random_(sim::RandomStream::ForComponent(scenario.seed, "consumer:" + name_)),
      slots_(group.queue.concurrency),
      inbox_(inbox),
      retry_policy_(group.queue.retry),
      reconnect_policy_(group.queue.reconnect),
      retry_random_(sim::RandomStream::ForComponent(scenario.seed, "retry:" + name_)),
      failure_random_(sim::RandomStream::ForComponent(scenario.seed, "failure:" + name_)) {}

void QueueConsumer::Start(sim::ComponentId self, sim::ComponentId broker) {
  self_ = self;
  link_ = network_.Connect(name_, kBrokerName, broker);
  alive_ = true;
  Subscribe();
}

void QueueConsumer::OnEvent(const sim::Event& event) {
  switch (event.kind) {
    case kPacketArrived: {
      const auto slot = static_cast<std::uint32_t>(event.arg);
      OnPacket(network_.packet(slot));
      network_.Release(slot);
      break;
    }
    case kProcessed: OnProcessed(event.arg); break;
    case kRestart: Restart(event.arg); break;
    case kResubscribe:
      if (alive_ && !subscribed_ && event.arg == connection_) Subscribe();
      break;
    default: assert(false && "unknown queue consumer event");
  }
}

void QueueConsumer::Subscribe() {
  ++connection_;
  subscribed_ = false;
  Send(PacketType::kConsume, 0, false, false);
  ScheduleResubscribe();
}

void QueueConsumer::ScheduleResubscribe() {
  sim::Time delay = config_.reconnect_delay;
  if (config_.has_reconnect_policy) {
    ++failed_subscriptions_;
    delay = reconnect_policy_.Delay(failed_subscriptions_, last_reconnect_delay_, retry_random_);
    last_reconnect_delay_ = delay;
  }
  engine_.ScheduleAfter(delay, self_, kResubscribe, connection_);
}

void QueueConsumer::OnPacket(const Packet& packet) {
  // Whatever belongs to an older connection, or reaches a dead process, is gone.
  if (!alive_ || packet.correlation != connection_) return;
  switch (packet.type) {
    case PacketType::kConsumeOk:
      subscribed_ = true;
      failed_subscriptions_ = 0;
      break;
    case PacketType::kDeliver:
      subscribed_ = true;  // a delivery proves the subscription, even if its reply was lost
      failed_subscriptions_ = 0;
      buffer_.push_back(Held{static_cast<std::uint64_t>(packet.offset), packet.record,
                             packet.redelivered, connection_});
      ProcessNext();
      break;
    case PacketType::kConnectionLost:
      // Deliveries of a closed channel can no longer be acknowledged; a client drops them.
      subscribed_ = false;
      buffer_.clear();
      unacked_processed_ = 0;
      ScheduleResubscribe();
      break;
    default: assert(false && "unexpected packet at a queue consumer");
  }
}

void QueueConsumer::ProcessNext() {
  while (alive_ && !buffer_.empty()) {
    const auto free = std::find_if(slots_.begin(), slots_.end(),
                                   [](const std::optional<Held>& slot) { return !slot; });
    if (free == slots_.end()) return;
    Held held = buffer_.front();
    buffer_.pop_front();
    if (metrics_.Watches(held.record.id)) metrics_.OnDelivery(held.record);
    TraceHeld("deliver", held);
    held.failing = AttemptFails(held.record);
    if (held.failing && config_.on_poison == PoisonAction::kCrash) {
      if (trace_) {
        trace_->Record(engine_.now(), "poison-crash",
                       {TraceField::Text("component", name_),
                        TraceField::Number("producer", held.record.id.producer),
                        TraceField::Number("message", held.record.id.number)});
      }
      Crash(config_.restart_after);
      return;
    }
    // The naive inbox checks before it starts, and skips what it finds.
    if (config_.inbox == InboxMode::kNaive && inbox_->Contains(held.record.id)) {
      TraceHeld("effect-skipped", held);
      Settle(held);
      continue;
    }
    *free = held;
    const auto slot = static_cast<std::uint64_t>(free - slots_.begin());
    engine_.ScheduleAfter(group_.processing.SampleTime(random_), self_, kProcessed,
                          (slot << 32) | (incarnation_ & 0xffffffff));
  }
  const bool idle = std::none_of(slots_.begin(), slots_.end(),
                                 [](const std::optional<Held>& slot) { return slot.has_value(); });
  if (alive_ && idle) FlushAcks();
}

void QueueConsumer::OnProcessed(std::uint64_t arg) {
  if (!alive_ || (arg & 0xffffffff) != (incarnation_ & 0xffffffff)) return;
  const std::size_t index = arg >> 32;
  if (slots_[index]->failing && config_.on_poison == PoisonAction::kRetry &&
      RetryInHandler(index)) {
    return;
  }
  std::optional<Held>& slot = slots_[index];
  const Held held = *slot;
  slot.reset();
  if (held.failing) {
    // The handler failed. With automatic acknowledgement there is nothing to hand back.
    if (config_.ack == AckMode::kManual && subscribed_ && held.connection == connection_) {
      FlushAcks();
      // Out of retries, a message is rejected like one the handler gave up on at once.
      Send(PacketType::kNack, held.tag, false, config_.on_poison == PoisonAction::kRequeue);
    }
  } else {
    RunEffect(held);
    Settle(held);
  }
  ProcessNext();
}

bool QueueConsumer::RetryInHandler(std::size_t slot) {
  Held& held = *slots_[slot];
  if (!retry_policy_.MayRetryAfter(held.attempts)) return false;
  held.last_delay = retry_policy_.Delay(held.attempts, held.last_delay, retry_random_);
  ++held.attempts;
  ++handler_retries_;
  held.failing = AttemptFails(held.record);
  if (trace_) {
    trace_->Record(engine_.now(), "retry",
                   {TraceField::Text("component", name_),
                    TraceField::Number("producer", held.record.id.producer),
                    TraceField::Number("message", held.record.id.number),
                    TraceField::Number("attempt", held.attempts),
                    TraceField::Number("delay", held.last_delay)});
  }
  engine_.ScheduleAfter(held.last_delay + group_.processing.SampleTime(random_), self_, kProcessed,
                        (std::uint64_t{slot} << 32) | (incarnation_ & 0xffffffff));
  return true;
}

void QueueConsumer::RunEffect(const Held& held) {
  // The atomic inbox records the id in the effect's own transaction.
  if (config_.inbox == InboxMode::kAtomic && !inbox_->RecordIfNew(held.record.id)) {
    TraceHeld("effect-skipped", held);
    if (service_ != nullptr) service_->Repeat(held.record, *output_);
    return;
  }
  if (metrics_.Watches(held.record.id)) metrics_.OnEffect(held.record, engine_.now());
  TraceHeld("effect", held);
  if (config_.inbox == InboxMode::kNaive) inbox_->Record(held.record.id);
  // A queue consumer crashes at a time or on a poison message, never between its commit and
  // its publish, so a service's dual write here loses only what its publisher had not sent.
  if (service_ != nullptr) service_->Act(held.record, output_, engine_.now(), name_);
}

void QueueConsumer::Settle(const Held& held) {
  if (config_.ack != AckMode::kManual || !subscribed_ || held.connection != connection_) return;
  ++unacked_processed_;
  last_processed_tag_ = held.tag;
  if (unacked_processed_ >= config_.ack_every) FlushAcks();
}

void QueueConsumer::FlushAcks() {
  if (unacked_processed_ == 0 || !subscribed_) return;
  Send(PacketType::kAck, last_processed_tag_, unacked_processed_ > 1, false);
  unacked_processed_ = 0;
}

void QueueConsumer::Crash(sim::Time restart_after) {
  if (!alive_) return;
  alive_ = false;
  ++incarnation_;
  ++crashes_;
  // The dying process's kernel closes its socket: the broker learns over the same link.
  if (connection_ != 0) Send(PacketType::kClose, 0, false, false);
  subscribed_ = false;
  buffer_.clear();
  for (std::optional<Held>& slot : slots_) slot.reset();
  unacked_processed_ = 0;
  if (trace_) trace_->Record(engine_.now(), "crash", {TraceField::Text("component", name_)});
  // The service's publisher client lives in the same process.
  if (output_ != nullptr) output_->Crash(restart_after);
  if (restart_after != sim::kForever) {
    engine_.ScheduleAfter(restart_after, self_, kRestart, incarnation_);
  }
}

void QueueConsumer::Restart(std::uint64_t crashed_incarnation) {
  if (alive_ || crashed_incarnation != incarnation_) return;
  alive_ = true;
  if (trace_) trace_->Record(engine_.now(), "restart", {TraceField::Text("component", name_)});
  Subscribe();
}

void QueueConsumer::Send(PacketType type, std::uint64_t tag, bool multiple, bool requeue) {
  const std::uint32_t slot = network_.NewPacket();
  Packet& packet = network_.packet(slot);
  packet.type = type;
  packet.sender = self_;
  packet.correlation = connection_;
  packet.incarnation = incarnation_;
  packet.offset = static_cast<std::int64_t>(tag);
  packet.multiple = multiple;
  packet.requeue = requeue;
  packet.redelivered = false;
  packet.wants_reply = type == PacketType::kConsume;
  network_.Send(link_, slot);
}

bool QueueConsumer::IsPoison(const Record& record) const {
  // A service's events are never poison: only a producer's `poison` makes them.
  if (record.id.producer >= scenario_.producers.size()) return false;
  const ProducerConfig& producer = scenario_.producers[record.id.producer];
  return models::IsPoison(scenario_.seed, producer.name, record.id, producer.poison);
}

bool QueueConsumer::AttemptFails(const Record& record) {
  if (IsPoison(record)) return true;
  // No draw without failures, so a scenario that does not set them keeps every number.
  return config_.failure > 0 && failure_random_.NextUnit() < config_.failure;
}

void QueueConsumer::TraceHeld(const char* kind, const Held& held) {
  if (!trace_) return;
  trace_->Record(engine_.now(), kind,
                 {TraceField::Text("component", name_), TraceField::Text("queue", group_.topic),
                  TraceField::Number("tag", static_cast<std::int64_t>(held.tag)),
                  TraceField::Number("producer", held.record.id.producer),
                  TraceField::Number("message", held.record.id.number),
                  TraceField::Number("redelivered", held.redelivered ? 1 : 0)});
}

}  // namespace deliverysim::models
