// Service-Bus-style queues: lock expiry and duplicate detection. The rest of their behaviour
// (delivery count, dead-letter sub-queue, locks kept past a closed connection) is a branch of
// the queue broker's own paths; sessions are in queue_broker_sessions.cc.
#include "models/queue_broker.h"

namespace deliverysim::models {

void QueueBroker::OnLockExpired(std::uint64_t arg) {
  Consumer& consumer = consumers_[arg >> 40];
  const std::uint64_t tag = arg & ((std::uint64_t{1} << 40) - 1);
  // The lock may belong to a live connection or to one that closed; settled, it is gone.
  std::map<std::uint64_t, Entry>* held = &consumer.unacked;
  auto found = held->find(tag);
  if (found == held->end()) {
    held = &consumer.orphaned;
    found = held->find(tag);
    if (found == held->end()) return;
  }
  const Entry entry = found->second;
  held->erase(found);
  ++queues_[consumer.queue].stats.lock_expiries;
  TraceDelivery("lock-expired", consumer, tag, entry.record, "redelivered", entry.redelivered);
  Return(consumer.queue, entry, /*to_back=*/false);
  Dispatch(consumer.queue);
}

bool QueueBroker::SeenRecently(Queue& queue, MessageId id) {
  const sim::Time window = queue.config->duplicate_detection_window;
  if (window == 0) return false;
  // Forget what left the window, then look.
  while (!queue.recent.empty() && queue.recent.front().first <= engine_.now() - window) {
    const MessageId old = queue.recent.front().second;
    const auto key = std::make_pair(old.producer, old.number);
    if (--queue.recent_count[key] == 0) queue.recent_count.erase(key);
    queue.recent.pop_front();
  }
  const auto key = std::make_pair(id.producer, id.number);
  if (queue.recent_count.count(key)) return true;
  queue.recent.emplace_back(engine_.now(), id);
  ++queue.recent_count[key];
  return false;
}

}  // namespace deliverysim::models
