#include "app/demo_catalogue.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

namespace deliverysim::app {

namespace {

constexpr const char* kOperators[] = {"==", "!=", "<=", ">=", "<", ">"};

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::string MetricHelp() {
  std::string group, producer;
  for (const char* m : kGroupMetrics) group += std::string(group.empty() ? "" : ", ") + m;
  for (const char* m : kProducerMetrics) producer += std::string(producer.empty() ? "" : ", ") + m;
  return fmt::format(
      "allowed: GROUP.METRIC with METRIC one of {}; producers.NAME.METRIC with "
      "METRIC one of {}; network.packets_lost; network.packets_duplicated; or a "
      "whole number",
      group, producer);
}

Result<Expectation> ParseExpectation(const std::string& text, const std::string& path, int line) {
  for (const char* op : kOperators) {
    const auto at = text.find(op);
    if (at == std::string::npos) continue;
    Expectation e{text, Trim(text.substr(0, at)), op, Trim(text.substr(at + std::strlen(op))),
                  line};
    if (!e.left.empty() && !e.right.empty()) return e;
    break;
  }
  return Error{path, line, 1, "expect",
               fmt::format("'{}' is not a comparison; write METRIC OP VALUE with OP one of ==, "
                           "!=, <, <=, >, >=",
                           text)};
}

std::optional<std::int64_t> WholeNumber(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> GroupMetric(const models::GroupResult& g, const std::string& m) {
  if (m == "intended") return g.intended;
  if (m == "lost") return g.lost;
  if (m == "dead_lettered") return g.dead_lettered;
  if (m == "deliveries") return g.deliveries;
  if (m == "duplicate_deliveries") return g.duplicate_deliveries;
  if (m == "duplicate_effects") return g.duplicate_effects;
  if (m == "out_of_order") return g.out_of_order;
  if (m == "rebalances") return g.rebalances;
  if (m == "commits_refused") return g.commits_refused;
  return std::nullopt;
}

std::optional<std::int64_t> ProducerMetric(const models::ProducerResult& p, const std::string& m) {
  if (m == "intended") return p.intended;
  if (m == "sends") return p.sends;
  if (m == "acknowledged") return p.acknowledged;
  if (m == "gave_up") return p.gave_up;
  return std::nullopt;
}

std::optional<std::int64_t> Value(const std::string& term, const models::RunResult& result) {
  if (auto number = WholeNumber(term)) return number;
  if (term == "network.packets_lost") return result.packets_lost;
  if (term == "network.packets_duplicated") return result.packets_duplicated;
  const auto dot = term.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string owner = term.substr(0, dot);
  const std::string metric = term.substr(dot + 1);
  if (owner.rfind("producers.", 0) == 0) {
    for (const models::ProducerResult& p : result.producers) {
      if (p.name == owner.substr(10)) return ProducerMetric(p, metric);
    }
    return std::nullopt;
  }
  for (const models::GroupResult& g : result.groups) {
    if (g.group == owner) return GroupMetric(g, metric);
  }
  return std::nullopt;
}

}  // namespace

Result<Demo> ReadDemo(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{path, 0, 0, "", "cannot read the demo file"};
  Demo demo;
  demo.path = path;
  demo.name = std::filesystem::path(path).stem().string();
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (text.empty() || text[0] != '#') break;  // the header ends at the first line of YAML
    const std::string body = Trim(text.substr(1));
    const auto colon = body.find(':');
    const std::string field = colon == std::string::npos ? "" : body.substr(0, colon);
    const std::string value = colon == std::string::npos ? "" : Trim(body.substr(colon + 1));
    if (field == "lesson") {
      demo.lesson = value;
    } else if (field == "narration") {
      demo.narration.push_back(value);
    } else if (field == "timeline") {
      demo.timeline.push_back(value);
    } else if (field == "expect") {
      Result<Expectation> expectation = ParseExpectation(value, path, line);
      if (!expectation.ok()) return expectation.error();
      demo.expectations.push_back(expectation.value());
    }
  }
  if (demo.lesson.empty()) {
    return Error{path, 1, 1, "lesson", "a demo opens with a '# lesson: ...' comment line"};
  }
  if (demo.expectations.empty()) {
    return Error{path, 1, 1, "expect",
                 "a demo states its outcome in at least one '# expect: METRIC OP VALUE' line"};
  }
  return demo;
}

Result<std::vector<Demo>> LoadDemoCatalogue(const std::string& folder) {
  std::error_code error;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (entry.path().extension() == ".yaml") paths.push_back(entry.path().string());
  }
  if (error) {
    return Error{folder, 0, 0, "", fmt::format("cannot list the demos: {}", error.message())};
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Demo> demos;
  for (const std::string& path : paths) {
    Result<Demo> demo = ReadDemo(path);
    if (!demo.ok()) return demo.error();
    demos.push_back(std::move(demo.value()));
  }
  return demos;
}

Result<ExpectationOutcome> Check(const Expectation& e, const models::RunResult& result,
                                 const std::string& path) {
  const std::optional<std::int64_t> left = Value(e.left, result);
  const std::optional<std::int64_t> right = Value(e.right, result);
  if (!left || !right) {
    return Error{path, e.line, 1, "expect",
                 fmt::format("'{}' names nothing in this scenario; {}", !left ? e.left : e.right,
                             MetricHelp())};
  }
  ExpectationOutcome outcome{false, *left, *right};
  if (e.op == "==") outcome.holds = *left == *right;
  if (e.op == "!=") outcome.holds = *left != *right;
  if (e.op == "<") outcome.holds = *left < *right;
  if (e.op == "<=") outcome.holds = *left <= *right;
  if (e.op == ">") outcome.holds = *left > *right;
  if (e.op == ">=") outcome.holds = *left >= *right;
  return outcome;
}

}  // namespace deliverysim::app
