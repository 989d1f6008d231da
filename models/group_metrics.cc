#include "models/group_metrics.h"

#include <algorithm>
#include <cassert>

namespace deliverysim::models {

GroupMetrics::GroupMetrics(MessageLedger& ledger, const std::vector<std::uint32_t>& producers,
                           const std::vector<std::uint32_t>& keys_per_producer) {
  for (std::uint32_t producer : producers) {
    if (producer >= slot_of_producer_.size()) slot_of_producer_.resize(producer + 1, -1);
    slot_of_producer_[producer] = static_cast<int>(per_producer_.size());
    PerProducer entry{producer, {}, {}, {}, {}, {}, 0, {}, {}};
    entry.highest_sequence_plus_one.assign(keys_per_producer[producer], 0);
    per_producer_.push_back(std::move(entry));
    ledger.Watch(producer, this);
  }
}

void GroupMetrics::OnIntent(MessageId id, sim::Time at) {
  PerProducer& mine = Of(id);
  ++mine.intended;
  mine.unprocessed.Add(id.number, at, mine.processed, mine.intended - mine.processed.count());
}

GroupMetrics::PerProducer& GroupMetrics::Of(MessageId id) {
  assert(id.producer < slot_of_producer_.size() && slot_of_producer_[id.producer] >= 0);
  return per_producer_[static_cast<std::size_t>(slot_of_producer_[id.producer])];
}

bool GroupMetrics::Processed(MessageId id) const {
  if (id.producer >= slot_of_producer_.size() || slot_of_producer_[id.producer] < 0) return false;
  return per_producer_[static_cast<std::size_t>(slot_of_producer_[id.producer])].processed.Test(
      id.number);
}

void GroupMetrics::OnDelivery(const Record& record) {
  ++deliveries_;
  Of(record.id).delivered.TestAndSet(record.id.number);
}

void GroupMetrics::OnEffect(const Record& record, sim::Time now) {
  PerProducer& mine = Of(record.id);
  if (mine.processed.TestAndSet(record.id.number)) {
    // A repeat is a duplicate, not a reordering: a batch appended twice, or redone after a
    // crash, goes back over sequences it already processed, in their order.
    ++duplicate_effects_;
    return;
  }
  latency_.Record(now - record.intent_time);
  // Services' events carry their flow as the key, outside any producer's key range; their
  // order is a flow's business (flow_metrics.h).
  if (record.key >= mine.highest_sequence_plus_one.size()) return;

  // Out of order: a later sequence of the same key was processed before this one.
  std::uint32_t& highest = mine.highest_sequence_plus_one[record.key];
  if (record.sequence + 1 < highest) {
    ++out_of_order_;
  } else {
    highest = record.sequence + 1;
  }
}

void GroupMetrics::FinishEntities(GroupResult& result) const {
  result.has_entities = true;
  result.ordering = OrderingStrategyName(ordering_);
  result.events_dropped = entities_->dropped();
  // An entity's ordered stream is its processed events by sequence, so its final state is the
  // one written from the highest sequence processed; one sequence is one event, kind included.
  for (const PerProducer& mine : per_producer_) {
    for (std::uint32_t key = 0; key < mine.highest_sequence_plus_one.size(); ++key) {
      const std::uint32_t highest_plus_one = mine.highest_sequence_plus_one[key];
      if (highest_plus_one == 0) continue;
      ++result.entities;
      const std::optional<EntityState> state = entities_->Find(mine.producer, key);
      if (state && state->version + 1 == highest_plus_one) {
        ++result.entities_matching;
      } else {
        ++result.entities_diverged;
      }
    }
  }
}

std::uint64_t GroupMetrics::processed() const {
  std::uint64_t processed = 0;
  for (const PerProducer& mine : per_producer_) processed += mine.processed.count();
  return processed;
}

sim::Time GroupMetrics::SampleTimeLag(sim::Time now) {
  sim::Time oldest_age = 0;
  for (PerProducer& mine : per_producer_) {
    const sim::Time oldest = mine.unprocessed.OldestIntentTime(mine.processed);
    if (oldest >= 0) oldest_age = std::max(oldest_age, now - oldest);
  }
  lag_time_.Record(oldest_age);
  return oldest_age;
}

void GroupMetrics::Finish(GroupResult& result) const {
  std::uint64_t intended = 0, processed = 0, delivered_ids = 0;
  for (const PerProducer& mine : per_producer_) {
    intended += mine.intended;
    processed += mine.processed.count();
    delivered_ids += mine.delivered.count();
  }
  result.intended = intended;
  // A dead-lettered message is reported apart from the lost ones, unless it was processed too.
  std::uint64_t dead_lettered = 0, dead_lettered_unprocessed = 0;
  for (const PerProducer& mine : per_producer_) {
    dead_lettered += mine.dead_lettered.count();
    if (mine.dead_lettered.count() == 0) continue;
    for (std::uint64_t number = 0; number < mine.intended; ++number) {
      if (mine.dead_lettered.Test(number) && !mine.processed.Test(number)) {
        ++dead_lettered_unprocessed;
      }
    }
  }
  result.lost = intended - processed - dead_lettered_unprocessed;
  // Queue brokers dead-letter through exchanges; the log broker only events its group cannot
  // read (OnUnreadable).
  result.dead_lettered = dead_lettered;
  result.deliveries = deliveries_;
  result.duplicate_deliveries = deliveries_ - delivered_ids;
  result.duplicate_effects = duplicate_effects_;
  result.out_of_order = out_of_order_;
  result.lag_messages = {lag_messages_.max(), lag_messages_.Mean(), lag_messages_.Quantile(0.99)};
  result.lag_time = {lag_time_.max(), lag_time_.Mean(), lag_time_.Quantile(0.99)};
  result.has_oldest_message_age = oldest_message_age_.count() > 0;
  result.oldest_message_age = {oldest_message_age_.max(), oldest_message_age_.Mean(),
                               oldest_message_age_.Quantile(0.99)};
  result.latency = {latency_.count(), latency_.Quantile(0.50), latency_.Quantile(0.90),
                    latency_.Quantile(0.99), latency_.max()};
  result.rebalances = rebalances_;
  result.commits_refused = commits_refused_;
  result.errors = errors_;
  result.aborted_reads = aborted_reads_;
  if (report_schema_versions_) {
    result.has_schema_versions = true;
    for (const PerProducer& mine : per_producer_) {
      result.read_as_older_version += mine.read_as_older.count();
      result.dead_lettered_unreadable += mine.unreadable.count();
    }
  }
  if (entities_) FinishEntities(result);
  if (latency_.count() > 0) {
    for (int percent = 0; percent < 100; ++percent) {
      result.latency_percentiles.push_back(latency_.Quantile(percent / 100.0));
    }
    // The top is the exact maximum, as in LatencySummary; the histogram rounds above 2048 ns.
    result.latency_percentiles.push_back(latency_.max());
  }
}

}  // namespace deliverysim::models
