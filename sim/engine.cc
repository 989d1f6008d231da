#include "sim/engine.h"

#include <cassert>

namespace deliverysim::sim {

ComponentId Engine::Register(Component* component) {
  components_.push_back(component);
  return static_cast<ComponentId>(components_.size() - 1);
}

void Engine::Schedule(Time at, ComponentId target, std::uint32_t kind, std::uint64_t arg) {
  assert(at >= now_ && "an event cannot be scheduled in the past");
  assert(target < components_.size());
  queue_.Push(Event{at, next_sequence_++, target, kind, arg});
}

void Engine::RunUntil(Time end) {
  while (!queue_.empty() && queue_.top().at <= end) {
    Event event = queue_.Pop();
    now_ = event.at;
    ++events_run_;
    components_[event.target]->OnEvent(event);
  }
  if (end > now_) now_ = end;
}

}  // namespace deliverysim::sim
