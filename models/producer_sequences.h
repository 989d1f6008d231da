// What a Kafka-style broker remembers of each idempotent producer, per partition: the
// sequence numbers of its last five batches and where they landed. With it the broker drops a
// retried batch it already appended (answering with the first copy's offset) and refuses a
// batch that would leave a gap, so retries neither duplicate nor reorder records.
//
// Five because a producer may have at most five requests in flight with idempotence on: any
// retry is then of one of the last five batches.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <tuple>

namespace deliverysim::models {

class ProducerSequences {
 public:
  static constexpr int kBatchesKept = 5;

  enum class Verdict { kAppend, kDuplicate, kGap };
  struct Decision {
    Verdict verdict = Verdict::kAppend;
    std::int64_t offset = -1;  // kDuplicate: the first copy's offset, or -1 when forgotten
  };

  // What to do with a batch of `count` records whose first has sequence `base_sequence`.
  Decision Check(std::uint32_t topic, std::uint32_t partition, std::uint64_t producer_id,
                 std::int32_t base_sequence, std::int32_t count) const;

  // Forgets every producer's state in the partition, as a new leader would before rebuilding
  // it from the batches in its own log (replicated_log.h).
  void Forget(std::uint32_t topic, std::uint32_t partition);

  // Remembers an appended batch. REQUIRES: Check() said kAppend.
  void Appended(std::uint32_t topic, std::uint32_t partition, std::uint64_t producer_id,
                std::int32_t base_sequence, std::int32_t count, std::int64_t offset);

 private:
  struct Batch {
    std::int32_t first = -1;
    std::int32_t last = -1;
    std::int64_t offset = -1;
  };
  struct State {
    std::array<Batch, kBatchesKept> recent;  // a ring of the last batches appended
    std::uint32_t next = 0;                  // where the next one goes in the ring
    std::int32_t last_sequence = -1;
  };
  using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>;

  // Looked up, never iterated, so the map's order cannot leak into results.
  std::map<Key, State> states_;
};

}  // namespace deliverysim::models
