#include "app/topology_graph.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "app/atomic_file.h"
#include "app/commands.h"
#include "app/scenario_loader.h"
#include "app/trace_writer.h"

extern char** environ;

namespace deliverysim::app {

namespace {

using models::NodeKind;

const char* Shape(NodeKind kind) {
  switch (kind) {
    case NodeKind::kProducer: return "shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\"";
    case NodeKind::kTopic: return "shape=folder, style=filled, fillcolor=\"#fef3c7\"";
    case NodeKind::kPartition: return "shape=box, fontsize=10";
    case NodeKind::kGroup: return "shape=ellipse, style=filled, fillcolor=\"#dcfce7\"";
    case NodeKind::kInstance: return "shape=ellipse, fontsize=10";
    case NodeKind::kExchange: return "shape=diamond, style=filled, fillcolor=\"#fae8ff\"";
    case NodeKind::kQueue: return "shape=cylinder, style=filled, fillcolor=\"#fef3c7\"";
    case NodeKind::kDeadLetterQueue: return "shape=cylinder, style=filled, fillcolor=\"#fecaca\"";
    case NodeKind::kService: return "shape=component, style=filled, fillcolor=\"#e0e7ff\"";
  }
  return "shape=box";
}

// A DOT string: the same escapes as JSON's for quotes and backslashes suffice.
std::string Quoted(const std::string& text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

Error SvgError(const std::string& message) { return Error{"", 0, 0, "--svg", message}; }

Result<std::string> RunDot(const std::string& input_path) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) return SvgError("could not create a pipe to read dot's output");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
  std::string program = "dot", format = "-Tsvg", input = input_path;
  char* argv[] = {program.data(), format.data(), input.data(), nullptr};
  pid_t child = 0;
  const int spawned = posix_spawnp(&child, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_ends[1]);
  if (spawned != 0) {
    close(pipe_ends[0]);
    return SvgError(
        "Graphviz's 'dot' was not found on PATH; install graphviz "
        "(scripts/install-deps does) or leave out --svg");
  }
  std::string svg;
  char buffer[65536];
  for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) svg.append(buffer, n);
  close(pipe_ends[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return SvgError("Graphviz's 'dot' failed on the generated graph");
  }
  return svg;
}

}  // namespace

std::string TopologyToDot(const models::Topology& topology, const std::string& title) {
  const models::TopologyGraph& g = topology.graph();
  std::string out = fmt::format("digraph {} {{\n", Quoted(title));
  out +=
      "  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", "
      "fontsize=9];\n";
  out += fmt::format("  label={}; labelloc=t;\n", Quoted(title));
  for (auto [v, end] = boost::vertices(g); v != end; ++v) {
    out += fmt::format("  n{} [label={}, {}, tooltip={}];\n", *v, Quoted(g[*v].name),
                       Shape(g[*v].kind),
                       Quoted(std::string(models::NodeKindName(g[*v].kind)) + " " + g[*v].name));
  }
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    const std::string& label = g[*e].label;
    out += fmt::format("  n{} -> n{}{};\n", boost::source(*e, g), boost::target(*e, g),
                       label.empty() ? "" : " [label=" + Quoted(label) + "]");
  }
  return out + "}\n";
}

Result<std::string> DotToSvg(const std::string& dot_text) {
  // dot reads a file rather than a pipe, so that a large graph cannot fill both pipes at once.
  char path[] = "/tmp/deliverysim-graph-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return SvgError("could not create a temporary file for dot's input");
  const bool written =
      write(fd, dot_text.data(), dot_text.size()) == static_cast<ssize_t>(dot_text.size());
  close(fd);
  Result<std::string> svg = written ? RunDot(path) : SvgError("could not write dot's input");
  std::remove(path);
  return svg;
}

int GraphCommand(const GraphOptions& options) {
  Result<models::Scenario> loaded = LoadScenarioFile(options.scenario_path);
  if (!loaded.ok()) {
    std::cerr << "error: " << loaded.error().ToString() << "\n";
    return kExitBadInput;
  }
  const models::Scenario& scenario = loaded.value();
  const models::Topology topology = models::BuildTopology(scenario);
  for (const std::string& warning : topology.Warnings()) {
    std::cerr << "warning: " << options.scenario_path << ": " << warning << "\n";
  }
  const std::string dot = TopologyToDot(topology, scenario.name);
  auto write = [](const std::string& path, const std::string& text) -> Result<Done> {
    AtomicFile file(path);
    if (auto opened = file.Open(); !opened.ok()) return opened.error();
    file.stream() << text;
    return file.Commit();
  };
  if (options.dot_path.empty()) {
    std::cout << dot;
  } else if (auto done = write(options.dot_path, dot); !done.ok()) {
    std::cerr << "error: " << done.error().ToString() << "\n";
    return kExitOutputFailed;
  }
  if (!options.svg_path.empty()) {
    Result<std::string> svg = DotToSvg(dot);
    if (!svg.ok()) {
      std::cerr << "error: " << svg.error().ToString() << "\n";
      return kExitOutputFailed;
    }
    if (auto done = write(options.svg_path, svg.value()); !done.ok()) {
      std::cerr << "error: " << done.error().ToString() << "\n";
      return kExitOutputFailed;
    }
  }
  std::cout.flush();
  return std::cout ? kExitOk : kExitOutputFailed;
}

}  // namespace deliverysim::app
