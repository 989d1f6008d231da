// The subcommands of the deliverysim program. Each returns the process exit status:
//   0 success; 1 the run could not write its output; 2 the input was wrong (a bad scenario
//   file or command line).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "app/timeline_run.h"

namespace deliverysim::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitOutputFailed = 1;
inline constexpr int kExitBadInput = 2;

struct RunOptions {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;  // overrides the file's seed
  bool json = false;                  // print the JSON result instead of the table
  std::string trace_path;             // empty: no trace
  TimelineOptions timeline;           // --timeline, --timeline-html and their filters
};

int RunCommand(const RunOptions& options);
int ValidateCommand(const std::string& scenario_path);

}  // namespace deliverysim::app
