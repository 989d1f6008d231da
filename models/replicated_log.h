// Every partition's log, replicated over a cluster's broker nodes: one PartitionReplication per
// partition (partition_replication.h gives the Kafka rules it follows), produce requests
// answered by the leaders' nodes, followers fetching from their leader over network links
// between nodes, and broker crashes and restarts. Used only when Scenario::brokers > 1; a
// single broker keeps its logs in LogBroker alone.
//
// Nodes are "broker-1" ... "broker-N". Replica i of partition p of topic t sits on node
// (t + p + i) mod N, so leaders spread over the nodes and a partition's replicas are on
// distinct nodes. The LogBroker component ("broker") stays the group and transaction
// coordinator and serves consumers; it keeps the producer state (fencing, sequences), the
// transactions and, per partition, the records below the high watermark, which this class
// copies there as the watermark rises. Retention and the last stable offset therefore work on
// what consumers can see.
//
// Produce requests: a request carries batches for several partitions that the node leads (the
// producer sends one request per leader node, see Producer). Per batch, in Kafka's order: a
// node that does not lead refuses it with NOT_LEADER_OR_FOLLOWER; acks=all with the ISR below
// min.insync.replicas is refused with NOT_ENOUGH_REPLICAS; then the broker's fencing and
// sequence checks; then its records are appended to the leader's log, one model record each.
// The reply carries every batch's outcome and goes once every batch is settled: at once for
// acks=1 and for refusals, and for acks=all once the high watermark passed the batch's last
// record (a duplicate batch waits for the first copy's). A node that crashes answers none of
// the requests it held, so the producer times out and retries them.
//
// A follower fetches from the leader, waits for the reply, applies it and fetches again. The
// leader holds a fetch that finds nothing new for up to kReplicaFetchWait (Kafka's
// replica.fetch.wait.max.ms), answering it as soon as a record arrives; a follower whose
// request or reply was lost sends again after kReplicaSocketTimeout (replica.socket.timeout.ms)
// and, refused by a node that does not lead, after kReplicaFetchBackoff.
//
// After an election the leader's idempotent producer state is rebuilt from the batches its log
// still holds, as a Kafka broker rebuilds it from its log, so a batch truncated away is
// appended again when retried rather than taken for a duplicate.
// TODO: consumers fetch through LogBroker, which stands for every partition leader and never
// crashes; a crashed leader or a cut link to it stalls consumers only through the partition
// being offline or its watermark not moving.
// TODO: after an unclean election lowers the watermark, a consumer whose position is above it
// waits until the watermark passes its position again, skipping the new records below; Kafka
// would answer OFFSET_OUT_OF_RANGE and apply auto.offset.reset. A consumer that fetched records
// above the new watermark and processes them after new records took their offsets reads the
// new records.
// TODO: the transaction state (open transactions' first offsets, fencing) is not truncated with
// the log at an unclean election, and a transaction marker for an offline partition waits for
// its next leader rather than being retried by a coordinator.
// TODO: an unclean election that drops an idempotent producer's acknowledged batches leaves its
// next batch a sequence gap, refused until the producer gives it up at delivery_timeout and
// bumps its epoch; Kafka's client resets its sequences sooner (KIP-360).
// TODO: a request whose acks=all batches never settle (the ISR stays below
// min.insync.replicas) waits here until its node crashes, and its late reply is ignored by the
// producer, which timed out; Kafka expires it after the request's timeout with
// REQUEST_TIMED_OUT.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "models/message.h"
#include "models/network.h"
#include "models/partition_leaders.h"
#include "models/partition_replication.h"
#include "models/run_result.h"
#include "models/scenario.h"
#include "sim/engine.h"
#include "sim/time.h"
#include "sim/trace.h"

