// SPDX-License-Identifier: MIT
// `memspike run|validate|inspect graph.nir`: the NIR graph lowered to a scenario file (docs/nir.md).
#pragma once

#include <string>
#include <vector>

namespace memspike::cli {

/// Whether `path` names a NIR graph (the extension .nir).
bool is_nir_graph(const std::string& path);

/// Lowers `graph` into `dir` (default: "<graph stem>_nir" in the current directory) with the input
/// section `input_file` ("" for none) and returns the path of the scenario file written there.
/// The resolution comes from a `--set simulation.resolution=` in `sets`, else the input section,
/// else 0.1 ms. `time_unit` ("1 s" when empty) is what one NIR time unit is. A `dir` that exists
/// and was not written by this function is refused.
std::string prepare_nir_scenario(const std::string& graph, const std::string& input_file, const std::vector<std::string>& sets,
                                 std::string dir, const std::string& time_unit = "");

} // namespace memspike::cli
