// The teaching commands: `explain` tells a message's story, `graph` draws the topology, `demo`
// runs the bundled lessons. Each returns the process exit status of app/commands.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace deliverysim::app {

struct ExplainOptions {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;
  std::string message;              // --message ID
  std::optional<std::int64_t> key;  // --key K
  bool worst = false;               // --worst
};

// How many messages `explain --key` tells at most.
inline constexpr std::size_t kMaxStories = 50;

int ExplainCommand(const ExplainOptions& options);

// A demo whose run did not show what its header promises: a bug in the models or the demo.
inline constexpr int kExitDemoFailed = 3;

struct DemoOptions {
  std::string name;    // empty: list the demos
  std::string folder;  // where the demo files are
  std::optional<int> width;
};

// The demos bundled with this source tree (scenarios/demos).
std::string DefaultDemoFolder();

int DemoCommand(const DemoOptions& options);

}  // namespace deliverysim::app
