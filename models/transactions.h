// The transaction coordinator's state for transactional producers (KIP-98), kept by the log
// broker: each producer's current epoch, its open transaction and the partitions it wrote, the
// first offset each open transaction holds in each partition (which bounds the last stable
// offset that read_committed consumers may read up to), and which transactions aborted.
//
// A producer is identified by its index and its epoch by its incarnation: a restarted producer
// with the same transactional id starts a higher epoch, which fences the old one and aborts its
// open transaction.
#pragma once

#include <cstdint>
#include <limits>
#include <set>
#include <utility>
#include <vector>

namespace deliverysim::models {

class Transactions {
 public:
  using TopicPartition = std::pair<std::uint32_t, std::uint32_t>;
  static constexpr std::int64_t kNoOpenTransaction = std::numeric_limits<std::int64_t>::max();

  Transactions(const std::vector<std::uint32_t>& partitions_per_topic, std::size_t producers);

  // A producer starts with `epoch`. Returns the transaction of an older epoch still open, which
  // the caller must abort, or 0.
  std::uint64_t Init(std::uint32_t producer, std::uint64_t epoch);
  bool Fenced(std::uint32_t producer, std::uint64_t epoch) const {
    return epoch < epochs_[producer];
  }

  // A record of `transaction` was appended at `offset`. Returns true when this opened the
  // transaction, so the caller can arm its timeout.
  bool Appended(std::uint32_t producer, std::uint64_t transaction, TopicPartition partition,
                std::int64_t offset);

  // Ends the producer's open `transaction`, returning the partitions that need a marker; none
  // when it is not open (ended already, so a repeated request changes nothing).
  std::vector<TopicPartition> End(std::uint32_t producer, std::uint64_t transaction, bool commit);

  bool open(std::uint32_t producer, std::uint64_t transaction) const {
    return transaction != 0 && open_[producer] == transaction;
  }
  bool aborted(std::uint64_t transaction) const { return aborted_.count(transaction) > 0; }

  // The first offset an open transaction holds in the partition, or kNoOpenTransaction.
  std::int64_t FirstOpenOffset(TopicPartition partition) const;

 private:
  struct OpenInPartition {
    std::uint64_t transaction;
    std::int64_t first_offset;
  };

  std::vector<std::uint64_t> epochs_;                               // per producer
  std::vector<std::uint64_t> open_;                                 // per producer; 0: none
  std::vector<std::vector<TopicPartition>> written_;                // per producer, of the open one
  std::vector<std::vector<std::vector<OpenInPartition>>> open_in_;  // [topic][partition]
  std::set<std::uint64_t> aborted_;  // looked up only, so its order never shows
};

}  // namespace deliverysim::models
