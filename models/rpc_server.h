// One instance of a service in a request-response flow (FlowStyle::kRequestResponse): it takes
// calls from the flow's caller over the network, performs them one at a time, each for a
// sampled processing time, and answers done or failed.
//
// The service's database (CallLedger, shared by its instances and surviving their crashes)
// remembers each step and compensation it performed, by flow: a call made again, after a reply
// was lost or came too late, is answered from it without doing the work twice, as a service
// that honours idempotency keys does. A crashed instance drops the calls it held; their
// callers time out.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include "models/crashable.h"
#include "models/flow_metrics.h"
#include "models/network.h"
#include "models/scenario.h"
#include "sim/distribution.h"
#include "sim/engine.h"
#include "sim/random.h"

namespace deliverysim::models {

// What a service performed, by flow and event type asked for.
class CallLedger {
 public:
  // The outcome already recorded for this call, if any.
  const bool* Find(std::uint32_t flow, EventType asked) const {
    const auto it = outcomes_.find(Key(flow, asked));
    return it == outcomes_.end() ? nullptr : &it->second;
  }
  void Record(std::uint32_t flow, EventType asked, bool ok) { outcomes_[Key(flow, asked)] = ok; }

 private:
  static std::uint64_t Key(std::uint32_t flow, EventType asked) {
    return (std::uint64_t{flow} << 16) | asked;
  }
  std::unordered_map<std::uint64_t, bool> outcomes_;
};

class RpcServer : public sim::Component, public Crashable {
 public:
  static constexpr std::uint32_t kDone = 1;     // arg: incarnation
  static constexpr std::uint32_t kRestart = 2;  // arg: incarnation that crashed

  // `flow_index` is the flow's index in the scenario; `processing` the service's settings.
  RpcServer(sim::Engine& engine, Network& network, const FlowConfig& flow, std::uint32_t flow_index,
            std::string name, sim::Distribution processing, std::uint64_t seed, CallLedger& ledger,
            FlowMetrics& metrics);

  // Opens the link back to the caller.
  void Start(sim::ComponentId self, const std::string& caller, sim::ComponentId caller_id);

  const std::string& name() const override { return name_; }
  void Crash(sim::Time restart_after) override;
  void OnEvent(const sim::Event& event) override;

 private:
  struct Call {
    std::uint32_t flow;
    std::uint64_t number;
    EventType asked;
  };

  void StartNext();
  void Finish();
  // Performs `call` in the service's database and returns whether it succeeded.
  bool Perform(const Call& call);

  sim::Engine& engine_;
  Network& network_;
  const FlowConfig& flow_;
  const std::uint32_t flow_index_;
  const std::string name_;
  const sim::Distribution processing_;
  const std::uint64_t seed_;
  CallLedger& ledger_;
  FlowMetrics& metrics_;
  sim::RandomStream random_;
  sim::ComponentId self_ = 0;
  LinkId reply_link_{};
  std::deque<Call> queue_;
  bool busy_ = false;
  bool alive_ = true;
  std::uint64_t incarnation_ = 0;
};

}  // namespace deliverysim::models
