// The run loop. Components register once, then talk only by scheduling events on each other.
//
//   Engine engine;
//   ComponentId me = engine.Register(&my_component);
//   engine.Schedule(engine.now() + kMillisecond, me, kTick, 0);
//   engine.RunUntil(10 * kSecond);
//
// Dispatch is one virtual call through the component table per event: no allocation and no
// type-erased callback per event.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/event.h"
#include "sim/event_queue.h"
#include "sim/time.h"

namespace deliverysim::sim {

class Component {
 public:
  virtual ~Component() = default;
  // Called when an event targeting this component comes due; engine.now() == event.at.
  virtual void OnEvent(const Event& event) = 0;
};

class Engine {
 public:
  // The engine does not own the component; it must outlive every run of the engine.
  ComponentId Register(Component* component);

  // Schedules an event. REQUIRES: at >= now(); target was returned by Register.
  void Schedule(Time at, ComponentId target, std::uint32_t kind, std::uint64_t arg);
  void ScheduleAfter(Time delay, ComponentId target, std::uint32_t kind, std::uint64_t arg) {
    Schedule(now_ + delay, target, kind, arg);
  }

  // Runs every event with at <= end in (time, scheduling) order, then sets now() to end.
  // Events scheduled later than end stay pending for a following call.
  void RunUntil(Time end);

  Time now() const { return now_; }
  std::uint64_t events_run() const { return events_run_; }
  std::size_t pending() const { return queue_.size(); }

 private:
  EventQueue queue_;
  std::vector<Component*> components_;
  Time now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
};

}  // namespace deliverysim::sim
