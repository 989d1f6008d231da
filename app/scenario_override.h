// Replacing one value in a parsed scenario by its path, for sweeps.
//
//   YAML::Node tree = YAML::Clone(base);
//   std::string problem = OverrideAt(tree, "consumers[billing].commit", YAML::Node("inbox"),
//                                    &resolved);   // resolved: "consumers[0].commit"
//
// A path is keys joined by dots; a list item is chosen by its index, `faults[0]`, or by its
// name, `consumers[billing]`, which matches the item whose `name` or `group` is that word. A
// missing last key is added, so that an optional key can be swept; every other step must exist.
// The scenario loader then checks the new value exactly as it checks a scenario file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace deliverysim::app {

// Sets the node at `path` in `root` to `value`. Returns "" on success, or what is wrong with
// the path. On success `resolved` (if not null) receives the path with list items by index,
// as the scenario loader names keys in its errors.
std::string OverrideAt(YAML::Node root, std::string_view path, const YAML::Node& value,
                       std::string* resolved);

}  // namespace deliverysim::app
