// SPDX-License-Identifier: MIT
// The keys of each scenario section, described as data: the single source of the reader's accepted
// keys (and so of the "accepted: ..." list of an unknown-key error) and of the key tables in
// docs/scenario-format.md (tests/unit/core/test_scenario_keys.cpp fails when the doc's tables
// differ from scenario_keys_markdown()).
#pragma once

#include <string>
#include <vector>

namespace memspike {

struct scenario_key {
    std::string name;
    std::string type;      // the TOML type and dimension, as documented: "time", "array of integers"
    std::string fallback;  // the default, or "required", as documented
    std::string kinds;     // sections with variants ([[stimulus]]): the kinds that use the key
    std::string rule;      // accepted values and what the key does
};

struct scenario_section {
    std::string name;     // "simulation", "population", "recording.trace", ...
    std::string heading;  // the start of the line in docs/scenario-format.md that the table follows
    std::vector<scenario_key> keys;
};

/// Every table of the format, in the doc's order.
const std::vector<scenario_section>& scenario_sections();

/// The section named `name`; throws internal_error for an unknown one.
const scenario_section& scenario_section_named(const std::string& name);

/// The accepted key names of a section, in the doc's order.
std::vector<std::string> scenario_key_names(const std::string& section);

/// The section's key table as Markdown, exactly as docs/scenario-format.md has it.
std::string scenario_keys_markdown(const scenario_section& section);

} // namespace memspike
