#include "models/producer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace deliverysim::models {

namespace {
using sim::TraceField;

std::uint64_t SlotArg(std::uint32_t slot, std::uint32_t serial) {
  return slot | (std::uint64_t{serial} << 32);
}
}  // namespace

Producer::Producer(sim::Engine& engine, Network& network, MessageLedger& ledger,
                   const ProducerConfig& config, std::uint32_t index, std::uint32_t topic,
                   std::uint32_t partitions, std::uint64_t seed, sim::TraceSink* trace)
    : engine_(engine),
      network_(network),
      ledger_(ledger),
      config_(config),
      index_(index),
      topic_(topic),
      partitions_(partitions),
      trace_(trace),
      random_(sim::RandomStream::ForComponent(seed, "producer:" + config.name)),
      next_sequence_(config.keys + 1, 0) {
  if (config.keys > 0 && config.zipf_exponent > 0) zipf_.emplace(config.keys, config.zipf_exponent);
}

void Producer::Start(sim::ComponentId self, sim::ComponentId broker) {
  self_ = self;
  link_ = network_.Connect(config_.name, "broker", broker);
  ScheduleNextIntent();
}

void Producer::ScheduleNextIntent() {
  sim::Time next;
  if (config_.arrivals == Arrivals::kPoisson) {
    next = engine_.now() +
           sim::Distribution::Exponential(1e9 / config_.rate_per_second).SampleTime(random_);
  } else {
    // Intent k falls at origin + k / rate, rounded once, so rounding never accumulates.
    ++intents_since_origin_;
    next = schedule_origin_ +
           static_cast<sim::Time>(std::llround(static_cast<double>(intents_since_origin_) * 1e9 /
                                               config_.rate_per_second));
  }
  engine_.Schedule(std::max(next, engine_.now()), self_, kIntent, incarnation_);
}

void Producer::OnEvent(const sim::Event& event) {
  switch (event.kind) {
    case kPacketArrived: {
      const auto slot = static_cast<std::uint32_t>(event.arg);
      OnAck(network_.packet(slot));
      network_.Release(slot);
      break;
    }
    case kIntent: OnIntent(event.arg); break;
    case kTimeout: OnTimeoutTimer(event.arg); break;
    case kRetry: {
      const auto slot = static_cast<std::uint32_t>(event.arg & 0xffffffff);
      InFlight& entry = in_flight_[slot];
      if (entry.active && entry.last_send == (event.arg >> 32)) Send(slot);
      break;
    }
    case kRestart: Restart(event.arg); break;
    default: assert(false && "unknown producer event");
  }
}

void Producer::OnIntent(std::uint64_t incarnation) {
  if (!alive_ || incarnation != incarnation_ || !producing_) return;

  Record record;
  record.id = ledger_.Intend(index_, engine_.now());
  record.intent_time = engine_.now();
  if (config_.keys > 0) {
    record.key = static_cast<std::uint32_t>(zipf_ ? zipf_->Sample(random_)
                                                  : random_.NextBelow(config_.keys));
    record.sequence = next_sequence_[record.key]++;
  } else {
    record.sequence = next_sequence_.back()++;
  }
  if (trace_) {
    trace_->Record(
        engine_.now(), "intent",
        {TraceField::Text("component", config_.name), TraceField::Number("producer", index_),
         TraceField::Number("message", record.id.number),
         TraceField::Number("key", record.key == kNoKey ? -1 : record.key),
         TraceField::Number("sequence", record.sequence)});
  }

  const std::uint32_t slot = in_flight_.Acquire();
  in_flight_[slot] = InFlight{record, ChoosePartition(record.key), 0, 0, true};
  Send(slot);
  ScheduleNextIntent();
}

std::uint32_t Producer::ChoosePartition(std::uint32_t key) {
  // A keyed message goes where its key hashes, so one key's messages share a partition; a
  // keyless one goes round-robin. The hash is the project's splitmix64 of the key number, not
  // Kafka's murmur2 of the key bytes: the same keys spread, but over different partitions.
  if (key == kNoKey) return round_robin_++ % partitions_;
  return static_cast<std::uint32_t>(sim::Mix64(key) % partitions_);
}

