// The sweep, export and report commands. Each returns the process exit status of
// app/commands.h: 0 success, 1 an output could not be written, 2 bad input.
#pragma once

#include <string>

namespace deliverysim::app {

struct SweepOptions {
  std::string sweep_path;
  std::string database_path;  // empty: the sweep file's name with .db, in the current folder
  unsigned jobs = 0;          // 0: one per hardware thread
};

int SweepCommand(const SweepOptions& options);

struct ExportOptions {
  std::string database_path;
  bool csv = false;
  bool json = false;
  bool runs = false;  // CSV: one row per run instead of the aggregates
  std::string output_path;
};

int ExportCommand(const ExportOptions& options);

// The database a sweep writes when -o is not given: "sweeps/crash-rates.yaml" ->
// "crash-rates.db".
std::string DefaultDatabasePath(const std::string& sweep_path);

}  // namespace deliverysim::app
