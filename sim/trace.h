// The trace sink: a structured record (time, kind, named fields) per notable event, written
// only when a user asks for a trace. Components hold a TraceSink pointer that is null when
// tracing is off, so the cost of an unused trace is one branch.
//
//   if (trace_) trace_->Record(engine.now(), "append",
//                              {TraceField::Text("topic", name), TraceField::Number("offset", 7)});
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "sim/time.h"

namespace deliverysim::sim {

struct TraceField {
  std::string_view name;
  std::int64_t number = 0;
  std::string_view text;
  bool is_text = false;

  static TraceField Number(std::string_view name, std::int64_t value) {
    return {name, value, {}, false};
  }
  static TraceField Text(std::string_view name, std::string_view value) {
    return {name, 0, value, true};
  }
};

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // The views are valid only during the call.
  virtual void Record(Time at, std::string_view kind, std::initializer_list<TraceField> fields) = 0;
};

}  // namespace deliverysim::sim