void Producer::Send(std::uint32_t slot) {
  InFlight& entry = in_flight_[slot];
  ++entry.attempts;
  ++sends_;
  entry.last_send = ++send_serial_;

  const std::uint32_t packet_slot = network_.NewPacket();
  Packet& packet = network_.packet(packet_slot);
  packet.type = PacketType::kProduce;
  packet.sender = self_;
  packet.topic = topic_;
  packet.partition = entry.partition;
  packet.record = entry.record;
  packet.correlation = slot;
  packet.incarnation = incarnation_;
  packet.wants_reply = config_.acks != 0;
  if (trace_) {
    trace_->Record(
        engine_.now(), "send",
        {TraceField::Text("component", config_.name), TraceField::Number("producer", index_),
         TraceField::Number("message", entry.record.id.number),
         TraceField::Number("attempt", entry.attempts),
         TraceField::Number("partition", entry.partition)});
  }
  network_.Send(link_, packet_slot);

  if (config_.acks == 0) {
    // Fire and forget: nothing will come back, so there is nothing to wait for.
    Forget(slot);
    return;
  }
  deadlines_.push_back({engine_.now() + config_.request_timeout, slot, entry.last_send});
  if (!timer_armed_) ArmTimeoutTimer();
}

void Producer::ArmTimeoutTimer() {
  timer_armed_ = !deadlines_.empty();
  if (timer_armed_) engine_.Schedule(deadlines_.front().at, self_, kTimeout, incarnation_);
}

void Producer::OnTimeoutTimer(std::uint64_t incarnation) {
  if (incarnation != incarnation_) return;
  while (!deadlines_.empty() && deadlines_.front().at <= engine_.now()) {
    const Deadline due = deadlines_.front();
    deadlines_.pop_front();
    OnTimeout(due.slot, due.serial);
  }
  ArmTimeoutTimer();
}

void Producer::OnAck(const Packet& ack) {
  const auto slot = static_cast<std::uint32_t>(ack.correlation);
  if (!alive_ || slot >= in_flight_.capacity()) return;
  InFlight& entry = in_flight_[slot];
  // A late or duplicated acknowledgement finds its slot released or reused by another message.
  if (!entry.active || !(entry.record.id == ack.record.id)) return;
  ++acknowledged_;
  Forget(slot);
  if (trace_) {
    trace_->Record(
        engine_.now(), "acked",
        {TraceField::Text("component", config_.name), TraceField::Number("producer", index_),
         TraceField::Number("message", ack.record.id.number),
         TraceField::Number("offset", ack.offset)});
  }
}

void Producer::Forget(std::uint32_t slot) {
  in_flight_[slot].active = false;
  in_flight_.Release(slot);
}

void Producer::OnTimeout(std::uint32_t slot, std::uint32_t serial) {
  InFlight& entry = in_flight_[slot];
  if (!entry.active || entry.last_send != serial) return;  // acknowledged meanwhile
  if (config_.max_attempts != 0 && entry.attempts >= config_.max_attempts) {
    ++gave_up_;
    if (trace_) {
      trace_->Record(
          engine_.now(), "give-up",
          {TraceField::Text("component", config_.name), TraceField::Number("producer", index_),
           TraceField::Number("message", entry.record.id.number),
           TraceField::Number("attempts", entry.attempts)});
    }
    Forget(slot);
    return;
  }
  engine_.ScheduleAfter(config_.retry_backoff, self_, kRetry, SlotArg(slot, serial));
}

void Producer::Crash(sim::Time restart_after) {
  if (!alive_) return;
  alive_ = false;
  ++incarnation_;
  deadlines_.clear();
  timer_armed_ = false;
  // Crashes are rare, so a scan of every slot beats keeping a list of the active ones.
  for (std::uint32_t slot = 0; slot < in_flight_.capacity(); ++slot) {
    if (in_flight_[slot].active) Forget(slot);
  }
  if (trace_) {
    trace_->Record(engine_.now(), "crash", {TraceField::Text("component", config_.name)});
  }
  if (restart_after != sim::kForever) {
    engine_.ScheduleAfter(restart_after, self_, kRestart, incarnation_);
  }
}

void Producer::Restart(std::uint64_t crashed_incarnation) {
  if (alive_ || crashed_incarnation != incarnation_) return;
  alive_ = true;
  if (trace_) {
    trace_->Record(engine_.now(), "restart", {TraceField::Text("component", config_.name)});
  }
  schedule_origin_ = engine_.now();
  intents_since_origin_ = 0;
  ScheduleNextIntent();
}

ProducerResult Producer::Result() const {
  return ProducerResult{config_.name,  "",      ledger_.intended(index_), sends_,
                        acknowledged_, gave_up_};
}

}  // namespace deliverysim::models
