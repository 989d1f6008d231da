// A producer: an application that commits to publish messages at a rate, and the Kafka-style
// client that batches them, sends the batches to the log broker and retries until each is
// acknowledged, out of attempts, or past its delivery timeout.
//
// What it reproduces (Kafka 4.x producer, batch size counted in records):
//   - Each intent gets a new MessageId, a key (uniform or Zipf popularity) and the next
//     sequence number of that key, and joins the open batch of its partition (partitioner).
//     Its event kind and schema version come from the producer's script and schema change
//     (event_stamp.h).
//   - A batch is ready when it holds batch_size records or has waited linger. While fewer than
//     max_in_flight requests await a reply, one request carries the oldest ready batch of every
//     partition (as if max.request.size were never reached). A busy connection therefore makes
//     batches grow, as it does in Kafka.
//   - A request that gets no reply within request_timeout closes the connection, as Kafka's
//     network client does: every request in flight on it fails, and each failed batch is
//     retried after retry_backoff, in creation order, unless it used max_attempts sends or is
//     older than delivery_timeout. A reply for a closed connection is ignored.
//   - With a `retry` policy (retry_policy.h) the wait before a batch's retry n is the policy's
//     delay for retry n instead, jittered from the producer's own random stream. A Kafka
//     partition still sends its batches in order, so a batch backing off holds up those behind
//     it (as the Java client's accumulator does); a queue publisher republishes each message
//     when its own wait runs out. TODO: with the fixed retry_backoff a queue publisher keeps
//     the partition order too, so a new message waits behind a republish in backoff; changing
//     that would change the bundled queue scenarios' figures.
//   - Without idempotence a retry appends a second copy when only the reply was lost, and with
//     more than one request in flight a retried batch can land after a later one.
//   - With idempotence each batch carries the producer id and the sequence number of its first
//     record in the partition; the broker drops a duplicate and refuses a gap
//     (log_broker.h), so retries neither duplicate nor reorder. A retried batch waits until
//     no earlier batch of its partition is in flight. Giving up a batch bumps the producer
//     epoch and restarts the sequences, as Kafka does since KIP-360.
//   - With acks=0 a batch is sent once and forgotten; nothing limits what is in flight.
//   - A crash forgets every unacknowledged record; a restart resumes producing with a new
//     producer id.
//   - In a cluster of brokers (RouteToLeaders) each request goes to one node and carries the
//     ready batches of the partitions that node leads, as Kafka sends one produce request per
//     broker; max_in_flight and the request timeout apply per node's connection. A batch
//     refused with NOT_LEADER_OR_FOLLOWER or NOT_ENOUGH_REPLICAS is retried after the backoff,
//     as after a timeout. Transactional requests go to the coordinator, "broker".
//   - With a transactional id the producer first registers its epoch (its incarnation), which
//     fences any older one, then groups every transaction_records intents into a transaction:
//     once all of them were acknowledged it asks the broker to commit (to abort, if one was
//     given up), and intents that arrive meanwhile wait for the next transaction, as an
//     application blocked in commitTransaction() would make them.
//   - With `publish: dual-write` each intent is a committed business transaction whose event
//     is then published: a crash after the commit (step after-db-commit) loses the event, and so
//     does a crash before its acknowledgement. With `publish: outbox` the event is a row of the
//     durable OutboxTable, and a relay in the same process publishes rows in rounds every
//     relay_poll_interval and deletes those acknowledged; a crash after a round was
//     acknowledged and before its rows were deleted (step after-publish) publishes them again.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "models/due_heap.h"
#include "models/ledger.h"
#include "models/network.h"
#include "models/outbox_table.h"
#include "models/partition_leaders.h"
#include "models/retry_policy.h"
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
  static constexpr std::uint32_t kIntent = 1;      // arg: incarnation
  static constexpr std::uint32_t kTimeout = 2;     // arg: incarnation
  static constexpr std::uint32_t kLingerDue = 3;   // arg: incarnation
  static constexpr std::uint32_t kRestart = 4;     // arg: incarnation that crashed
  static constexpr std::uint32_t kRetryDue = 5;    // arg: incarnation
  static constexpr std::uint32_t kRelayPoll = 6;   // arg: incarnation
  static constexpr std::uint32_t kTxnTimeout = 7;  // arg: incarnation

  Producer(sim::Engine& engine, Network& network, MessageLedger& ledger,
           const ProducerConfig& config, std::uint32_t index, std::uint32_t topic,
           std::uint32_t partitions, std::uint64_t seed, sim::TraceSink* trace);

  // Registers the producer's link to the broker and schedules its first intent.
  void Start(sim::ComponentId self, sim::ComponentId broker);

  // In a cluster of brokers: each produce request goes to the node leading its partitions, as
  // a Kafka client routes by metadata (learnt at once here). `nodes` are the brokers' names and
  // components, by node index. Call before Start.
  void RouteToLeaders(const PartitionLeaders* leaders,
                      std::vector<std::pair<std::string, sim::ComponentId>> nodes);

  // A producer client inside a consume-transform-produce consumer instance: it has no
  // application of its own and sends what the instance forwards. A transactional one commits
  // when the instance asks, with the instance's input offsets, and tells `listener` the outcome.
  class TransactionListener {
   public:
    virtual ~TransactionListener() = default;
    virtual void OnTransactionEnded(bool committed) = 0;
  };
  // Hears of each record of this producer that is safe: acknowledged by the broker, or with
  // an outbox, committed. A flow's starter tells the flow's metrics when a user's request was
  // accepted.
  class AcceptanceListener {
   public:
    virtual ~AcceptanceListener() = default;
    virtual void OnAccepted(const Record& record, sim::Time now) = 0;
  };
  void SetAcceptanceListener(AcceptanceListener* listener) { acceptance_ = listener; }

  void MakeEmbedded(TransactionListener* listener) {
    embedded_ = true;
    listener_ = listener;
  }
  // Sends a record that already has its id, key and intent time (a forwarded message).
  void Forward(const Record& record);
  // Publishes a new message (with its id from the ledger) as the producer's `publish` mode
  // says: at once, or through the outbox table. For a service's events.
  void Publish(const Record& record);
  bool alive() const { return alive_; }
  // Commits the open transaction together with `offsets` of the consumer `member` of `group`;
  // returns false when no transaction is open (nothing was forwarded since the last one).
  bool CommitWithOffsets(std::uint32_t group, std::uint32_t member, std::uint64_t incarnation,
                         std::vector<PartitionRange> offsets);

  // From now on the application commits to nothing new; open batches go out without waiting
  // for linger, and unacknowledged ones still retry.
  void StopProducing();

  // Crashes the producer, restarting it after `restart_after` (kForever: never).
  void Crash(sim::Time restart_after);

  // Arms a crash that strikes the first time the producer reaches `step` (after-db-commit or
  // after-publish) at or after `not_before`.
  void ArmCrash(CrashStep step, sim::Time not_before, sim::Time restart_after);
  void DisarmCrashes() { armed_.clear(); }

  void OnEvent(const sim::Event& event) override;

  const std::string& name() const { return config_.name; }
  ProducerResult Result() const;

 private:
  struct Batch {
    std::vector<Record> records;
    std::uint32_t partition = 0;
    std::uint64_t serial = 0;         // creation order, which is also the order of sequences
    std::int32_t base_sequence = -1;  // idempotent: assigned at the first send
    std::uint32_t epoch = 0;          // idempotent: the producer epoch of base_sequence
    sim::Time created = 0;
    sim::Time retry_at = 0;
    sim::Time last_delay = 0;  // before its latest retry: decorrelated jitter grows from it
    std::uint32_t attempts = 0;
    bool closed = false;  // takes no more records: full, or sent at least once
  };
  struct Request {
    std::vector<std::uint32_t> batches;  // slots in batches_, in the packet's order
    std::uint32_t serial = 0;
    sim::Time deadline = 0;
    std::uint32_t connection = 0;  // the broker node it went to; 0 with a single broker
  };
  // A moment a partition's front batch may become sendable as its linger runs out. Linger is
  // constant, so these moments come in the order they were recorded; backoffs need not (a
  // retry policy's delays vary), so they are kept in a DueHeap.
  struct Due {
    sim::Time at;
    std::uint32_t partition;
  };
  struct ArmedCrash {
    CrashStep step;
    sim::Time not_before;
    sim::Time restart_after;
  };

  void OnIntent(std::uint64_t incarnation);
  // Publishes an intent by the publish mode; false when a crash at after-db-commit struck.
  bool PublishIntent(const Record& record);
  void ScheduleNextIntent();
  std::uint32_t ChoosePartition(std::uint32_t key);
  void Append(const Record& record, std::uint32_t partition);
  // Sends requests of ready batches while the connection has room.
  void Drain();
  void MarkReady(std::uint32_t partition);
  bool Sendable(const Batch& batch) const;
  // The batch of the partition's queue to send next, or queue.end(): the front, or, for a
  // publisher that republishes each message on its own, the first not backing off.
  std::deque<std::uint32_t>::iterator NextSendable(std::deque<std::uint32_t>& queue);
  bool RepublishesEachOnItsOwn() const {
    return config_.has_retry_policy && !config_.timeout_closes_connection;
  }
  bool EarlierInFlight(const Batch& batch) const;
  void SendRequest(Request request);
  void OnReply(const Packet& reply);
  void OnTimeoutTimer(std::uint64_t incarnation);
  // The connection a partition's batches go over: its leader's node in a cluster, else 0.
  std::uint32_t ConnectionOf(std::uint32_t partition) const;
  bool HasRoom(std::uint32_t connection) const;
  void CloseConnection(std::uint32_t connection);
  // A send of the batch failed: retry it or give it up.
  void Fail(std::uint32_t batch_slot);
  void Requeue(std::uint32_t batch_slot);
  // The wait before the batch's next send, after `batch.attempts` sends.
  sim::Time RetryDelay(Batch& batch);
  void AddRetryDue(sim::Time at, std::uint32_t partition);
  void OnRetryDue();
  void GiveUp(std::uint32_t batch_slot);
  // Tells the transaction and the outbox what became of the batch's records, then frees its
  // slot; false when that crashed the producer (the outbox relay's after-publish step).
  bool SettleAndRelease(std::uint32_t slot, bool acknowledged);
  void ArmTimeoutTimer();
  void AddDue(std::deque<Due>& dues, bool& armed, std::uint32_t kind, Due due);
  void OnDue(std::deque<Due>& dues, bool& armed, std::uint32_t kind);
  void Restart(std::uint64_t crashed_incarnation);
  bool MaybeCrashAt(CrashStep step);

  // Transactions.
  enum class TxnPhase { kOff, kInitializing, kIdle, kOpen, kCommitting };
  std::uint64_t TransactionId() const { return (std::uint64_t{index_} + 1) << 32 | txn_number_; }
  void AddToTransaction(Record record);
  void RequestCommit();
  void SendTransactional(PacketType type);
  void OnTransactionalReply(const Packet& reply);
  void OnTxnTimeout(std::uint64_t incarnation);
  void SettleTransactional(const Record& record, bool acknowledged);
  void OnRelayPoll(std::uint64_t incarnation);
  // An outbox row's record was acknowledged or given up; ends the round once all are.
  void SettleOutboxRow(MessageId id, bool published);
  std::uint64_t ProducerId() const;
  void TraceRecords(const char* what, const Batch& batch, std::int64_t first_offset);

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
  LinkId link_ = 0;  // to "broker": produce requests with one broker, transactional ones always
  const PartitionLeaders* leaders_ = nullptr;  // set in a cluster of brokers
  std::vector<std::pair<std::string, sim::ComponentId>> nodes_;
  std::vector<LinkId> node_links_;  // by node index

  bool alive_ = true;
  bool producing_ = true;
  std::uint64_t incarnation_ = 0;
  std::uint32_t epoch_ = 0;        // idempotent producer epoch, bumped when a batch is given up
  sim::Time schedule_origin_ = 0;  // constant arrivals: intents at origin + k / rate
  std::uint64_t intents_since_origin_ = 0;
  std::vector<std::uint32_t> next_sequence_;  // per key; the last entry serves keyless messages
  std::uint32_t round_robin_ = 0;
  std::uint32_t sticky_partition_ = 0;
  bool sticky_used_ = false;  // a record went to sticky_partition_ since it was chosen

  // Per partition: batches waiting to be sent, oldest first; the newest may still be open.
  std::vector<std::deque<std::uint32_t>> waiting_;
  std::vector<std::int32_t> next_batch_sequence_;  // idempotent: per partition
  sim::Pool<Batch> batches_;
  std::uint64_t batch_serial_ = 0;
  // Partitions whose front batch may be sendable, in the order they became so. Every change
  // that can make a front batch sendable marks its partition, so a drain never scans them all.
  std::deque<std::uint32_t> ready_;
  std::vector<std::uint32_t> still_ready_;  // Drain's scratch, kept to avoid allocating
  std::vector<bool> marked_ready_;
  std::deque<Due> linger_due_;
  DueHeap retry_due_;
  bool linger_timer_armed_ = false;
  bool retry_timer_armed_ = false;
  sim::Time retry_timer_at_ = 0;  // when the armed retry timer fires; an earlier one replaces it
  RetryPolicy retry_policy_;
  sim::RandomStream retry_random_;  // jitter draws, apart from the workload's

  // Per connection, requests awaiting a reply, in send order. Every request waits the same
  // request_timeout, so the earliest front holds the next deadline and one engine timer serves
  // them all.
  std::vector<std::deque<Request>> in_flight_;
  std::uint32_t request_serial_ = 0;
  bool timer_armed_ = false;

  TxnPhase txn_phase_ = TxnPhase::kOff;
  std::uint64_t txn_number_ = 0;     // transactions begun, across incarnations
  std::uint32_t txn_intents_ = 0;    // records in the open transaction
  std::uint32_t txn_unsettled_ = 0;  // of those, not yet acknowledged or given up
  bool txn_failed_ = false;          // one was given up: the transaction must abort
  std::deque<Record> held_;          // intents waiting for the transaction in progress to end
  std::uint64_t txn_awaited_ = 0;    // correlation of the init or end request awaited; 0: none
  bool embedded_ = false;
  TransactionListener* listener_ = nullptr;
  AcceptanceListener* acceptance_ = nullptr;
  // Embedded: the consumer whose offsets commit with the transaction, and the offsets.
  std::uint32_t offsets_group_ = 0;
  std::uint32_t offsets_member_ = 0;
  std::uint64_t offsets_incarnation_ = 0;
  std::vector<PartitionRange> offsets_;
  sim::Time txn_deadline_ = 0;
  bool txn_timer_armed_ = false;
  OutboxTable outbox_;
  std::vector<ArmedCrash> armed_;

  std::uint64_t sends_ = 0;
  std::uint64_t acknowledged_ = 0;
  std::uint64_t gave_up_ = 0;
};

}  // namespace deliverysim::models
