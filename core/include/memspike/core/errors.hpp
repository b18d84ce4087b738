// SPDX-License-Identifier: MIT
// The error hierarchy of memspike. Every error for bad input names what was wrong, the value
// received and the rule it broke; nothing is silently clamped.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace memspike {

/// Base of every error memspike throws for bad input or a failed operation.
struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A parameter value broke its rule, e.g. "lif_delta: tau_m = 0 ms is invalid (must be > 0)".
struct invalid_parameter : error {
    invalid_parameter(std::string owner, std::string name, std::string value, std::string rule);
    std::string owner, name, value, rule;
};

/// A parameter name that the owner does not know; lists the names it does know.
struct unknown_parameter : error {
    unknown_parameter(std::string owner, std::string name, std::vector<std::string> known);
    std::string owner, name;
    std::vector<std::string> known;
};

/// A model (neuron model, connectivity rule, stimulus kind...) that is not registered.
struct unknown_model : error {
    unknown_model(std::string kind, std::string name, std::vector<std::string> known);
    std::string kind, name;
    std::vector<std::string> known;
};

/// An error located in a scenario file: file, line, column and dotted key.
/// Message form: "brunel.toml:12:9: key 'population.params.tau_m': <what>".
struct scenario_error : error {
    scenario_error(std::string file, int line, int column, std::string key, std::string what);
    std::string file;
    int line = 0, column = 0;
    std::string key, what;
};

/// An HDF5 or other I/O failure; names the file.
struct io_error : error {
    using error::error;
};

/// A backend that is not compiled in or not available.
struct backend_unavailable : error {
    backend_unavailable(std::string backend, std::string reason);
    std::string backend, reason;
};

/// A bug in memspike itself, never the user's fault.
struct internal_error : std::logic_error {
    explicit internal_error(const std::string& what)
        : std::logic_error("memspike internal error (please report): " + what) {}
};

/// Joins names for messages: "a, b, c".
std::string join_names(const std::vector<std::string>& names);

} // namespace memspike
