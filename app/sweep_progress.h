// What a sweep shows while it runs, on standard error. On a terminal: one line redrawn in
// place with a bar, runs done and failed, and an estimate of the time left. Otherwise (a pipe,
// a file, CI logs): one line per point as its last replication finishes.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace deliverysim::app {

class SweepProgress {
 public:
  // `runs_left_per_point` counts the runs this session will do at each point; `labels` names
  // the points. `out` is where to write, and `terminal` whether it is a terminal.
  SweepProgress(std::vector<std::uint32_t> runs_left_per_point, std::vector<std::string> labels,
                std::FILE* out, bool terminal);
  ~SweepProgress();

  void RunFinished(std::uint32_t point, bool ok);

  // The estimate of the time left, from the mean wall time per run so far; exposed for tests.
  static std::string FormatTimeLeft(double seconds);

 private:
  void DrawBar();

  std::vector<std::uint32_t> left_;
  std::vector<std::uint32_t> failed_at_;
  std::vector<std::uint32_t> done_at_;
  std::vector<std::string> labels_;
  std::FILE* out_;
  bool terminal_;
  std::uint32_t total_ = 0;
  std::uint32_t done_ = 0;
  std::uint32_t failed_ = 0;
  std::uint32_t points_total_ = 0;
  std::uint32_t points_done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point drawn_;  // when the bar was last drawn
};

}  // namespace deliverysim::app
