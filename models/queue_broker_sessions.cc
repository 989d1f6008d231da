// Service Bus sessions: a session id (the message's key) is locked by at most one receiver at
// a time, which gets that session's messages in position order. Without sessions, competing
// receivers process one key's messages side by side and may finish them out of order.
#include <algorithm>

#include "models/queue_broker.h"

namespace deliverysim::models {

void QueueBroker::DispatchSessions(std::uint32_t q) {
  Queue& queue = queues_[q];
  bool delivered = true;
  while (delivered && !queue.ready.empty() && !queue.consumers.empty()) {
    delivered = false;
    // Round-robin over the receivers with room, as without sessions.
    const std::size_t count = queue.consumers.size();
    for (std::size_t step = 0; step < count && !delivered; ++step) {
      const std::size_t candidate = (queue.cursor + step) % count;
      const std::uint32_t c = queue.consumers[candidate];
      if (!HasRoom(consumers_[c])) continue;
      const auto next = NextOfSession(queue, c);
      if (next == queue.ready.end()) continue;
      const Entry entry = *next;
      queue.ready.erase(next);
      queue.cursor = (candidate + 1) % count;
      Deliver(c, entry);
      delivered = true;
    }
  }
}

std::deque<QueueBroker::Entry>::iterator QueueBroker::NextOfSession(Queue& queue, std::uint32_t c) {
  Consumer& consumer = consumers_[c];
  if (consumer.has_session) {
    const std::uint32_t session = consumer.session;
    const auto mine = std::find_if(queue.ready.begin(), queue.ready.end(),
                                   [&](const Entry& e) { return e.record.key == session; });
    if (mine != queue.ready.end()) return mine;
    // Keep the session while a message of it is in hand, so that none overtakes it elsewhere.
    for (const auto& [tag, entry] : consumer.unacked) {
      if (entry.record.key == session) return queue.ready.end();
    }
    queue.session_locks.erase(session);
    consumer.has_session = false;
  }
  for (auto it = queue.ready.begin(); it != queue.ready.end(); ++it) {
    const auto lock = queue.session_locks.find(it->record.key);
    const bool free = lock == queue.session_locks.end() ||
                      (lock->second.consumer < 0 && lock->second.until <= engine_.now());
    if (!free) continue;
    queue.session_locks[it->record.key] = {static_cast<int>(c), 0};
    consumer.has_session = true;
    consumer.session = it->record.key;
    return it;
  }
  return queue.ready.end();
}

void QueueBroker::OrphanSession(std::uint32_t q, Consumer& consumer) {
  Queue& queue = queues_[q];
  if (!queue.config->sessions || !consumer.has_session) return;
  consumer.has_session = false;
  const sim::Time until = engine_.now() + queue.config->lock_duration;
  queue.session_locks[consumer.session] = {-1, until};
  engine_.Schedule(until, id_, kSessionLockExpired, q);
}

}  // namespace deliverysim::models
