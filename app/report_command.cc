#include "app/report_command.h"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app/aggregates.h"
#include "app/atomic_file.h"
#include "app/commands.h"
#include "app/export.h"
#include "app/results_store.h"

extern char** environ;

namespace deliverysim::app {

namespace {

namespace fs = std::filesystem;

void PrintError(const Error& error) { std::cerr << "error: " << error.ToString() << "\n"; }

std::string FindScript() {
  std::error_code ignored;
  const std::string program = fs::read_symlink("/proc/self/exe", ignored).string();
  for (const std::string& candidate : ReportScriptCandidates(program)) {
    if (fs::is_regular_file(candidate, ignored)) return candidate;
  }
  return "";
}

// Runs `arguments` (the program first, looked up on PATH unless it has a slash) and waits;
// returns the exit status, or -1 if it did not start or was killed.
int RunProgram(const std::vector<std::string>& arguments) {
  std::vector<char*> argv;
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t child = 0;
  if (posix_spawnp(&child, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Result<Done> WriteSummary(const std::string& path, const StoredSweep& sweep) {
  AtomicFile file(path);
  if (Result<Done> opened = file.Open(); !opened.ok()) return opened;
  file.stream() << SweepJson(sweep, Aggregates(sweep));
  return file.Commit();
}

}  // namespace

std::vector<std::string> ReportScriptCandidates(const std::string& program_path) {
  std::vector<std::string> candidates;
  if (const char* dir = std::getenv("DELIVERYSIM_ANALYSIS_DIR"); dir && *dir) {
    candidates.push_back((fs::path(dir) / "report.py").string());
  }
  const fs::path bindir = fs::path(program_path).parent_path();
  candidates.push_back((bindir / "analysis" / "report.py").string());
  candidates.push_back((bindir / ".." / "analysis" / "report.py").lexically_normal().string());
  candidates.push_back((bindir / ".." / "share" / "deliverysim" / "analysis" / "report.py")
                           .lexically_normal()
                           .string());
  return candidates;
}

int ReportCommand(const ReportOptions& options) {
  Result<std::unique_ptr<ResultsStore>> store = ResultsStore::OpenExisting(options.database_path);
  if (!store.ok()) {
    PrintError(store.error());
    return kExitBadInput;
  }
  Result<StoredSweep> stored = store.value()->Read();
  if (!stored.ok()) {
    PrintError(stored.error());
    return kExitBadInput;
  }
  const std::string script = FindScript();
  if (script.empty()) {
    std::error_code ignored;
    std::string looked;
    for (const std::string& candidate :
         ReportScriptCandidates(fs::read_symlink("/proc/self/exe", ignored).string())) {
      looked += "\n  " + candidate;
    }
    std::cerr << "error: cannot find analysis/report.py; looked at:" << looked
              << "\nset DELIVERYSIM_ANALYSIS_DIR to the folder that holds it\n";
    return kExitBadInput;
  }
  std::error_code made;
  fs::create_directories(options.output_dir, made);
  if (made || !fs::is_directory(options.output_dir)) {
    PrintError(Error{options.output_dir, 0, 0, "", "cannot create the report folder"});
    return kExitOutputFailed;
  }
  const std::string summary = (fs::path(options.output_dir) / "summary.json").string();
  if (Result<Done> written = WriteSummary(summary, stored.value()); !written.ok()) {
    PrintError(written.error());
    return kExitOutputFailed;
  }
  const char* python = std::getenv("DELIVERYSIM_PYTHON");
  const std::string interpreter = python && *python ? python : "/usr/bin/python3";
  const int status = RunProgram({interpreter, script, "--db", options.database_path, "--summary",
                                 summary, "--out", options.output_dir});
  if (status != 0) {
    std::cerr << fmt::format(
        "error: {} {} failed (exit status {}); is python3-matplotlib "
        "installed? (scripts/install-deps)\n",
        interpreter, script, status);
    return kExitOutputFailed;
  }
  return kExitOk;
}

}  // namespace deliverysim::app
