// SPDX-License-Identifier: MIT
// Scenarios: reading TOML files (with --set overrides) and the one validation pass every scenario
// goes through, however it was made (file, --set, the C++ builder, Python). Every error names the
// file, line, key, the value received and what is accepted; unknown keys are errors.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/model.hpp"
#include "memspike/core/spec.hpp"

namespace memspike {

/// One override "dotted.key=toml-value" from the command line (--set), e.g.
/// `simulation.duration="2 s"` or `population.E.size=800` (array-of-tables entries are addressed by
/// their `name`).
struct override_entry {
    std::string key;
    std::string value;  // TOML value text
};

/// Parses "key=value" into an override; throws error naming the flag for a malformed entry.
override_entry parse_override(const std::string& text);

/// scenario::overrides as the text of the result file's root attribute scenario_overrides: the
/// TOML document `overrides = [["dotted.key", "TOML value text"], ...]` (in order; [] for none).
std::string format_overrides(const std::vector<std::pair<std::string, std::string>>& overrides);

/// Reads format_overrides' text back; throws io_error naming `where` (file and attribute) for
/// anything else.
std::vector<override_entry> parse_overrides_text(const std::string& text, const std::string& where);

/// Checks every value of a scenario against its rules (ranges, the tick grid, references between
/// entries, model and rule parameters, plasticity weight bounds) and throws scenario_error for the
/// first broken rule, located by the `locations` and `where` fields: "file:line:column: key '...'"
/// for values read from a file, "<scenario>: key '...'" for values set in code. Network
/// construction (simulation's constructor calls this) trusts what passed.
void validate(const scenario& sc, const model_registry& models);

/// The thread-count rule, for `simulation.threads` and for every thread count given in code
/// (simulation's constructor, run_points): empty when `threads` is accepted, else what it breaks.
std::string threads_rule_broken(std::uint64_t threads);

/// Reads and validates a scenario file. Overrides are applied to the TOML document before
/// validation and are validated like the file (errors name "--set <key>").
scenario load_scenario(const std::string& path, const model_registry& models,
                       const std::vector<override_entry>& overrides = {});

/// Same from text already in memory; `file` is used in messages.
scenario parse_scenario(const std::string& text, const std::string& file, const model_registry& models,
                        const std::vector<override_entry>& overrides = {});

} // namespace memspike
