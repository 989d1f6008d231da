// The ledger of intents: it numbers each producer's messages and tells the watchers (the
// groups' metrics) when and what a producer's application committed to publish. Nothing in
// the simulated system reads it; it belongs to the measuring side.
#pragma once

#include <cstdint>
#include <vector>

#include "models/message.h"
#include "sim/time.h"

namespace deliverysim::models {

class IntentWatcher {
 public:
  virtual ~IntentWatcher() = default;
  virtual void OnIntent(MessageId id, sim::Time at) = 0;
};

class MessageLedger {
 public:
  explicit MessageLedger(std::size_t producers) : intended_(producers, 0), watchers_(producers) {}

  // `watcher` hears of every later intent of `producer`; it must outlive the ledger's use.
  void Watch(std::uint32_t producer, IntentWatcher* watcher) {
    watchers_[producer].push_back(watcher);
  }

  // Records a new intent and returns its id. Numbers run 0, 1, 2... per producer.
  MessageId Intend(std::uint32_t producer, sim::Time now) {
    const MessageId id{producer, static_cast<std::uint32_t>(intended_[producer]++)};
    for (IntentWatcher* watcher : watchers_[producer]) watcher->OnIntent(id, now);
    return id;
  }

  std::uint64_t intended(std::uint32_t producer) const { return intended_[producer]; }

 private:
  std::vector<std::uint64_t> intended_;
  std::vector<std::vector<IntentWatcher*>> watchers_;
};

}  // namespace deliverysim::models
