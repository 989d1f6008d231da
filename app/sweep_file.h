// A sweep file: a base scenario, the parameters to vary and how often to repeat each point.
// The format is documented in docs/SWEEPS.md.
//
//   Result<SweepDefinition> sweep = LoadSweepFile("sweeps/crash-rates.yaml");
//   for (const SweepPoint& point : ExpandPoints(sweep.value())) ...
//
// Mistakes in the sweep file itself are Errors naming its file, line, column and key; a value
// that the base scenario refuses is found by app/sweep_plan.h, which loads every point before
// anything runs.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/result.h"

namespace deliverysim::app {

enum class Combine { kGrid, kZip };

// One value a parameter takes, with where the sweep file gave it (for errors).
struct ParameterValue {
  YAML::Node node;    // set into the scenario at the parameter's path
  std::string label;  // how tables, the store and plots show it
  int line = 0;       // 1-based position in the sweep file
  int column = 0;
  std::string key;  // "parameters[0].values[2]"
};

struct SweepParameter {
  std::string path;   // in the scenario, such as consumers[billing].commit
  std::string name;   // a column name; the path unless the file gives one
  int path_line = 0;  // where the sweep file gives the path, for errors
  int path_column = 0;
  std::vector<ParameterValue> values;
};

struct SweepDefinition {
  std::string file;           // the sweep file, as given
  std::string scenario_path;  // the base scenario, resolved against the sweep file's folder
  std::string scenario_as_written;
  std::string scenario_text;          // the base scenario's bytes, part of the definition
  std::optional<std::uint64_t> seed;  // the base seed; the scenario's seed when absent
  std::uint32_t replications = 1;
  Combine combine = Combine::kGrid;
  std::vector<SweepParameter> parameters;
};

// One point of the sweep: for each parameter, the index of the value it takes.
struct SweepPoint {
  std::uint32_t index = 0;
  std::vector<std::uint32_t> choice;  // per parameter
};

Result<SweepDefinition> LoadSweepFile(const std::string& path);
// `file_name` names the sweep in errors and resolves the scenario path against its folder.
Result<SweepDefinition> LoadSweepText(const std::string& text, const std::string& file_name);

// Every point, in a fixed order: for a grid the last parameter varies fastest.
std::vector<SweepPoint> ExpandPoints(const SweepDefinition& sweep);

// "commit=inbox crash_rate=2", for tables and progress lines.
std::string PointLabel(const SweepDefinition& sweep, const SweepPoint& point);

// The definition in a canonical text (JSON, keys sorted), which changes exactly when the
// results could: the base scenario's bytes, the seed, the replications, the parameters and
// their values, and the program's version. The store keeps it to refuse a changed sweep.
std::string CanonicalDefinition(const SweepDefinition& sweep);

}  // namespace deliverysim::app
