// SPDX-License-Identifier: MIT
// The neuron-model interface and the registry of models. Core knows nothing about LIF: models
// (models/) implement neuron_group and are listed, one line each, in models/builtin.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "memspike/core/named_list.hpp"
#include "memspike/core/random.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/time.hpp"
#include "memspike/core/units.hpp"

namespace memspike {

/// One parameter of a model: its name (the same in TOML, Python, HDF5 and messages), its dimension
/// (so "20 ms" is accepted and "20 mV" rejected) and its default (NaN: required).
struct param_info {
    std::string name;
    dimension dim = dimension::dimensionless;
    double default_value = std::numeric_limits<double>::quiet_NaN();
    std::string doc;
    /// Also accepts +inf (TOML `inf`): e.g. a crossbar's `levels` for a continuous device.
    bool infinite_ok = false;
    /// A switch: TOML true / false, stored as 1 / 0.
    bool boolean = false;
    /// A choice among names (non-empty: TOML a string, one of these), stored as its index; the
    /// default is an index too (e.g. lif_cond_exp's integrator = "rk4" | "euler", default 0).
    std::vector<std::string> choices{};  // {}: aggregate initialisers may leave it out without -Wmissing-field-initializers
    bool required() const { return default_value != default_value; }
};

/// Parameters of `owner` (a model or rule) completed from its table: unknown names and missing
/// required ones throw, defaults fill the rest, then `validate` (if any) checks the whole set.
/// Shared by neuron models and plasticity rules.
param_map complete_params(const std::string& owner, const std::vector<param_info>& table, const param_map& given,
                          const std::function<void(const param_map&)>& validate);
/// Checks of one completed parameter; throw invalid_parameter naming owner, name, value and rule.
void require_finite(const std::string& owner, const param_map& p, const std::string& name, dimension d);
void require_positive(const std::string& owner, const param_map& p, const std::string& name, dimension d);
void require_non_negative(const std::string& owner, const param_map& p, const std::string& name, dimension d);
/// A choice parameter (param_info::choices) holds the index of one of `choices`; the error lists them.
void require_choice(const std::string& owner, const param_map& p, const std::string& name, const std::vector<std::string>& choices);
/// "\"rk4\" or \"euler\"": the accepted names of a choice, for messages.
std::string choice_list(const std::vector<std::string>& choices);

/// A receptor port: where synaptic events land, and the dimension of their weights
/// (voltage for voltage jumps, current for current synapses, conductance for COBA).
struct port_info {
    std::string name;
    dimension weight_dim = dimension::voltage;
};

/// The spikes one neuron emits over a run, for the resource estimate (model_info::spikes).
struct spike_bound {
    double count = 0;    // per neuron
    bool exact = false;  // true: the expected count the parameters fix; false: an upper bound
};

/// A recordable / initialisable state variable.
struct state_info {
    std::string name;
    dimension dim = dimension::voltage;
};

/// Synaptic input gathered for one partition during one tick: the summed weight per neuron and
/// port, and the list of neurons that received anything. The model consumes and clears it.
struct input_buffer {
    std::vector<std::vector<double>> sum;   // [port][local neuron]
    std::vector<std::uint8_t> flag;         // 1 when the neuron is in `touched`
    std::vector<std::uint32_t> touched;     // local indices, in arrival order

    void resize(std::size_t ports, std::size_t n) {
        sum.assign(ports, std::vector<double>(n, 0.0));
        flag.assign(n, 0);
        touched.clear();
    }
    void add(std::size_t port, std::uint32_t i, double w) {
        sum[port][i] += w;
        if (!flag[i]) {
            flag[i] = 1;
            touched.push_back(i);
        }
    }
};

/// The state of one contiguous slice of a population ("partition"), structure-of-arrays.
/// Partitions are stepped in parallel; a partition is only ever touched by one thread at a time.
class neuron_group {
public:
    virtual ~neuron_group() = default;

