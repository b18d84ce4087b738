// SPDX-License-Identifier: MIT
// `memspike report` (a run's energy per hardware model, beside the baselines, and per chip) and
// `inspect --chip` (the network mapped onto chips): the energy side of the command line, apart
// from main.cpp's argument handling. docs/energy.md, docs/chips.md.
#pragma once

#include <string>

#include "memspike/core/scenario.hpp"

namespace memspike::cli {

/// `inspect --chip a,b|all`: the network mapped onto each chip (no build needed).
void print_chip_mappings(const memspike::scenario& sc, const std::string& chips);

/// `report FILE [--models a,b] [--baseline NAME] [--json] [--chips a,b|all]`; the exit code.
int cmd_report(const std::string& file, const std::string& models_arg, const std::string& baseline_arg, bool json,
               const std::string& chips);

}  // namespace memspike::cli
