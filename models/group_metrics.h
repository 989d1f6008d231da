// The measuring instrument of one consumer group: it watches deliveries and side effects and
// turns them into the metrics of docs/METRICS.md. It observes; it never changes what happens.
//
// Memory: two bits per message id (delivered, processed), two more once a schema change makes
// the group read an id as an older version or dead-letter it, one counter per key, and an entry
// per message not yet processed; samples go into fixed-size histograms. Nothing is kept per
// delivery.
#pragma once

#include <cstdint>
#include <vector>

#include "models/entity_state_table.h"
#include "models/ledger.h"
#include "models/message.h"
#include "models/run_result.h"
#include "models/scenario.h"
#include "models/unprocessed_intents.h"
#include "sim/bitset.h"
#include "sim/histogram.h"
#include "sim/time.h"

namespace deliverysim::models {

class GroupMetrics : public IntentWatcher {
 public:
  // `producers` lists the producers that publish to the group's topic, with their key counts.
  // Watches the ledger's intents of those producers.
  GroupMetrics(MessageLedger& ledger, const std::vector<std::uint32_t>& producers,
               const std::vector<std::uint32_t>& keys_per_producer);

  // A producer of the group's topic committed to publish `id`.
  void OnIntent(MessageId id, sim::Time at) override;

  // A record was handed to a handler.
  void OnDelivery(const Record& record);

  // A handler's side effect ran for `record` at `now`.
  void OnEffect(const Record& record, sim::Time now);

  // Samples the lag of one partition, in messages.
  void SampleMessageLag(std::int64_t lag) { lag_messages_.Record(lag < 0 ? 0 : lag); }

  // Samples the age of the oldest intended message not yet processed, and returns it.
  sim::Time SampleTimeLag(sim::Time now);

  // Distinct ids whose effect has run so far.
  std::uint64_t processed() const;

  // Queue brokers: samples how long the oldest message in the group's queue has been there.
  void SampleOldestMessageAge(sim::Time age) { oldest_message_age_.Record(age); }

  // Whether the group measures the messages of `id`'s producer (it publishes to the group's
  // topic, or routes to the group's queue).
  bool Watches(MessageId id) const {
    return id.producer < slot_of_producer_.size() && slot_of_producer_[id.producer] >= 0;
  }

  // The broker moved `id` to a dead-letter queue. REQUIRES: Watches(id).
  void OnDeadLettered(MessageId id) { Of(id).dead_lettered.TestAndSet(id.number); }

  // The group's code read `id`, an additive schema v2, as v1 (SchemaRead::kAsOlderVersion).
  void OnReadAsOlderVersion(MessageId id) { Of(id).read_as_older.TestAndSet(id.number); }
  // The group's code could not read `id`'s schema version and dead-lettered it.
  void OnUnreadable(MessageId id) {
    Of(id).unreadable.TestAndSet(id.number);
    OnDeadLettered(id);
  }
  // Finish reports schema-version counts (a producer of the group's messages changes schema).
  void ReportSchemaVersions() { report_schema_versions_ = true; }

  // The group keeps entity state in `table` (owned by the caller, outliving Finish) under
  // `ordering`; Finish compares each entity's row with the entity's ordered stream.
  void WatchEntities(const EntityStateTable* table, OrderingStrategy ordering) {
    entities_ = table;
    ordering_ = ordering;
  }

  void CountRebalance() { ++rebalances_; }
  void CountRefusedCommit() { ++commits_refused_; }
  // Whether the group ran the message's side effect at least once.
  bool Processed(MessageId id) const;
  // Messages of aborted transactions that the group processed (an "aborted read").
  void SetAbortedReads(std::uint64_t count) { aborted_reads_ = count; }
  // An instance stopped on an error its client would raise to the application.
  void RecordError(std::string error) { errors_.push_back(std::move(error)); }

  // Fills the metric fields of `result`.
  void Finish(GroupResult& result) const;

 private:
  struct PerProducer {
    std::uint32_t producer;
    sim::GrowableBitset delivered;
    sim::GrowableBitset processed;
    sim::GrowableBitset dead_lettered;
    sim::GrowableBitset read_as_older;
    sim::GrowableBitset unreadable;
    std::uint64_t intended = 0;
    UnprocessedIntents unprocessed;
    std::vector<std::uint32_t> highest_sequence_plus_one;  // per key; 0: none processed yet
  };

  PerProducer& Of(MessageId id);
  void FinishEntities(GroupResult& result) const;

  std::vector<PerProducer> per_producer_;
  std::vector<int> slot_of_producer_;  // producer index -> position in per_producer_, or -1
  std::uint64_t deliveries_ = 0;
  std::uint64_t duplicate_effects_ = 0;
  std::uint64_t out_of_order_ = 0;
  std::uint64_t rebalances_ = 0;
  std::uint64_t commits_refused_ = 0;
  std::vector<std::string> errors_;
  std::uint64_t aborted_reads_ = 0;
  sim::Histogram latency_;
  sim::Histogram lag_messages_;
  sim::Histogram lag_time_;
  sim::Histogram oldest_message_age_;
  bool report_schema_versions_ = false;
  const EntityStateTable* entities_ = nullptr;
  OrderingStrategy ordering_ = OrderingStrategy::kApply;
};

}  // namespace deliverysim::models
