#include "models/outbox_table.h"

#include <algorithm>

namespace deliverysim::models {

std::vector<Record> OutboxTable::StartRound(std::size_t limit) {
  round_size_ = std::min(limit, rows_.size());
  settled_ = 0;
  std::vector<Record> records;
  records.reserve(round_size_);
  for (std::size_t i = 0; i < round_size_; ++i) {
    rows_[i].state = RowState::kInRound;
    records.push_back(rows_[i].record);
  }
  return records;
}

void OutboxTable::Settle(MessageId id, RowState state) {
  // A round holds the first rows, whose message numbers ascend.
  const auto round_end = rows_.begin() + static_cast<std::ptrdiff_t>(round_size_);
  auto row = std::lower_bound(rows_.begin(), round_end, id.number, [](const Row& r, auto number) {
    return r.record.id.number < number;
  });
  if (row == round_end || !(row->record.id == id) || row->state != RowState::kInRound) return;
  row->state = state;
  ++settled_;
}

std::size_t OutboxTable::DeletePublished() {
  std::deque<Row> kept;
  std::size_t deleted = 0;
  for (std::size_t i = 0; i < round_size_; ++i) {
    if (rows_[i].state == RowState::kPublished) {
      ++deleted;
    } else {
      kept.push_back({rows_[i].record, RowState::kWaiting});
    }
  }
  rows_.erase(rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(round_size_));
  rows_.insert(rows_.begin(), kept.begin(), kept.end());
  round_size_ = settled_ = 0;
  return deleted;
}

void OutboxTable::AbandonRound() {
  for (std::size_t i = 0; i < round_size_; ++i) rows_[i].state = RowState::kWaiting;
  round_size_ = settled_ = 0;
}

}  // namespace deliverysim::models
