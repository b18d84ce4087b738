// SPDX-License-Identifier: MIT
// Private to core's TOML readers: TOML nodes -> C++ values, with every value's location kept. The
// scenario reader uses all of it; the energy-preset reader (energy.cpp) uses the generic part (the
// document, context, scalar readers and table_view), so that both give the same messages
// ("file:line:col: key '...': ...") for unknown, missing and mistyped keys and for quantities.
//
// The reader converts (types, units, the tick grid for values stored as ticks) and locates; it
// checks only what it must to convert: a key's TOML type, its unit, required and unknown keys. The
// rules on values (ranges, references between entries, model parameters) live in the validator
// (scenario_validate*.cpp), which finds the file, line and text of each value in
// scenario::locations, filled here by `note`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/units.hpp"

namespace memspike::scenario_toml {

/// Override values are parsed with this source path, so an error in one names "--set <key>".
constexpr std::string_view override_prefix = "--set ";

struct context {
    std::string file;
    const model_registry& models;
    std::map<std::string, source_location>& locations;  // the scenario's, filled as values are read
};

struct location {
    std::string file;
    int line = 0, column = 0;
};

/// The TOML document in `text`; a syntax error is a scenario_error at its line and column.
toml::table parse_document(const std::string& text, const std::string& file);

location locate_region(const context& cx, const toml::source_region& src);
location locate(const context& cx, const toml::node* n);

/// memspike::fail_at (spec.hpp) for a location and key read here.
[[noreturn]] void fail_at(const location& at, const std::string& key, const std::string& what);
[[noreturn]] void fail(const context& cx, const toml::node* at, const std::string& key, const std::string& what);
[[noreturn]] void wrong_type(const context& cx, const toml::node& n, const std::string& key, const std::string& expected);
[[noreturn]] void invalid(const context& cx, const toml::node& n, const std::string& key, const std::string& rule);

/// Records where the value of `key` is written and how (for the validator's messages); returns it.
source_location note(const context& cx, const toml::node* n, const std::string& key);

std::string type_name(const toml::node& n);
std::string describe(const toml::node& n);
std::string quote(std::string_view s);
std::string dotted(const std::string& prefix, std::string_view k);
std::string list_or_none(const std::vector<std::string>& names);
/// "a time", "an energy": the dimension's name with its article, for messages.
std::string a_dimension(dimension d);
std::string a_quantity(dimension d);

// Scalar readers: one TOML node -> one converted C++ value (noted in the locations).
std::string string_of(const context& cx, const toml::node& n, const std::string& key, const std::string& expected = "a string");
std::int64_t integer_of(const context& cx, const toml::node& n, const std::string& key, std::int64_t min);
double number_of(const context& cx, const toml::node& n, const std::string& key);
bool bool_of(const context& cx, const toml::node& n, const std::string& key);
/// A quantity string of dimension d, in its internal unit. Plain numbers only for dimensionless.
double quantity_of(const context& cx, const toml::node& n, const std::string& key, dimension d);
/// A constant or a distribution table ({ dist = "uniform", low, high } / { dist = "normal", ... }).
distribution distribution_of(const context& cx, const toml::node& n, const std::string& key, dimension d);
/// A time stored as ticks: a negative time gives -1 (the validator rejects it with the value's
/// text); a time off the tick grid cannot be stored and is an error here.
tick_t ticks_of(const context& cx, const toml::node& n, const std::string& key, double resolution_ms);

/// A TOML table with its dotted key, for key checks and typed lookups.
struct table_view {
    const context& cx;
    const toml::table& t;
    std::string key;       // dotted key of the table itself
    const toml::node* at;  // the node to point at for errors about the table as a whole

    const toml::node* get(std::string_view k) const { return t.get(k); }
    std::string sub(std::string_view k) const { return dotted(key, k); }

    /// Rejects keys that are not in `accepted`, pointing at the offending key.
    void only(const std::vector<std::string>& accepted) const;
    [[noreturn]] void missing(std::string_view k, const std::string& what) const;
    const toml::node& required(std::string_view k, const std::string& what) const;

    std::optional<std::string> string(std::string_view k) const;
    std::optional<std::int64_t> integer(std::string_view k, std::int64_t min) const;
    std::optional<double> number(std::string_view k) const;
    std::optional<bool> boolean(std::string_view k) const;
    std::optional<double> quantity(std::string_view k, dimension d) const;
    const toml::array* array(std::string_view k, const std::string& expected) const;
    const toml::table* table(std::string_view k, const std::string& expected) const;
};

/// Rejects keys that belong to another variant (rule or stimulus kind) than the one chosen; each
/// key's owner lists the variants using it, separated by '|'.
void check_variant_keys(const context& cx, const table_view& tv, const std::vector<std::pair<std::string, std::string>>& owner,
                        const std::string& chosen, const std::string& what);

// ---------------------------------------------------------------------------------------------
// The scenario's sections (scenario_read_network.cpp, scenario_read_io.cpp).

simulation_spec read_simulation(const context& cx, const toml::table& root);
std::vector<const toml::table*> entries_of(const context& cx, const toml::table& root, const std::string& section);
population_spec read_population(const context& cx, const toml::table& t, std::size_t index, const simulation_spec& sim);
projection_spec read_projection(const context& cx, const toml::table& t, std::size_t index, const scenario& sc);
stimulus_spec read_stimulus(const context& cx, const toml::table& t, std::size_t index, const scenario& sc);
modulator_spec read_modulator(const context& cx, const toml::table& t, std::size_t index, const scenario& sc);
recording_spec read_recording(const context& cx, const toml::table& root, const scenario& sc);
backend_spec read_backend(const context& cx, const toml::table& root);

/// `neurons = [0, 1, 2]` as indices (range checks are the validator's); empty when absent.
std::vector<std::uint64_t> neuron_list(const context& cx, const table_view& tv);
/// The weight dimension of the port a projection or Poisson stimulus targets, when the target
/// population, its model and the receptor resolve; otherwise nothing (the validator says why).
std::optional<dimension> target_weight_dim(const context& cx, const scenario& sc, const std::string& target,
                                           const std::string& receptor);

/// Applies one --set override to the document (scenario_override.cpp).
void apply_override(toml::table& root, const std::string& key, const std::string& value);

} // namespace memspike::scenario_toml