    /// Advances the partition to tick t: applies the input gathered for t (and clears it), steps
    /// neurons whose state keeps moving (the active set), fires self-scheduled threshold crossings
    /// due at t, and appends the local indices of neurons that spike at t to `spikes` (any order).
    /// Must cost nothing for neurons that have no input and are not active.
    virtual void advance(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) = 0;

    /// The earliest tick after `now` at which advance() must run even if no input arrives (the
    /// active set is not empty, a self-scheduled crossing or a source spike is due), or
    /// std::numeric_limits<tick_t>::max() when the partition is quiescent. The scheduler skips
    /// ticks at which nothing can happen.
    virtual tick_t next_event_tick(tick_t now) const = 0;

    /// Adds `delta_pa` to the external current of the listed neurons from tick t on (DC and step
    /// stimuli). Models without a current input throw invalid_parameter.
    virtual void add_current(tick_t t, std::span<const std::uint32_t> neurons, double delta_pa) = 0;

    /// The value of state variable `var` (index into model_info::state) of neuron i at tick t,
    /// computed without changing the stored state (sampling must not change the arithmetic of
    /// the run).
    virtual double peek(tick_t t, std::uint32_t i, std::size_t var) const = 0;

    /// Bytes held by the state of this partition.
    virtual std::size_t memory_bytes() const = 0;

    /// Writes / restores the complete dynamic state (checkpoints): after load_state, advancing
    /// gives exactly what the saved partition would have given.
    virtual void save_state(std::ostream& os) const = 0;
    virtual void load_state(std::istream& is) = 0;
};

/// What a model factory receives.
struct group_context {
    const population_spec& spec;
    std::uint32_t population_index;  // position in the scenario
    std::uint64_t first;             // first neuron (index in the population) of this partition
    std::uint64_t count;             // neurons in this partition
    double resolution_ms;
    std::uint64_t seed;
    double quiescence_tolerance;
};

/// The values of parameter `name` for neurons [first, first + count) of population `pop` (at
/// `population_index` in the scenario, whose params are complete): its per-neuron values (given,
/// or drawn from one stream per (seed, population, parameter, neuron), so the same for any
/// partitioning and thread count), else the scalar repeated.
std::vector<double> neuron_parameter_values(const population_spec& pop, std::uint32_t population_index, std::uint64_t seed,
                                            const std::string& name, std::uint64_t first, std::uint64_t count);
/// neuron_parameter_values() for the neurons of a partition.
std::vector<double> neuron_values(const group_context& ctx, const std::string& name);
/// The numbers in a file of per-neuron values: a NumPy .npy vector (float64/32, int64/32) or
/// plain text (numbers separated by white space, commas or newlines, '#' comments). Throws io_error.
std::vector<double> read_value_file(const std::string& path);

struct model_info {
    std::string name;
    std::string summary;               // one line, for `memspike inspect` and docs
    std::vector<param_info> params;
    std::vector<port_info> ports;      // empty for pure sources
    std::vector<state_info> state;     // recordable / initialisable variables
    std::vector<stream_info> streams;  // random streams the model draws from besides core's
    /// The population takes per-neuron spike-time lists (scenario key `spike_times`, stored in
    /// population_spec::spike_ticks) and has one neuron per list: its size comes from them and is
    /// not scaled by simulation.scale.
    bool spike_times = false;
    /// The model reads every parameter through neuron_values(), so any may be given per neuron
    /// (population_spec::per_neuron); false: the validator refuses per-neuron values.
    bool per_neuron_params = false;
    /// Checks cross-parameter rules (e.g. v_reset < v_th) for a complete parameter set in internal
    /// units; throws invalid_parameter naming the model and the parameter.
    std::function<void(const param_map&)> validate;
    /// Checks that also need the tick length [ms] (may be empty), e.g. a rate whose expected
    /// events per tick would keep one tick from ending; throws invalid_parameter like `validate`.
    std::function<void(const param_map&, double resolution_ms)> validate_at_resolution;
    std::function<std::unique_ptr<neuron_group>(const group_context&)> create;

