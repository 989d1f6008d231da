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

}  // namespace deliverysim::app
