#include "app/scenario_override.h"

#include <fmt/format.h>

#include <cctype>
#include <optional>
#include <vector>

namespace deliverysim::app {

namespace {

// One step of a path: a key, and the list selector that follows it, if any.
struct Step {
  std::string key;
  std::optional<std::string> selector;
};

bool IsKeyCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// "consumers[billing].commit" -> {consumers, billing}, {commit}. An empty result means the
// path does not follow the grammar.
std::vector<Step> ParsePath(std::string_view path) {
  std::vector<Step> steps;
  std::size_t i = 0;
  while (i < path.size()) {
    Step step;
    while (i < path.size() && IsKeyCharacter(path[i])) step.key += path[i++];
    if (step.key.empty()) return {};
    if (i < path.size() && path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos || close == i + 1) return {};
      step.selector = std::string(path.substr(i + 1, close - i - 1));
      i = close + 1;
    }
    steps.push_back(std::move(step));
    if (i == path.size()) break;
    if (path[i] != '.' || i + 1 == path.size()) return {};
    ++i;
  }
  return steps;
}

bool IsIndex(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The item of `list` chosen by `selector`, or an explanation of why none is.
std::optional<std::size_t> SelectItem(const YAML::Node& list, const std::string& selector,
                                      const std::string& where, std::string& problem) {
  if (IsIndex(selector)) {
    const std::size_t index = std::stoul(selector);
    if (index < list.size()) return index;
    problem = fmt::format("{} has {} item(s); no item {}", where, list.size(), selector);
    return std::nullopt;
  }
  std::string names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    for (const char* name_key : {"name", "group"}) {
      const YAML::Node name = list[i][name_key];
      if (!name.IsDefined() || !name.IsScalar()) continue;
      if (name.Scalar() == selector) return i;
      names += (names.empty() ? "" : ", ") + name.Scalar();
    }
  }
  problem = fmt::format("{} has no item named '{}'; named items: {}", where, selector,
                        names.empty() ? "none (use an index such as [0])" : names);
  return std::nullopt;
}

}  // namespace

std::string OverrideAt(YAML::Node root, std::string_view path, const YAML::Node& value,
                       std::string* resolved) {
  const std::vector<Step> steps = ParsePath(path);
  if (steps.empty()) {
    return fmt::format(
        "'{}' is not a path; write keys joined by dots, with [index] or [name] after a list, "
        "as in consumers[billing].commit or faults[0].loss",
        path);
  }
  std::string where;  // the resolved path so far
  YAML::Node node = root;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const Step& step = steps[s];
    const bool last = s + 1 == steps.size() && !step.selector;
    if (!node.IsMap())
      return fmt::format("{} is not a map", where.empty() ? "the scenario" : where);
    const std::string key_path = where.empty() ? step.key : where + "." + step.key;
    if (last) {
      node[step.key] = value;
      where = key_path;
      break;
    }
    YAML::Node child = node[step.key];
    if (!child.IsDefined()) return fmt::format("the scenario has no key {}", key_path);
    where = key_path;
    if (!step.selector) {
      node.reset(child);
      continue;
    }
    if (!child.IsSequence()) {
      return fmt::format("{} is not a list, so [{}] fails", where, *step.selector);
    }
    std::string problem;
    const std::optional<std::size_t> item = SelectItem(child, *step.selector, where, problem);
    if (!item) return problem;
    where += fmt::format("[{}]", *item);
    if (s + 1 == steps.size()) {
      child[*item] = value;
      break;
    }
    node.reset(child[*item]);
  }
  if (resolved != nullptr) *resolved = where;
  return "";
}

}  // namespace deliverysim::app
