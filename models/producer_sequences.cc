#include "models/producer_sequences.h"

namespace deliverysim::models {

ProducerSequences::Decision ProducerSequences::Check(std::uint32_t topic, std::uint32_t partition,
                                                     std::uint64_t producer_id,
                                                     std::int32_t base_sequence,
                                                     std::int32_t count) const {
  auto found = states_.find(Key{topic, partition, producer_id});
  const std::int32_t last = found == states_.end() ? -1 : found->second.last_sequence;
  if (base_sequence == last + 1) return {Verdict::kAppend, -1};
  if (base_sequence > last + 1) return {Verdict::kGap, -1};
  // At or below the last sequence: a retry of a batch already in the log.
  if (found != states_.end()) {
    for (const Batch& batch : found->second.recent) {
      if (batch.first == base_sequence && batch.last == base_sequence + count - 1) {
        return {Verdict::kDuplicate, batch.offset};
      }
    }
  }
  // Older than the five batches kept. Kafka answers DUPLICATE_SEQUENCE_NUMBER, which the
  // client treats as success; the offset is no longer known.
  return {Verdict::kDuplicate, -1};
}

void ProducerSequences::Forget(std::uint32_t topic, std::uint32_t partition) {
  states_.erase(states_.lower_bound(Key{topic, partition, 0}),
                states_.lower_bound(Key{topic, partition + 1, 0}));
}

void ProducerSequences::Appended(std::uint32_t topic, std::uint32_t partition,
                                 std::uint64_t producer_id, std::int32_t base_sequence,
                                 std::int32_t count, std::int64_t offset) {
  State& state = states_[Key{topic, partition, producer_id}];
  state.recent[state.next] = Batch{base_sequence, base_sequence + count - 1, offset};
  state.next = (state.next + 1) % kBatchesKept;
  state.last_sequence = base_sequence + count - 1;
}

}  // namespace deliverysim::models
