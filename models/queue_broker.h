// A RabbitMQ-style queue broker: exchanges route each published message to queues through
// bindings, queues hand messages to competing consumers, and consumers acknowledge them one by
// one. It follows the RabbitMQ 3.13 documentation (/docs/confirms, /docs/dlx,
// /docs/quorum-queues), with the simplifications named below.
//
// Invariants:
//   1. A message of a queue is in exactly one place: the queue's ready list, one consumer's
//      unacknowledged map, or gone (acknowledged, dead-lettered, discarded or lost).
//   2. A ready list is ordered by position. A message keeps its position when it returns, so
//      a requeued message goes back where it was, ahead of everything published after it.
//   3. A consumer's unacknowledged map belongs to its open connection; when the connection
//      closes, every entry returns to the queue marked redelivered.
//
// Behaviour:
//   - direct exchanges route by exact routing key, fanout to every bound queue, topic by pattern
//     (topic_pattern.h). A message routed to no queue is dropped, or returned when published
//     as mandatory (the Producer model ignores the return; the broker counts it).
//   - Ready messages go round-robin to the queue's open consumers that have room: automatic
//     acknowledgement has no limit; manual is bounded by prefetch (0: unlimited).
//   - ack (optionally multiple), nack/reject with requeue (back to the old position; for a
//     quorum queue without a delivery limit, to the back, as the documentation says) or
//     without requeue (dead-lettered, or discarded without a dead-letter exchange).
//   - Quorum queues with a delivery limit count returns, a closed connection's included; a
//     message returned more times than the limit is dead-lettered or discarded. So a limit of
//     N allows N + 1 deliveries.
//   - A crash of the broker closes every connection; on restart a durable queue keeps its
//     persistent messages (unacknowledged ones become ready, redelivered) and loses its
//     transient ones; a transient queue loses everything. Packets that arrive while it is down
//     are dropped, so an unconfirmed publish is lost without anyone knowing.
//
// Service-Bus-style queues (a lock duration above 0, from broker.kind: service-bus) follow the
// Azure Service Bus documentation instead where it differs:
//   - A peek-lock delivery locks the message for the lock duration. Complete (an ack) settles
//     it; abandon (a nack with requeue) returns it; a lock that runs out returns it too. Each
//     return raises its delivery count; at max_delivery_count it moves to the queue's
//     dead-letter sub-queue with the reason MaxDeliveryCountExceeded, so a message is
//     delivered at most max_delivery_count times. A completion that arrives after its lock
//     ran out fails and is counted.
//   - A receiver's closed connection releases nothing: its locks run out.
//   - With a duplicate detection window, a send whose message id the queue accepted within
//     the window is acknowledged and dropped.
//   - A queue with sessions gives each session id (the message's key) to one receiver at a
//     time, under a session lock: the receiver gets that session's messages in order, and
//     keeps the session while it has any of them ready or in hand. A dead receiver's session
//     lock runs out after the lock duration (queue_broker_sessions.cc).
// TODO: Service Bus topics and subscriptions, lock renewal and message time-to-live are not
// modelled; a session is found by scanning the ready list, which is slow for long queues.
// TODO: one node, no replication: a quorum queue differs from a classic one only in its
// delivery limit, its requeue position and being always durable. Exchanges, queues and
// bindings come back after a restart as if every client redeclared them.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "models/crashable.h"
#include "models/group_metrics.h"
#include "models/network.h"
#include "models/run_result.h"
#include "models/scenario.h"
#include "sim/engine.h"
#include "sim/trace.h"

namespace deliverysim::models {

class QueueBroker : public sim::Component, public Crashable {
 public:
  static constexpr std::uint32_t kRestart = 1;             // arg: the number of the crash it ends
  static constexpr std::uint32_t kLockExpired = 2;         // arg: consumer << 40 | delivery tag
  static constexpr std::uint32_t kSessionLockExpired = 3;  // arg: queue

  // `scenario` must outlive the broker and hold a valid queue_broker section.
  QueueBroker(sim::Engine& engine, Network& network, const Scenario& scenario,
              sim::TraceSink* trace);

  void set_id(sim::ComponentId id) { id_ = id; }
  sim::ComponentId id() const { return id_; }

  // Registers producer `index` of the scenario, running as `component`.
  // `index` is the publisher's message source; `name` its component's name, for the link.
  void AddPublisher(sim::ComponentId component, std::uint32_t index, const std::string& name);
  // Registers a consumer instance of `group`, running as `component`.
  void AddConsumer(sim::ComponentId component, const std::string& name,
                   const ConsumerGroupConfig& group);
  // The metrics of the group consuming `queue`, told of the ids dead-lettered from it.
  void SetQueueMetrics(std::uint32_t queue, GroupMetrics* metrics);

  // The queues a message of producer `index` reaches.
  const std::vector<std::uint32_t>& RoutesOf(std::uint32_t producer) const {
    return routes_of_producer_[producer];
  }
  std::uint32_t QueueIndex(const std::string& name) const;
  // Ready plus unacknowledged messages.
  std::uint64_t Depth(std::uint32_t queue) const;
  // How long the oldest message in the queue (ready or unacknowledged) has been in it; 0 when
  // it is empty.
  sim::Time OldestMessageAge(std::uint32_t queue) const;

  void OnEvent(const sim::Event& event) override;
  const std::string& name() const override { return name_; }
  void Crash(sim::Time restart_after) override;

