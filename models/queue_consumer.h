// One consumer instance on a queue broker's queue: it subscribes, takes the deliveries the
// broker pushes, hands them one at a time to a handler whose side effect takes a sampled
// processing time, and acknowledges them as its group's settings say (QueueConsumerConfig).
//
//   - Automatic acknowledgement: nothing is sent back; what the instance holds when it dies
//     is lost.
//   - Manual acknowledgement: after each processed message, or with `ack_every` N > 1 one
//     multiple-ack per N processed messages (and whenever nothing is left to process).
//   - A poison message (ProducerConfig::poison) kills the process as soon as the handler
//     starts on it, or after its processing time is nacked with requeue or rejected.
//   - With `failure` p > 0 every handler attempt of any message fails with probability p,
//     drawn from the instance's own stream when the attempt starts, and a failed attempt takes
//     the same on_poison path as a poison message.
//   - A crash closes the connection; the close reaches the broker over the same link, after
//     anything sent before it, as a TCP FIN follows the data before it. A restarted instance,
//     or one whose connection the broker lost, subscribes again after reconnect_delay (or by
//     the `reconnect` retry policy) until the broker answers.
//   - With on_poison: retry, a failing message stays in its handler and is tried again after
//     the `retry` policy's delay, up to its max_attempts, then rejected (dead-lettered).
//   - Up to `concurrency` messages are in process at once, each in its own handler slot, taken
//     in delivery order; acknowledgements then go one by one as handlers finish.
//   - Inbox (the group's table of processed ids): atomic records the id in the effect's
//     transaction at the end of processing, so a repeat is skipped there; naive checks the
//     table when it starts on a message, runs the effect, then records the id, so a repeat
//     that starts before the first copy's record is written runs its effect again.
// TODO: crash faults strike a queue consumer at a time only; the log consumer's named steps
// (after-effect, before-commit, ...) are not offered, so a crash between an effect and its
// acknowledgement needs ack_every or a poison message to set it up.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "models/crashable.h"
#include "models/group_metrics.h"
#include "models/inbox.h"
#include "models/network.h"
#include "models/producer.h"
#include "models/retry_policy.h"
#include "models/scenario.h"
#include "models/service.h"
#include "sim/engine.h"
#include "sim/random.h"
#include "sim/trace.h"

namespace deliverysim::models {

class QueueConsumer : public sim::Component, public Crashable {
 public:
  static constexpr std::uint32_t kProcessed = 1;    // arg: slot << 32 | incarnation (low bits)
  static constexpr std::uint32_t kRestart = 2;      // arg: incarnation that crashed
  static constexpr std::uint32_t kResubscribe = 3;  // arg: connection it would replace

  // `inbox` is the group's inbox table, shared by its instances; null unless the group has
  // one.
  QueueConsumer(sim::Engine& engine, Network& network, const Scenario& scenario,
                const ConsumerGroupConfig& group, std::uint32_t member, GroupMetrics& metrics,
                Inbox* inbox, sim::TraceSink* trace);

  // Opens the link to the broker and subscribes.
  void Start(sim::ComponentId self, sim::ComponentId broker);

  // Makes the instance a service's: each effect runs the service's rules, which publish
  // through `output`, a publisher client that crashes and restarts with the instance.
  void SetService(Service* service, Producer* output) {
    service_ = service;
    output_ = output;
  }

  void OnEvent(const sim::Event& event) override;
  const std::string& name() const override { return name_; }
  void Crash(sim::Time restart_after) override;

  std::uint64_t crashes() const { return crashes_; }
  std::uint64_t handler_retries() const { return handler_retries_; }

 private:
  struct Held {
    std::uint64_t tag;
    Record record;
    bool redelivered;
    std::uint64_t connection;
    std::uint32_t attempts = 1;  // handler attempts so far, this one included
    sim::Time last_delay = 0;    // before the latest retry
    bool failing = false;        // the current attempt fails: poison, or a transient failure
  };

  void OnPacket(const Packet& packet);
  void Subscribe();
  // The wait before the next subscription attempt, and its scheduling.
  void ScheduleResubscribe();
  // A failing message: retry it in its handler slot, or give it up. Returns whether it stays.
  bool RetryInHandler(std::size_t slot);
  // Starts work on buffered deliveries while a handler slot is free.
  void ProcessNext();
  void OnProcessed(std::uint64_t arg);
  // Runs the side effect of a processed message, unless the inbox says it ran before.
  void RunEffect(const Held& held);
  // A message is done with: acknowledge it as the settings say.
  void Settle(const Held& held);
  void Restart(std::uint64_t crashed_incarnation);
  void FlushAcks();
  void Send(PacketType type, std::uint64_t tag, bool multiple, bool requeue);
  bool IsPoison(const Record& record) const;
  // Whether the attempt starting now fails: always for poison, else with config_.failure.
  bool AttemptFails(const Record& record);
  void TraceHeld(const char* kind, const Held& held);

  sim::Engine& engine_;
  Network& network_;
  const Scenario& scenario_;
  const ConsumerGroupConfig& group_;
  const QueueConsumerConfig& config_;
  GroupMetrics& metrics_;
  sim::TraceSink* trace_;
  std::string name_;
  sim::RandomStream random_;
  sim::ComponentId self_ = 0;
  LinkId link_ = 0;

  bool alive_ = false;
  std::uint64_t incarnation_ = 0;
  std::uint64_t connection_ = 0;            // of the newest subscription; 0: none yet
  bool subscribed_ = false;                 // the broker confirmed connection_
  std::deque<Held> buffer_;                 // delivered, not yet handed to the handler
  std::vector<std::optional<Held>> slots_;  // one per handler, concurrency of them
  Inbox* inbox_;
  Service* service_ = nullptr;  // a service's instance: its rules and publisher client
  Producer* output_ = nullptr;
  std::uint32_t unacked_processed_ = 0;  // processed since the last acknowledgement sent
  std::uint64_t last_processed_tag_ = 0;
  std::uint64_t crashes_ = 0;
  std::uint64_t handler_retries_ = 0;
  RetryPolicy retry_policy_;
  RetryPolicy reconnect_policy_;
  sim::RandomStream retry_random_;          // jitter draws, apart from processing times
  sim::RandomStream failure_random_;        // transient failures, apart from the rest
  std::uint32_t failed_subscriptions_ = 0;  // since the last answered one
  sim::Time last_reconnect_delay_ = 0;
};

}  // namespace deliverysim::models
