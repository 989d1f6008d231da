#include "models/transactions.h"

#include <algorithm>

namespace deliverysim::models {

Transactions::Transactions(const std::vector<std::uint32_t>& partitions_per_topic,
                           std::size_t producers)
    : epochs_(producers, 0), open_(producers, 0), written_(producers) {
  for (std::uint32_t partitions : partitions_per_topic) open_in_.emplace_back(partitions);
}

std::uint64_t Transactions::Init(std::uint32_t producer, std::uint64_t epoch) {
  epochs_[producer] = std::max(epochs_[producer], epoch);
  return open_[producer];
}

bool Transactions::Appended(std::uint32_t producer, std::uint64_t transaction,
                            TopicPartition partition, std::int64_t offset) {
  const bool opened = open_[producer] != transaction;
  open_[producer] = transaction;
  std::vector<TopicPartition>& written = written_[producer];
  if (std::find(written.begin(), written.end(), partition) == written.end()) {
    written.push_back(partition);
    open_in_[partition.first][partition.second].push_back({transaction, offset});
  }
  return opened;
}

std::vector<Transactions::TopicPartition> Transactions::End(std::uint32_t producer,
                                                            std::uint64_t transaction,
                                                            bool commit) {
  if (!open(producer, transaction)) return {};
  std::vector<TopicPartition> written;
  written.swap(written_[producer]);
  for (const TopicPartition& partition : written) {
    auto& open = open_in_[partition.first][partition.second];
    open.erase(
        std::remove_if(open.begin(), open.end(),
                       [&](const OpenInPartition& o) { return o.transaction == transaction; }),
        open.end());
  }
  open_[producer] = 0;
  if (!commit) aborted_.insert(transaction);
  return written;
}

std::int64_t Transactions::FirstOpenOffset(TopicPartition partition) const {
  std::int64_t first = kNoOpenTransaction;
  for (const OpenInPartition& open : open_in_[partition.first][partition.second]) {
    first = std::min(first, open.first_offset);
  }
  return first;
}

}  // namespace deliverysim::models
