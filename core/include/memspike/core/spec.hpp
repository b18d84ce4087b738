// SPDX-License-Identifier: MIT
// The network description: plain data produced by the scenario parser (TOML), the C++ builder
// (builder.hpp) or the Python builder, checked by validate() (scenario.hpp) and consumed by network
// construction. All quantities are stored in the internal unit of their
// dimension (see units.hpp): ms, mV, pA, nS, pF, MOhm, Hz.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/random.hpp"
#include "memspike/core/time.hpp"

namespace memspike {

/// Where a value came from, so errors raised after parsing (validation, build time) can still name
/// the file, line and key. Empty file for values set from code.
struct source_location {
    std::string file;
    int line = 0, column = 0;
    std::string key;
    std::string text = {};  // the value as written in the file ("\"20 ms\""), for messages; "" from code
};

/// Throws scenario_error located at `at` ("file:line:col: key '<at.key>': <what>"): the one helper
/// every reader, validator and builder uses for an error about a located value.
[[noreturn]] void fail_at(const source_location& at, const std::string& what);

/// A value that is either constant or drawn per synapse / per neuron.
struct distribution {
    enum class kind { constant, uniform, normal };
    /// What happens to a draw outside [min, max]: it is an error (the build fails and says how
    /// to fix it), or it is redrawn (a truncated distribution). Never a silent clip.
    enum class out_of_range { error, redraw };

    kind k = kind::constant;
    double value = 0.0;            // constant
    double low = 0.0, high = 0.0;  // uniform [low, high)
    double mean = 0.0, sd = 0.0;   // normal
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    out_of_range policy = out_of_range::error;
    source_location where;

    static distribution constant(double v) {
        distribution d;
        d.value = v;
        return d;
    }
    bool is_constant() const { return k == kind::constant; }

