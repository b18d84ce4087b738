// SPDX-License-Identifier: MIT
// Private to the validator (scenario_validate*.cpp): how a rule that broke names its value.
//
// A value is located by its dotted key: scenario::locations holds the file, line, column and
// written text of every value read from a file. A value set in code has no entry there; it is
// located at its entry's `where` (set by the reader, or by code that wants a location) or by its
// key alone, and shown as it would be written in a file ("\"20 ms\"", 0.5, "\"E\""), so the same
// bad value gives the same message however the scenario was made.
#pragma once

#include <string>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/units.hpp"

namespace memspike::scenario_check {

constexpr std::uint64_t max_population_size = 0xffffffffULL;  // neuron indices are 32-bit per partition

struct checker {
    const scenario& sc;
    const model_registry* models;  // null for the [simulation] checks of duration_ticks()

    /// The location of `field` of the entry at `base`: its own when it was read from a file,
    /// else the nearest enclosing table's, else the entry's.
    source_location at(const source_location& base, const std::string& field) const;
    /// The location of a top-level table ("simulation", "recording"), or the key alone.
    source_location section(const std::string& key) const;
    /// Whether `field` of `base` was written in the file (defaults and code-built values are not).
    bool written(const source_location& base, const std::string& field) const;

    [[noreturn]] void fail(const source_location& base, const std::string& field, const std::string& what) const;
    /// "<value> is invalid (<rule>)", the value as written, or `shown` when set in code.
    [[noreturn]] void invalid(const source_location& base, const std::string& field, const std::string& shown,
                              const std::string& rule) const;
    /// The tick-grid rule: `ms` must be a whole number of ticks of the resolution.
    void on_grid(const source_location& base, const std::string& field, double ms) const;
};

/// How values set in code are shown in messages: as they would be written in a scenario file.
std::string quantity_text(double v, dimension d);
std::string quoted(const std::string& s);
std::string list_or_none(const std::vector<std::string>& names);

/// The key of an entry of an array of tables: its `where` key when set, else "<section>.<name>",
/// else "<section>[<index>]".
source_location entry(const source_location& where, const std::string& section, const std::string& name, std::size_t index);

// The checks, section by section (scenario_validate.cpp, scenario_validate_io.cpp).
void check_simulation(const checker& c);
void check_populations(const checker& c);
void check_projections(const checker& c);
void check_stimuli(const checker& c);
void check_modulators(const checker& c);
void check_recording(const checker& c);
void check_backend(const checker& c);

/// `times` with a parallel `values` array (step amplitudes, modulator values): the same length,
/// at least one, times >= 0, strictly increasing and on the tick grid.
void check_schedule(const checker& c, const source_location& base, const std::vector<double>& times_ms,
                    std::size_t values, const std::string& values_key);
/// A neuron index list: each below the population size, none twice.
void check_neurons(const checker& c, const source_location& base, const std::vector<std::uint64_t>& neurons,
                   const population_spec& pop);
/// "no population named 'X' (populations: ...)" unless it exists; the population.
const population_spec& population_ref(const checker& c, const source_location& base, const std::string& field,
                                      const std::string& name);
/// The port a projection or Poisson stimulus at `base` targets (fields target and receptor).
const port_info& target_port(const checker& c, const source_location& base, const population_spec& target,
                             const std::string& receptor);

} // namespace memspike::scenario_check
