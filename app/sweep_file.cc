#include "app/sweep_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/version.h"

namespace deliverysim::app {

namespace {

constexpr std::uint32_t kMaxReplications = 100'000;
constexpr std::uint32_t kMaxRangeCount = 10'000;
constexpr std::uint64_t kMaxRuns = 10'000'000;

// Thrown inside this file only, and turned into a Result at its edge.
struct SweepFailure {
  Error error;
};

[[noreturn]] void Fail(const std::string& file, const YAML::Node& node, const std::string& key,
                       const std::string& message) {
  const YAML::Mark mark = node.Mark();
  throw SweepFailure{Error{file, mark.line + 1, mark.column + 1, key, message}};
}

void ExpectKeys(const std::string& file, const YAML::Node& node, const std::string& key,
                const std::vector<std::string>& allowed) {
  if (!node.IsMap()) Fail(file, node, key, "expected a map of keys (key: value)");
  for (const auto& entry : node) {
    const std::string name = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string list;
    for (const std::string& word : allowed) list += (list.empty() ? "" : ", ") + word;
    Fail(file, entry.first, key.empty() ? name : key + "." + name, "unknown key; allowed: " + list);
  }
}

std::string Scalar(const std::string& file, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) Fail(file, node, key, "expected a single value");
  return node.Scalar();
}

double Number(const std::string& file, const YAML::Node& node, const std::string& key) {
  const std::string text = Scalar(file, node, key);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    Fail(file, node, key, "expected a number, got '" + text + "'");
  }
  return value;
}

std::uint64_t Whole(const std::string& file, const YAML::Node& node, const std::string& key,
                    std::uint64_t min, std::uint64_t max) {
  const std::string text = Scalar(file, node, key);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    Fail(file, node, key,
         fmt::format("expected a whole number from {} to {}, got '{}'", min, max, text));
  }
  return value;
}

// A range's numbers become scenario text through `format`, where {} stands for the number:
// "{}/s" makes 250 into "250/s". Twelve significant digits hide the last-bit noise of the
// arithmetic (0.1 * 3), so the labels read as a person would write them.
std::string FormatNumber(double value, const std::string& format) {
  const std::string number = fmt::format("{:.12g}", value);
  const std::size_t slot = format.find("{}");
  return format.substr(0, slot) + number + format.substr(slot + 2);
}

void LoadRange(const std::string& file, const YAML::Node& item, const std::string& key,
               bool logarithmic, SweepParameter& parameter) {
  const std::string range_key = key + (logarithmic ? ".log" : ".linear");
  const YAML::Node range = item[logarithmic ? "log" : "linear"];
  ExpectKeys(file, range, range_key, {"from", "to", "count"});
  for (const char* needed : {"from", "to", "count"}) {
    if (!range[needed]) Fail(file, range, range_key, std::string("missing key '") + needed + "'");
  }
  const double from = Number(file, range["from"], range_key + ".from");
  const double to = Number(file, range["to"], range_key + ".to");
  const auto count = static_cast<std::uint32_t>(
      Whole(file, range["count"], range_key + ".count", 1, kMaxRangeCount));
  if (logarithmic && !(from > 0 && to > 0)) {
    Fail(file, range, range_key, "a logarithmic range needs 'from' and 'to' above 0");
  }
  std::string format = "{}";
  if (item["format"]) {
    format = Scalar(file, item["format"], key + ".format");
    if (format.find("{}") == std::string::npos) {
      Fail(file, item["format"], key + ".format",
           "expected text with {} where the number goes, such as \"{}/s\" or \"{}ms\"");
    }
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const double fraction = count == 1 ? 0.0 : static_cast<double>(i) / (count - 1);
    const double value =
        logarithmic ? from * std::pow(to / from, fraction) : from + (to - from) * fraction;
    const std::string text = FormatNumber(value, format);
    const YAML::Mark mark = range.Mark();
    parameter.values.push_back(
        ParameterValue{YAML::Node(text), text, mark.line + 1, mark.column + 1, range_key});
  }
}