    /// One draw; throws scenario_error (located at `where`) for an out-of-range draw under the
    /// `error` policy, or after 1000 consecutive rejected redraws.
    double draw(random_stream& rng) const;
};

/// Model parameters by name (as in the model's parameter table), in internal units.
using param_map = std::map<std::string, double>;

/// A model parameter that varies per neuron: explicit values (an inline array or a file, one per
/// neuron of the population) or a distribution drawn per neuron (neuron_parameter_values()).
struct per_neuron_param {
    std::vector<double> values;  // internal units, one per neuron; empty when drawn
    distribution dist;           // used when `values` is empty
    std::string file;            // provenance: the file the values were read from ("" otherwise)
    std::string unit;            // the internal unit of the values ("mV"), for the HDF5 record; "" from code
    source_location where;
    bool drawn() const { return values.empty(); }
};

struct population_spec {
    std::string name;
    std::uint64_t size = 0;      // after simulation.scale was applied
    std::string model;           // registered neuron or source model
    param_map params;
    /// Initial values of state variables ("v" -> constant or distribution), drawn per neuron from a
    /// stream keyed by (seed, population index, neuron index).
    std::map<std::string, distribution> init;
    /// Initial values given per neuron (an inline array, { values, unit } or { file, unit }): they
    /// replace `init`'s entry of the same name, which is then absent.
    std::map<std::string, per_neuron_param> init_values;
    /// Parameters given per neuron (docs/scenario-format.md "Per-neuron parameters"); a name here
    /// is not in `params` before completion, and its per-neuron values replace the completed one.
    std::map<std::string, per_neuron_param> per_neuron;
    /// Models that take spike-time lists (model_info::spike_times): spike ticks per neuron
    /// (sorted ascending); the population has one neuron per list.
    std::vector<std::vector<tick_t>> spike_ticks;
    source_location where;
};

/// A plasticity rule attached to a projection (empty rule: static synapses).
struct plasticity_spec {
    std::string rule;                     // registered plasticity rule, e.g. "stdp"
    param_map params;                     // internal units; weight parameters in the port unit
    std::string interaction;              // "all_to_all" or "nearest" (rule default when empty)
    source_location where;
    bool enabled() const { return !rule.empty(); }
};

struct projection_spec {
    std::string name;            // defaults to "<source>-><target>"
    std::string source, target;  // population names
    /// one_to_one, all_to_all, fixed_probability, fixed_indegree, fixed_outdegree, fixed_total_number,
    /// explicit
    std::string rule;
    double probability = 0.0;    // fixed_probability
    std::uint64_t indegree = 0;  // fixed_indegree
    std::uint64_t outdegree = 0; // fixed_outdegree
    /// fixed_total_number: the number of synapses, multiplied by simulation.scale (rounded) when
    /// read from a file, so that the mean in-degree stays as populations are scaled.
    std::uint64_t total_number = 0;
    /// explicit: synapses from a CSV file (columns source,target[,weight][,delay]); resolved
    /// relative to the scenario file. Loaded at build time.
    std::string file;
    bool allow_autapses = true;  // NEST's default
    bool allow_multapses = true; // NEST's default
    distribution weight;         // in the unit of the target port's weight dimension
    distribution delay;          // ms; drawn delays are rounded to the nearest tick (documented)
    std::string receptor;        // target port name; empty = the model's only port
    plasticity_spec plasticity;
    source_location where;
};

/// Stimuli that act directly on neurons of a population (not through synapses). The fields after
/// `neurons` are the format's kind-specific keys; each kind reads and checks those it declares
/// (stimulus_info::keys, memspike/core/stimulus.hpp).
struct stimulus_spec {
    std::string name;
    /// A registered stimulus kind. Built in: poisson, independent (or shared) Poisson trains of
    /// synaptic events, one per target neuron; dc, constant current from start to stop; step,
    /// piecewise-constant current; ac, sinusoidal current constant per tick.
    std::string kind;
    std::string target;                 // population name
    std::vector<std::uint64_t> neurons; // indices in the target population; empty = all
    double rate_hz = 0.0;               // poisson
    bool shared = false;                // poisson: one train for all targets
    double weight = 0.0;                // poisson: per event, unit of the target port
    std::string receptor;               // poisson: target port
    double amplitude_pa = 0.0;          // dc
    double start_ms = 0.0;              // poisson, dc
    double stop_ms = std::numeric_limits<double>::infinity();  // poisson, dc
    std::vector<double> times_ms;       // step: change times
    std::vector<double> amplitudes_pa;  // step: value from each time on
    double frequency_hz = 0.0;          // ac
    double phase_deg = 0.0;             // ac: at t = 0, in degrees
    double offset_pa = 0.0;             // ac: added to the sine
    source_location where;
};

/// A neuromodulator (reward) signal for three-factor plastic projections: values[i] holds from
/// times_ms[i] on (0 before the first time).
struct modulator_spec {
    std::string name;
    std::vector<std::string> projections;
    std::vector<double> times_ms;
    std::vector<double> values;
    source_location where;
};

struct trace_spec {
    std::string population;
    std::vector<std::string> variables;   // model state variables, e.g. "v"
    std::vector<std::uint64_t> neurons;   // indices in the population
    double interval_ms = 1.0;
    source_location where;
};

/// Snapshots of one projection's weights: at the start, every `interval_ms` (0: none in
/// between) and at the end of each run.
struct weights_spec {
    std::string projection;
    double interval_ms = 0.0;
    source_location where;
};

struct recording_spec {
    /// Populations whose spikes are recorded; all when `all_spikes`.
    bool all_spikes = true;
    std::vector<std::string> spike_populations;
    std::vector<trace_spec> traces;
    std::vector<weights_spec> weights;
    /// The energy ledger's event counts are written per bin of this length (0: not written).
    double energy_bin_ms = 10.0;
    /// Spikes are buffered and appended to the file every `flush_interval_ms` of simulated time.
    double flush_interval_ms = 100.0;
    /// Model time one inference takes (`[recording] inference`), for the report's energy per
    /// inference: energy x inference_ms / simulated time. 0: none.
    double inference_ms = 0.0;  // 0: none
};

/// Which synaptic backend computes the weighted sums ([backend] in a scenario), and its
/// parameters in internal units (completed with defaults at build time).
struct backend_spec {
    std::string kind = "digital";
    param_map params;
    source_location where;
};

struct simulation_spec {
    double duration_ms = 0.0;
    double resolution_ms = 0.1;
    std::uint64_t seed = 0;
    unsigned threads = 0;            // 0: oneTBB's default
    double scale = 1.0;              // multiplies every population size
    /// Absolute tolerance, in the port unit, below which a decaying synaptic current or
    /// conductance is set to zero and the neuron leaves the active set (models/neurons/lif_active.hpp).
    double quiescence_tolerance = 1e-9;
};

struct scenario {
    std::string file;   // path as given; "" when built in code
    std::string text;   // the scenario text (provenance)
    /// The overrides (dotted key, TOML value text) applied to `text`, in order: --set, --seed,
    /// --threads, Python set() and sweep points (provenance; the chip report re-applies them).
    std::vector<std::pair<std::string, std::string>> overrides;
    simulation_spec simulation;
    std::vector<population_spec> populations;
    std::vector<projection_spec> projections;
    std::vector<stimulus_spec> stimuli;
    std::vector<modulator_spec> modulators;
    recording_spec recording;
    backend_spec backend;
    /// Where each value read from a file came from, by dotted key ("population.E.size"); filled by
    /// the TOML reader, empty when built in code. validate() names these locations in its errors.
    std::map<std::string, source_location> locations;

    const population_spec* find_population(const std::string& name) const {
        for (const auto& p : populations)
            if (p.name == name) return &p;
        return nullptr;
    }
    tick_t duration_ticks() const;
};

} // namespace memspike
