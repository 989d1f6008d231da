// `deliverysim report DB -o DIR`: an HTML report of a sweep, with PNG and SVG figures, written
// by analysis/report.py (Python with matplotlib) from the database and the sweep's JSON export.
//
// The script is looked for, in order, at
//   $DELIVERYSIM_ANALYSIS_DIR/report.py
//   BINDIR/analysis/report.py          (a copy beside the program)
//   BINDIR/../analysis/report.py       (the build tree: build/deliverysim and analysis/)
//   BINDIR/../share/deliverysim/analysis/report.py   (after 'cmake --install')
// where BINDIR is the folder of the running program. It runs under $DELIVERYSIM_PYTHON (looked
// up on PATH when it has no slash), or /usr/bin/python3, Debian's Python with matplotlib.
#pragma once

#include <string>
#include <vector>

namespace deliverysim::app {

struct ReportOptions {
  std::string database_path;
  std::string output_dir;
};

int ReportCommand(const ReportOptions& options);

// The places the script is looked for, in order, for the program at `program_path`.
std::vector<std::string> ReportScriptCandidates(const std::string& program_path);

}  // namespace deliverysim::app