namespace deliverysim::models {

class LogBroker;

inline constexpr sim::Time kReplicaFetchWait = 500 * sim::kMillisecond;
inline constexpr sim::Time kReplicaFetchBackoff = 1 * sim::kSecond;
inline constexpr sim::Time kReplicaSocketTimeout = 30 * sim::kSecond;

class ReplicatedLog : public sim::Component, public PartitionLeaders {
 public:
  static constexpr std::uint32_t kLagCheck = 1;       // arg: partition slot
  static constexpr std::uint32_t kFetchTimeout = 2;   // arg: follower slot | token << 32
  static constexpr std::uint32_t kFetchRetry = 3;     // arg: follower slot | token << 32
  static constexpr std::uint32_t kParkedExpired = 4;  // arg: parked index | token << 32
  static constexpr std::uint32_t kNodeRestart = 5;    // arg: node | incarnation << 32

  // REQUIRES: scenario.brokers > 1. `broker` outlives this object.
  ReplicatedLog(sim::Engine& engine, Network& network, const Scenario& scenario, LogBroker& broker,
                sim::TraceSink* trace);
  ~ReplicatedLog() override;

  // Takes the timers' component id, registers one component per node and starts the
  // followers' fetch loops.
  void Start(sim::ComponentId self);

  sim::ComponentId node_component(std::uint32_t node) const { return nodes_[node].component; }
  const std::string& node_name(std::uint32_t node) const { return nodes_[node].name; }
  std::uint32_t node_count() const { return static_cast<std::uint32_t>(nodes_.size()); }
  // The node called `name`, or -1.
  int FindNode(const std::string& name) const;

  // Names a client, so that nodes can open reply links to it.
  void AddClient(const std::string& name, sim::ComponentId client);

  // A transaction marker for the partition, written by its leader (no acknowledgement); while
  // the partition is offline it waits for the next leader.
  void AppendMarker(std::uint32_t topic, std::uint32_t partition, const Record& marker);

  // Crashes node `node` (an unclean shutdown); it restarts after `restart_after` (kForever:
  // never) with its log.
  void CrashNode(std::uint32_t node, sim::Time restart_after);

  void OnEvent(const sim::Event& event) override;
  std::uint32_t LeaderNode(std::uint32_t topic, std::uint32_t partition) const override;

  // The log end of the leader (of the last leader, while offline).
  std::int64_t leader_log_end(std::uint32_t topic, std::uint32_t partition) const;
  std::int64_t high_watermark(std::uint32_t topic, std::uint32_t partition) const {
    return Of(topic, partition).replication.high_watermark();
  }

  // Adds each topic's replication figures to `topics` (one entry per topic, in order).
  void FillResults(std::vector<TopicResult>& topics) const;

 private:
  class NodeEndpoint;
  struct Node {
    std::string name;
    sim::ComponentId component = 0;
    bool live = true;
    std::uint32_t incarnation = 0;
  };
  // An idempotent batch in a leader's log, for rebuilding producer state after an election.
  struct SequencedBatch {
    std::uint64_t producer_id = 0;
    std::int32_t base_sequence = 0;
    std::int32_t count = 0;
    std::int64_t first_offset = 0;
    std::uint64_t last_record = 0;  // the model's id of its last record
  };
  struct PartitionState {
    PartitionState(std::uint32_t t, std::uint32_t p, ReplicationConfig config)
        : topic(t), partition(p), replication(std::move(config), 0) {}