    /// For the resource estimate made before building (resource_estimate.hpp), from a population
    /// whose params are complete. state_bytes: what its groups' memory_bytes() will add up to
    /// (empty: 64 bytes per neuron are assumed). spikes: the spikes one neuron emits over
    /// [0, duration_ms), exact (expected) when the parameters fix them, as a source's rate does,
    /// else at most (one per refractory period); empty: at most one per tick.
    std::function<double(const population_spec&)> state_bytes;
    std::function<spike_bound(const population_spec&, double duration_ms, double resolution_ms)> spikes;

    /// Index of a port by name; "" selects the only port. Throws unknown_parameter.
    std::size_t port_index(const std::string& name) const;
    /// Index of a state variable by name. Throws unknown_parameter.
    std::size_t state_index(const std::string& name) const;
    /// Parameters with defaults filled in; throws for a missing required one or an unknown name.
    param_map complete(const param_map& given) const;
};

/// The completed parameters of population `p` of model `m`: model_info::complete, except that a
/// population with per-neuron parameters is completed without the model's rules (they run per
/// neuron in validate()) and its per-neuron names hold NaN.
param_map complete_population_params(const model_info& m, const population_spec& p);

struct plasticity_info;  // plasticity.hpp
struct backend_info;     // backend.hpp
struct connectivity_info;  // connectivity.hpp
struct stimulus_info;      // stimulus.hpp

/// The explicit list of models, plasticity rules, backends, connectivity rules and stimulus kinds.
/// No registration as a side effect of construction, with one exception: the constructor adds
/// core's own connectivity rules (builtin_connectivity()) and stimulus kinds (builtin_stimuli()).
/// Generating synapses and delivering stimuli are core's job, and the scenario format names these
/// built-ins: a registry without them could not read or build the networks it describes, as it
/// could not run without core's random streams (streams_ starts with core_streams() for the same
/// reason); plug-ins add further rules and kinds with add_connectivity and add_stimulus.
class model_registry {
public:
    model_registry();

    void add(model_info info);
    /// Throws unknown_model listing the registered names.
    const model_info& find(const std::string& name) const;
    bool contains(const std::string& name) const;
    std::vector<std::string> names() const;

    void add_plasticity(plasticity_info info);
    /// Throws unknown_model listing the registered plasticity rules.
    const plasticity_info& find_plasticity(const std::string& name) const;
    std::vector<std::string> plasticity_names() const;

    void add_backend(backend_info info);
    /// Throws unknown_model listing the registered backends.
    const backend_info& find_backend(const std::string& name) const;
    bool contains_backend(const std::string& name) const;
    /// Every ledger counter a run of this registry can have: the engine's, then each backend's
    /// own, in registration order.
    std::vector<std::string> counter_names() const;
    std::vector<std::string> backend_names() const;

    void add_connectivity(connectivity_info info);
    /// Throws unknown_model listing the registered connectivity rules.
    const connectivity_info& find_connectivity(const std::string& name) const;
    bool contains_connectivity(const std::string& name) const;
    std::vector<std::string> connectivity_names() const;

    /// Throws internal_error unless the kind has exactly one of `currents` and `events` and its keys
    /// are kind-specific keys of the [[stimulus]] table.
    void add_stimulus(stimulus_info info);
    /// Throws unknown_model listing the registered stimulus kinds.
    const stimulus_info& find_stimulus(const std::string& name) const;
    bool contains_stimulus(const std::string& name) const;
    std::vector<std::string> stimulus_names() const;

    /// Every random stream in use: core's, then those the registered plug-ins declared.
    const std::vector<stream_info>& streams() const { return streams_; }

private:
    /// Takes `owner`'s streams; throws internal_error when a purpose number is already taken.
    void claim_streams(const std::string& owner, const std::vector<stream_info>& streams);

    named_list<model_info> models_{"neuron model"};
    named_list<plasticity_info> plasticity_{"plasticity rule"};
    named_list<backend_info> backends_{"backend"};
    named_list<connectivity_info> connectivity_{"connectivity rule"};
    named_list<stimulus_info> stimuli_{"stimulus kind"};
    std::vector<stream_info> streams_ = core_streams();
};

} // namespace memspike
