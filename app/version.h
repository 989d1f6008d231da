#pragma once

namespace deliverysim::app {
// The results of a scenario and seed are byte-identical for one version; a model change that
// alters results must change the version.
inline constexpr const char* kVersion = "0.2.0";
// The version of the --json output's layout, documented in docs/OUTPUT.md.
inline constexpr const char* kRunSchema = "deliverysim.run/1";
}  // namespace deliverysim::app