    std::uint32_t topic = 0;
    std::uint32_t partition = 0;
    PartitionReplication replication;
    std::vector<Record> payloads;         // by the model's record id
    std::vector<SequencedBatch> batches;  // idempotent batches, in append order
    std::deque<Record> markers_waiting;   // transaction markers while offline
    std::int64_t exposed_to = 0;          // the watermark the broker's view was brought to
    std::size_t elections_seen = 0;
    sim::Time lag_check_at = sim::kForever;
    std::uint32_t first_follower = 0;  // index of replica 0's follower slot
    bool online = true;
    std::int64_t leader_end_seen = 0;  // parked replica fetches wake when the leader's log grows
  };
  // A produce request a leader holds until its acks=all batches are below the watermark.
  struct PendingProduce {
    std::uint32_t node = 0;
    std::uint32_t reply = 0;  // packet slot of the reply, batch outcomes filled in
    sim::ComponentId client = 0;
    // Per acks=all batch: its partition slot and the watermark that settles it.
    std::vector<std::pair<std::uint32_t, std::int64_t>> waits;
  };
  // The fetch loop of one replica (it fetches only while it follows).
  struct Follower {
    std::uint32_t partition_slot = 0;
    std::uint32_t node = 0;
    std::uint64_t token = 0;  // tells the current request's reply and timers from stale ones
  };
  struct ParkedFetch {
    std::uint32_t request = 0;  // packet slot, kept until the reply
    std::uint32_t leader_node = 0;
    std::uint64_t token = 0;
    bool active = false;
  };

  const PartitionState& Of(std::uint32_t topic, std::uint32_t partition) const {
    return partitions_[topic_base_[topic] + partition];
  }
  void OnNodePacket(std::uint32_t node, std::uint32_t slot);
  void OnProduce(std::uint32_t node, const Packet& request);
  // Appends one batch at the leader on `node`; returns its outcome and, for acks=all, the
  // watermark that settles it (0: settled now).
  ProduceBatch AppendBatch(std::uint32_t node, const Packet& request, const ProduceBatch& batch,
                           Acks acks, std::int64_t& settles_at);
  std::int64_t AppendRecord(std::uint32_t node, PartitionState& state, const Record& record,
                            Acks acks);
  void AppendWaitingMarkers(std::uint32_t partition_slot);
  void OnReplicaFetch(std::uint32_t node, std::uint32_t slot);
  void OnReplicaFetchResponse(std::uint32_t node, const Packet& response);
  std::uint32_t FollowerSlot(std::uint32_t partition_slot, std::uint32_t node) const;
  // A follower's request that is no longer current: it timed out, or its broker went down.
  bool IsStale(const Packet& fetch) const;
  void AnswerReplicaFetch(std::uint32_t leader_node, std::uint32_t request_slot);
  void WakeParkedReplicaFetches(std::uint32_t partition_slot);
  void FetchAgain(std::uint32_t follower_slot);
  void RestartNode(std::uint32_t node, std::uint32_t incarnation);
  // Traces elections, rebuilds producer state, brings the consumers' view up to the
  // watermark, answers settled produce requests, and re-arms fetches and the lag check.
  void AfterChange(std::uint32_t partition_slot);
  void TraceElections(PartitionState& state, bool& elected);
  void RebuildSequences(const PartitionState& state);
  void ExposeBelowWatermark(PartitionState& state);
  void AnswerSettledProduces();
  LinkId ClientLink(std::uint32_t node, sim::ComponentId client);
  void Send(std::uint32_t from_node, std::uint32_t to_node, std::uint32_t slot);

  sim::Engine& engine_;
  Network& network_;
  const Scenario& scenario_;
  LogBroker& broker_;
  sim::TraceSink* trace_;
  sim::ComponentId self_ = 0;
  std::vector<Node> nodes_;
  std::vector<std::unique_ptr<NodeEndpoint>> endpoints_;
  std::vector<std::uint32_t> topic_base_;  // partition slot of each topic's partition 0
  std::vector<PartitionState> partitions_;
  std::vector<Follower> followers_;
  std::vector<ParkedFetch> parked_;
  std::deque<PendingProduce> pending_;  // in arrival order
  std::uint64_t next_token_ = 1;
  std::vector<std::string> client_names_;  // by component id
  static constexpr LinkId kNoLink = UINT32_MAX;
  std::vector<std::vector<LinkId>> client_links_;  // by node, then client component id
  std::vector<LinkId> node_links_;                 // from * nodes + to
};

}  // namespace deliverysim::models