void LoadValues(const std::string& file, const YAML::Node& item, const std::string& key,
                SweepParameter& parameter) {
  const YAML::Node values = item["values"];
  if (!values.IsSequence() || values.size() == 0) {
    Fail(file, values, key + ".values", "expected a list of at least one value");
  }
  const YAML::Node labels = item["labels"];
  if (labels && (!labels.IsSequence() || labels.size() != values.size())) {
    Fail(file, labels, key + ".labels",
         fmt::format("expected a list of {} labels, one per value", values.size()));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string value_key = fmt::format("{}.values[{}]", key, i);
    std::string label;
    if (labels) {
      label = Scalar(file, labels[i], fmt::format("{}.labels[{}]", key, i));
    } else if (values[i].IsScalar()) {
      label = values[i].Scalar();
    } else {
      Fail(file, values[i], value_key,
           "a list or map value needs a name: give 'labels', one per value");
    }
    const YAML::Mark mark = values[i].Mark();
    parameter.values.push_back(
        ParameterValue{values[i], label, mark.line + 1, mark.column + 1, value_key});
  }
}

SweepParameter LoadParameter(const std::string& file, const YAML::Node& item,
                             const std::string& key) {
  ExpectKeys(file, item, key, {"path", "name", "values", "labels", "linear", "log", "format"});
  if (!item["path"]) Fail(file, item, key, "missing required key 'path'");
  SweepParameter parameter;
  parameter.path = Scalar(file, item["path"], key + ".path");
  parameter.path_line = item["path"].Mark().line + 1;
  parameter.path_column = item["path"].Mark().column + 1;
  if (parameter.path == "seed") {
    Fail(file, item["path"], key + ".path",
         "every run gets its own seed from the sweep's seed, the point and the replication; "
         "set 'seed' and 'replications' at the top of the sweep file instead");
  }
  parameter.name = item["name"] ? Scalar(file, item["name"], key + ".name") : parameter.path;
  const int kinds = (item["values"] ? 1 : 0) + (item["linear"] ? 1 : 0) + (item["log"] ? 1 : 0);
  if (kinds != 1) {
    Fail(file, item, key, "give exactly one of 'values', 'linear' or 'log'");
  }
  if (item["labels"] && !item["values"]) {
    Fail(file, item["labels"], key + ".labels", "labels go with 'values'");
  }
  if (item["format"] && item["values"]) {
    Fail(file, item["format"], key + ".format", "format goes with 'linear' or 'log'");
  }
  if (item["values"]) {
    LoadValues(file, item, key, parameter);
  } else {
    LoadRange(file, item, key, item["log"].IsDefined(), parameter);
  }
  return parameter;
}

void CheckCombination(const std::string& file, const YAML::Node& root, SweepDefinition& sweep) {
  if (sweep.combine == Combine::kZip) {
    for (std::size_t i = 1; i < sweep.parameters.size(); ++i) {
      if (sweep.parameters[i].values.size() != sweep.parameters[0].values.size()) {
        Fail(file, root["parameters"][i], fmt::format("parameters[{}]", i),
             fmt::format("combine: zip needs the same number of values in every parameter; "
                         "parameters[0] has {}, this one {}",
                         sweep.parameters[0].values.size(), sweep.parameters[i].values.size()));
      }
    }
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < sweep.parameters.size(); ++i) {
    if (std::find(names.begin(), names.end(), sweep.parameters[i].name) != names.end()) {
      Fail(file, root["parameters"][i], fmt::format("parameters[{}].name", i),
           "two parameters with the name '" + sweep.parameters[i].name + "'");
    }
    names.push_back(sweep.parameters[i].name);
  }
  const std::uint64_t runs = ExpandPoints(sweep).size() * std::uint64_t{sweep.replications};
  if (runs > kMaxRuns) {
    Fail(file, root["parameters"], "parameters",
         fmt::format("{} runs (points times replications); at most {}", runs, kMaxRuns));
  }
}

