// A producer: an application that commits to publish messages at a rate, and the client that
// sends them to the log broker and retries until acknowledged or out of attempts.
//
// Each intent gets a new MessageId, a key (uniform or Zipf popularity) and the next sequence
// number of that key. With acks=0 the client sends once and forgets; otherwise it waits up to
// request_timeout for the acknowledgement, then backs off retry_backoff and sends again, up to
// max_attempts sends (0: no limit). A lost acknowledgement therefore makes a second copy in
// the log. A crash forgets every unacknowledged message; a restart resumes producing.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "models/ledger.h"
#include "models/network.h"
#include "models/run_result.h"
#include "models/scenario.h"
#include "sim/distribution.h"
#include "sim/engine.h"
#include "sim/pool.h"
#include "sim/random.h"
#include "sim/trace.h"

namespace deliverysim::models {

class Producer : public sim::Component {
 public:
  static constexpr std::uint32_t kIntent = 1;   // arg: incarnation
  static constexpr std::uint32_t kTimeout = 2;  // arg: incarnation
  static constexpr std::uint32_t kRetry = 3;    // arg: in-flight slot | send serial << 32
  static constexpr std::uint32_t kRestart = 4;  // arg: incarnation that crashed

  Producer(sim::Engine& engine, Network& network, MessageLedger& ledger,
           const ProducerConfig& config, std::uint32_t index, std::uint32_t topic,
           std::uint32_t partitions, std::uint64_t seed, sim::TraceSink* trace);

  // Registers the producer's link to the broker and schedules its first intent.
  void Start(sim::ComponentId self, sim::ComponentId broker);

  // From now on the application commits to nothing new; unacknowledged sends still retry.
  void StopProducing() { producing_ = false; }

  // Crashes the producer, restarting it after `restart_after` (kForever: never).
  void Crash(sim::Time restart_after);

  void OnEvent(const sim::Event& event) override;

  const std::string& name() const { return config_.name; }
  bool alive() const { return alive_; }
  ProducerResult Result() const;

 private:
  struct InFlight {
    Record record;
    std::uint32_t partition = 0;
    std::uint32_t attempts = 0;
    std::uint32_t last_send = 0;  // serial of the newest send
    bool active = false;
  };

  void OnIntent(std::uint64_t incarnation);
  void ScheduleNextIntent();
  std::uint32_t ChoosePartition(std::uint32_t key);
  void Send(std::uint32_t slot);
  void OnAck(const Packet& ack);
  // Drops the message from the in-flight set: acknowledged, given up, or forgotten in a crash.
  void Forget(std::uint32_t slot);
  void OnTimeoutTimer(std::uint64_t incarnation);
  void OnTimeout(std::uint32_t slot, std::uint32_t serial);
  void ArmTimeoutTimer();
  void Restart(std::uint64_t crashed_incarnation);

  sim::Engine& engine_;
  Network& network_;
  MessageLedger& ledger_;
  const ProducerConfig& config_;
  std::uint32_t index_;
  std::uint32_t topic_;
  std::uint32_t partitions_;
  sim::TraceSink* trace_;
  sim::RandomStream random_;
  std::optional<sim::ZipfSampler> zipf_;
  sim::ComponentId self_ = 0;
  LinkId link_ = 0;

  bool alive_ = true;
  bool producing_ = true;
  std::uint64_t incarnation_ = 0;
  sim::Time schedule_origin_ = 0;  // constant arrivals: intents at origin + k / rate
  std::uint64_t intents_since_origin_ = 0;
  std::vector<std::uint32_t> next_sequence_;  // per key; the last entry serves keyless messages
  std::uint32_t round_robin_ = 0;
  std::uint32_t send_serial_ = 0;
  sim::Pool<InFlight> in_flight_;

  // Every send waits the same request_timeout, so deadlines come in send order: one engine
  // timer for the earliest deadline serves them all, instead of one pending event per send.
  struct Deadline {
    sim::Time at;
    std::uint32_t slot;
    std::uint32_t serial;
  };
  std::deque<Deadline> deadlines_;
  bool timer_armed_ = false;

  std::uint64_t sends_ = 0;
  std::uint64_t acknowledged_ = 0;
  std::uint64_t gave_up_ = 0;
};

}  // namespace deliverysim::models
