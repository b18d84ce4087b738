// SPDX-License-Identifier: MIT
// Scenario files (TOML): parsing, --set overrides, validation. Every error names the file, line,
// key, the value received and what is accepted; unknown keys are errors.
#pragma once

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

/// Reads and validates a scenario file. Overrides are applied to the TOML document before
/// validation and are validated like the file (errors name "--set <key>").
scenario load_scenario(const std::string& path, const model_registry& models,
                       const std::vector<override_entry>& overrides = {});

/// Same from text already in memory; `file` is used in messages.
scenario parse_scenario(const std::string& text, const std::string& file, const model_registry& models,
                        const std::vector<override_entry>& overrides = {});

} // namespace memspike