SweepDefinition LoadRoot(const std::string& file, const YAML::Node& root) {
  ExpectKeys(file, root, "", {"scenario", "seed", "replications", "combine", "parameters"});
  SweepDefinition sweep;
  sweep.file = file;
  if (!root["scenario"]) Fail(file, root, "scenario", "missing required key 'scenario'");
  sweep.scenario_as_written = Scalar(file, root["scenario"], "scenario");
  const std::filesystem::path folder = std::filesystem::path(file).parent_path();
  sweep.scenario_path = (folder / sweep.scenario_as_written).lexically_normal().string();
  std::ifstream in(sweep.scenario_path, std::ios::binary);
  if (!in || std::filesystem::is_directory(sweep.scenario_path)) {
    Fail(file, root["scenario"], "scenario",
         "cannot read the scenario file " + sweep.scenario_path +
             " (a path relative to the sweep file's folder)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  sweep.scenario_text = text.str();
  if (root["seed"]) sweep.seed = Whole(file, root["seed"], "seed", 0, UINT64_MAX);
  if (root["replications"]) {
    sweep.replications = static_cast<std::uint32_t>(
        Whole(file, root["replications"], "replications", 1, kMaxReplications));
  }
  if (root["combine"]) {
    const std::string combine = Scalar(file, root["combine"], "combine");
    if (combine == "zip") {
      sweep.combine = Combine::kZip;
    } else if (combine != "grid") {
      Fail(file, root["combine"], "combine", "unknown value '" + combine + "'; allowed: grid, zip");
    }
  }
  const YAML::Node parameters = root["parameters"];
  if (!parameters.IsSequence() || parameters.size() == 0) {
    Fail(file, parameters ? parameters : root, "parameters",
         "expected a list of at least one parameter");
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    sweep.parameters.push_back(
        LoadParameter(file, parameters[i], fmt::format("parameters[{}]", i)));
  }
  CheckCombination(file, root, sweep);
  return sweep;
}

}  // namespace

Result<SweepDefinition> LoadSweepText(const std::string& text, const std::string& file_name) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (root.IsNull()) {
      return Error{file_name, 1, 1, "", "the file is empty; a sweep needs scenario and parameters"};
    }
    return LoadRoot(file_name, root);
  } catch (const SweepFailure& failure) {
    return failure.error;
  } catch (const YAML::Exception& e) {
    return Error{file_name, e.mark.line + 1, e.mark.column + 1, "", "not valid YAML: " + e.msg};
  }
}

Result<SweepDefinition> LoadSweepFile(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return Error{path, 0, 0, "", "is a directory, not a sweep file"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "", "cannot open the file for reading"};
  std::ostringstream text;
  text << in.rdbuf();
  return LoadSweepText(text.str(), path);
}

std::vector<SweepPoint> ExpandPoints(const SweepDefinition& sweep) {
  std::vector<SweepPoint> points;
  const std::size_t n = sweep.parameters.size();
  if (sweep.combine == Combine::kZip) {
    for (std::uint32_t i = 0; i < sweep.parameters[0].values.size(); ++i) {
      points.push_back(SweepPoint{i, std::vector<std::uint32_t>(n, i)});
    }
    return points;
  }
  // A grid counts like an odometer: the last parameter turns fastest.
  std::vector<std::uint32_t> choice(n, 0);
  for (std::uint32_t index = 0;; ++index) {
    points.push_back(SweepPoint{index, choice});
    std::size_t p = n;
    while (p > 0) {
      --p;
      if (++choice[p] < sweep.parameters[p].values.size()) break;
      choice[p] = 0;
      if (p == 0) return points;
    }
  }
}

std::string PointLabel(const SweepDefinition& sweep, const SweepPoint& point) {
  std::string label;
  for (std::size_t p = 0; p < sweep.parameters.size(); ++p) {
    label += (label.empty() ? "" : " ") + sweep.parameters[p].name + "=" +
             sweep.parameters[p].values[point.choice[p]].label;
  }
  return label;
}

std::string CanonicalDefinition(const SweepDefinition& sweep) {
  nlohmann::json parameters = nlohmann::json::array();
  for (const SweepParameter& parameter : sweep.parameters) {
    nlohmann::json values = nlohmann::json::array();
    for (const ParameterValue& value : parameter.values) {
      YAML::Emitter emitter;
      emitter << YAML::Flow << value.node;
      values.push_back({{"label", value.label}, {"yaml", emitter.c_str()}});
    }
    parameters.push_back({{"path", parameter.path}, {"name", parameter.name}, {"values", values}});
  }
  const nlohmann::json definition{
      {"deliverysim_version", kVersion},
      {"scenario", sweep.scenario_as_written},
      {"scenario_text", sweep.scenario_text},
      {"seed", sweep.seed ? nlohmann::json(*sweep.seed) : nlohmann::json(nullptr)},
      {"replications", sweep.replications},
      {"combine", sweep.combine == Combine::kZip ? "zip" : "grid"},
      {"parameters", parameters},
  };
  return definition.dump(2) + "\n";
}

}  // namespace deliverysim::app
