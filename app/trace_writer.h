// A trace sink that writes one JSON object per line:
//   {"t":1234567,"kind":"append","topic":"orders","partition":3,"offset":17,...}
// `t` is the simulated time in nanoseconds. The file appears, complete, only when Finish
// succeeds.
#pragma once

#include <string>

#include "app/atomic_file.h"
#include "app/result.h"
#include "sim/trace.h"

namespace deliverysim::app {

class JsonLinesTrace : public sim::TraceSink {
 public:
  explicit JsonLinesTrace(std::string path) : file_(std::move(path)) {}

  Result<Done> Open() { return file_.Open(); }
  void Record(sim::Time at, std::string_view kind,
              std::initializer_list<sim::TraceField> fields) override;
  Result<Done> Finish() { return file_.Commit(); }

 private:
  AtomicFile file_;
  std::string line_;
};

// Appends `text` to `out` as a JSON string, quotes included.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace deliverysim::app
