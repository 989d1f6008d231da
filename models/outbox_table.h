// The outbox table of a transactional outbox: the business transaction inserts the event as a
// row in the same database transaction as the business change, and a relay publishes rows in
// rounds and then deletes the ones the broker acknowledged. The table is durable: a crash of the
// service or its relay loses no row, but rows published and not yet deleted are published again
// by the next round, which is where the outbox's duplicates come from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "models/message.h"

namespace deliverysim::models {

class OutboxTable {
 public:
  // A business transaction committed, with its event as a row.
  void Insert(const Record& record) { rows_.push_back({record, RowState::kWaiting}); }

  // Opens a round with up to `limit` of the oldest rows and returns their records.
  // REQUIRES: no round is open.
  std::vector<Record> StartRound(std::size_t limit);

  // The broker acknowledged a row's record, or the client gave it up.
  void Published(MessageId id) { Settle(id, RowState::kPublished); }
  void Failed(MessageId id) { Settle(id, RowState::kFailed); }

  bool round_open() const { return round_size_ > 0; }
  // Every row of the open round was acknowledged or given up.
  bool round_settled() const { return round_open() && settled_ == round_size_; }

  // Ends the round, deleting the rows it published; returns how many. Failed rows stay, first
  // in line for the next round.
  std::size_t DeletePublished();

  // The relay died: the round's rows stay, waiting for the next round.
  void AbandonRound();

  std::size_t size() const { return rows_.size(); }

 private:
  enum class RowState { kWaiting, kInRound, kPublished, kFailed };
  struct Row {
    Record record;
    RowState state;
  };

  void Settle(MessageId id, RowState state);

  std::deque<Row> rows_;  // in insertion order, so ids ascend; a round is the first rows
  std::size_t round_size_ = 0;
  std::size_t settled_ = 0;
};

}  // namespace deliverysim::models