  // Fills everything of `result` but the consumer crashes, which the consumers count.
  void Fill(QueueBrokerResult& result) const;

 private:
  struct Entry {
    Record record;
    std::uint64_t position = 0;
    std::uint32_t returns = 0;  // times it came back unacknowledged (a quorum queue's count)
    bool redelivered = false;
    bool persistent = true;
    sim::Time enqueued_at = 0;  // into this queue; a return keeps it
  };
  struct Queue {
    const QueueConfig* config;
    std::deque<Entry> ready;               // by position
    std::vector<std::uint32_t> consumers;  // open ones, in the order they subscribed
    std::size_t cursor = 0;                // round-robin: the next consumer to try
    GroupMetrics* metrics = nullptr;
    QueueResult stats;
    // Duplicate detection: the ids accepted within the window, oldest first.
    std::deque<std::pair<sim::Time, MessageId>> recent;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> recent_count;
    // Sessions: who holds each session id's lock. consumer -1: its receiver died, and the lock
    // is held until `until`.
    struct SessionLock {
      int consumer;
      sim::Time until;
    };
    std::map<std::uint32_t, SessionLock> session_locks;
  };
  struct Consumer {
    sim::ComponentId component;
    std::string name;
    std::uint32_t queue;
    const QueueConsumerConfig* config;
    LinkId reply;
    bool open = false;
    std::uint64_t connection = 0;
    std::map<std::uint64_t, Entry> unacked;  // by delivery tag
    // Service Bus: locks of a closed connection, kept until they run out.
    std::map<std::uint64_t, Entry> orphaned;
    bool has_session = false;  // a session queue: it holds the lock of `session`
    std::uint32_t session = 0;
  };

  void OnPacket(std::uint32_t slot);
  void OnPublish(const Packet& packet);
  void Publish(const Packet& packet, const Record& record);
  void OnConsume(const Packet& packet);
  void OnAck(const Packet& packet);
  void OnNack(const Packet& packet);
  void OnClose(const Packet& packet);
  void Restart(std::uint64_t crash);
  void OnLockExpired(std::uint64_t arg);
  // Whether the queue already took `id` within its duplicate detection window; records it.
  bool SeenRecently(Queue& queue, MessageId id);
  // Whether a message returned `returns` times must leave the queue for good.
  static bool OverLimit(const QueueConfig& config, std::uint32_t returns);
  static bool IsServiceBus(const QueueConfig& config) { return config.lock_duration > 0; }

  std::vector<std::uint32_t> Route(const std::string& exchange, const std::string& key) const;
  void Enqueue(std::uint32_t queue, Entry entry);
  void Dispatch(std::uint32_t queue);
  static bool HasRoom(const Consumer& consumer);
  // Sessions (queue_broker_sessions.cc).
  void DispatchSessions(std::uint32_t queue);
  // The ready message consumer `c` may take next, locking a session for it if need be; or
  // ready.end().
  std::deque<Entry>::iterator NextOfSession(Queue& queue, std::uint32_t c);
  // A closing receiver's session stays locked for the lock duration.
  void OrphanSession(std::uint32_t queue, Consumer& consumer);
  void Deliver(std::uint32_t consumer, Entry entry);
  // A message comes back unacknowledged: near its old position, or to the back.
  void Return(std::uint32_t queue, Entry entry, bool to_back);
  void DeadLetter(std::uint32_t queue, const Entry& entry, const char* reason);
  // Keeps invariant 2: the ready list stays in position order.
  static void InsertByPosition(Queue& queue, const Entry& entry);
  void CloseConsumer(std::uint32_t consumer);
  Consumer* ConsumerOf(sim::ComponentId component);
  void Send(LinkId link, PacketType type, std::uint64_t connection, const Record& record,
            std::uint64_t tag, bool redelivered);
  // Trace records, written only when a trace sink is set; docs/OUTPUT.md lists their fields.
  void TraceMessage(const char* kind, std::uint32_t queue, const Record& record);
  void TraceDeadLetter(const char* kind, std::uint32_t queue, const Entry& entry,
                       const char* reason);
  // `dead_lettered_from`: the queue a dead letter left, or null for a publish.
  void TraceEnqueue(const std::string& exchange, std::uint32_t queue, const Record& record,
                    const std::string* dead_lettered_from);
  // A delivery's event at `consumer`, with one flag: redelivered, multiple or requeue.
  void TraceDelivery(const char* kind, const Consumer& consumer, std::uint64_t tag,
                     const Record& record, const char* flag, bool flag_value);

  sim::Engine& engine_;
  Network& network_;
  const Scenario& scenario_;
  sim::TraceSink* trace_;
  std::string name_ = kBrokerName;
  sim::ComponentId id_ = 0;
  std::vector<Queue> queues_;
  std::vector<Consumer> consumers_;
  std::vector<int> consumer_of_component_;  // component id -> consumers_ index, or -1
  std::vector<int> producer_of_component_;  // component id -> producer index, or -1
  std::vector<LinkId> link_of_component_;   // component id -> link to that publisher
  std::vector<ProducerConfig> publishers_;  // by message source (SourceConfig)
  std::vector<std::vector<std::uint32_t>> routes_of_producer_;
  std::vector<std::uint64_t> incoming_;  // packets per sample_interval, from time 0
  bool alive_ = true;
  std::uint64_t crashes_ = 0;
  std::uint64_t next_position_ = 0;
  std::uint64_t next_tag_ = 0;
  QueueBrokerResult totals_;
};

}  // namespace deliverysim::models
