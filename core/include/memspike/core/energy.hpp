// SPDX-License-Identifier: MIT
// The energy ledger: every event class the simulation performs is counted, binned in time, and
// later costed by named hardware models (presets with a citation for every number).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace memspike {

class model_registry;  // model.hpp

/// One class of counted event: its name (the ledger column in HDF5 and the category an energy
/// preset prices), its unit ("events" for plain counts) and what it counts.
struct counter_info {
    std::string name;
    std::string unit;
    std::string doc;
};

/// The engine's own counters: every run has them, first and in this order. A backend declares
/// its further counters in its registry entry (backend_info::counters), so core names none of them.
enum class event_kind : std::size_t {
    spikes,           // spikes emitted by neurons and sources
    synaptic_events,  // synaptic events delivered through synapses
    stimulus_events,  // events injected by Poisson stimuli
    neuron_updates,   // neuron-ticks in which a neuron received input and was updated
    trace_updates,    // plasticity trace increments
    weight_updates,   // plastic weight changes
    count
};
const std::vector<counter_info>& engine_counters();

/// The ledger of one run: the engine's counters, then its backend's, each a count.
class event_counts {
public:
    /// The engine's counters only, all zero.
    event_counts();
    /// Counters named `names` (the engine's first, in engine order; then any others), all zero.
    /// Throws io_error when the engine's do not lead (e.g. a damaged file's category list).
    explicit event_counts(std::vector<std::string> names);

    std::uint64_t& operator[](event_kind k) { return n_[static_cast<std::size_t>(k)]; }
    std::uint64_t operator[](event_kind k) const { return n_[static_cast<std::size_t>(k)]; }
    /// By name; throws unknown_model ("ledger category") listing the names this ledger has.
    std::uint64_t& at(std::string_view name);
    std::uint64_t at(std::string_view name) const;
    bool has(std::string_view name) const;

    const std::vector<std::string>& names() const { return names_; }
    std::span<std::uint64_t> values() { return n_; }
    std::span<const std::uint64_t> values() const { return n_; }
    std::size_t size() const { return n_.size(); }
    /// The counters after the engine's (a backend's own), in declaration order.
    std::span<std::uint64_t> backend_values() { return std::span<std::uint64_t>(n_).subspan(engine_count); }

    static constexpr std::size_t engine_count = static_cast<std::size_t>(event_kind::count);
    bool operator==(const event_counts&) const = default;

private:
    std::size_t index_of(std::string_view name) const;
    std::vector<std::string> names_;
    std::vector<std::uint64_t> n_;
};

/// What a dense (clock-driven) machine would process for this network: every neuron every tick
/// and every entry of every projection's weight matrix (N_pre x N_post) every tick.
struct dense_profile {
    std::uint64_t neurons = 0;        // neurons with state (sources excluded)
    std::uint64_t synapses = 0;       // synapses that exist
    std::uint64_t dense_weights = 0;  // sum over projections of N_pre * N_post
};

} // namespace memspike

#include <map>
#include <string>
#include <vector>

#include "memspike/core/time.hpp"

namespace memspike {

/// One priced event class of an energy model: energy per event and where the number comes from.
struct cost_entry {
    double pj = 0.0;
    std::string source;
};

/// A figure other than an energy (bytes, W, s) and where it comes from.
struct cited_figure {
    double value = 0.0;
    std::string source;
};

/// A hardware energy model, read from a preset file (models/energy/*.toml; format in
/// docs/energy.md). Every number carries a unit and a citation.
struct energy_model {
    std::string name, kind, description, file, text;  // kind: "event", "dense" or "event_driven"
    /// The backend whose counts the model prices ("crossbar" for a ReRAM crossbar); empty: any.
    /// It does not apply to runs of other backends (their counts would price only part of it).
    std::string backend;
    bool applies_to(const std::string& run_backend) const { return backend.empty() || backend == run_backend; }
    /// Backend parameters the figures were derived at (name -> value as written, with its unit),
    /// e.g. v_read = "0.2 V": the model does not apply to a run whose backend differs.
    std::map<std::string, std::string> assumes;
    std::map<std::string, cost_entry> costs;           // category -> cost
    // dense baselines only
    double bytes_per_weight = 4.0;
    double state_bytes_per_neuron = 8.0;
    double sram_capacity_bytes = 0.0;  // weights live in SRAM if they fit, else in DRAM/HBM
    double batch = 1.0;                // weight traffic is shared by a batch of inputs
    double idle_power_w = 0.0;         // charged for the simulated time when > 0
    /// "dense": every entry of the N_pre x N_post matrices, every tick; "csr": a sparse kernel
    /// that touches only the synapses, at index_bytes more per weight (and per row pointer).
    std::string format = "dense";
    double index_bytes = 4.0;
    /// event_driven baselines only: the [event_driven] figures by key (event_driven_keys()), each
    /// with its citation, in bytes, W and seconds.
    std::map<std::string, cited_figure> event_driven;
    double figure(const std::string& key) const { return event_driven.at(key).value; }
};

/// The keys of an [event_driven] table (all required), with what each one is and its unit:
/// {key, what}. See docs/energy.md, "Event-driven baselines".
const std::vector<std::pair<std::string, std::string>>& event_driven_keys();
/// Conventional (von Neumann) implementations: the kinds a default "x vs" baseline is chosen from.
inline bool conventional_kind(const std::string& kind) { return kind == "dense" || kind == "event_driven"; }

/// Categories an event model may price: the engine's counters, idle_neuron_ticks, and the counters
/// of `backend` (the backend the model names; none when empty) as `registry` declares them.
std::vector<std::string> event_model_categories(const model_registry& registry, const std::string& backend = "");
/// Those of a dense baseline.
const std::vector<std::string>& dense_model_categories();
/// Those of an event-driven baseline (dense_model_categories() and `add`).
const std::vector<std::string>& event_driven_model_categories();

/// Reads and validates a preset; errors name the file, line, key and what is accepted.
/// Categories are checked against `registry` (the engine's and the named backend's counters).
energy_model load_energy_model(const std::string& path, const model_registry& registry);
energy_model parse_energy_model(const std::string& text, const std::string& file, const model_registry& registry);
/// The directory of the shipped presets: $MEMSPIKE_ENERGY_DIR if set, else share/memspike/energy
/// relative to the installed binary, else the source tree's models/energy, else the configured
/// install prefix (core/src/energy_presets.cpp). Throws io_error naming every place tried.
std::string energy_preset_dir();
/// The presets shipped with memspike (energy_preset_dir()), by name.
std::vector<std::string> builtin_energy_models();
/// The preset names in `dir`: the stems of its `.toml` files, sorted (energy presets and chip
/// descriptions alike).
std::vector<std::string> preset_names_in(const std::string& dir);
/// A preset by name ("loihi") or path ("my_chip.toml").
energy_model find_energy_model(const std::string& name_or_path, const model_registry& registry);

struct energy_line {
    std::string category;
    double count = 0.0;
    double pj_each = 0.0;
    double total_pj = 0.0;
    bool memory = false;  // data movement (weights, state) rather than compute
    std::string source;
};

struct energy_estimate {
    std::string model, kind;
    std::vector<energy_line> lines;
    double total_pj = 0.0, compute_pj = 0.0, memory_pj = 0.0, idle_pj = 0.0;
    /// event_driven baselines: the modelled wall time of the run on that machine (idle_pj is its
    /// static power over this time); 0 for the others.
    double run_time_s = 0.0;
};

/// The estimate that the "x vs" column compares against: `name` when not empty (nullptr if no
/// estimate has that model name), else the cheapest estimate of a conventional kind (nullptr if
/// there is none).
const energy_estimate* choose_baseline(const std::vector<energy_estimate>& estimates, const std::string& name = "");

/// Energy = sum over categories of count x cost. Event models price the ledger counts (and
/// idle_neuron_ticks = neurons x ticks - neuron_updates); dense baselines price what a
/// clock-driven machine does for the same network and time: dense_weights MACs and weight
/// fetches per tick (divided by batch, from SRAM if they fit, else DRAM), a state read and write
/// per neuron per tick, and idle power x time. Event-driven baselines price the memory traffic and
/// arithmetic of an event-driven simulator for the run's counts, and static power over the
/// modelled run time (core/src/energy_event_driven.cpp).
energy_estimate estimate_energy(const energy_model& m, const event_counts& counts, const dense_profile& d, tick_t ticks,
                                double resolution_ms);

/// The ledger recorded in an output file (/energy), summed over its bins.
struct recorded_ledger {
    event_counts totals;
    dense_profile profile;
    tick_t ticks = 0;          // simulated ticks covered by the bins
    double resolution_ms = 0.0;
    bool complete = false;     // the run reached its end
    std::uint64_t bins = 0;
    double inference_ms = 0.0; // model time of one inference (/energy's inference_ms); 0: none
    std::string backend = "digital";  // the synaptic backend of the run (root attribute `backend`)
    std::map<std::string, double> backend_params;  // its parameters (root attributes backend.<name>)
};

/// Energy of one inference: total_pj x inference_ms / simulated time (ticks x resolution_ms),
/// i.e. the total divided by the number of inferences simulated. 0 when inference_ms <= 0 or
/// nothing was simulated.
double energy_per_inference_pj(double total_pj, tick_t ticks, double resolution_ms, double inference_ms);
struct backend_info;  // backend.hpp
struct backend_spec;  // spec.hpp
/// Why `m` does not price a run with backend `b` (whose parameters `info` describes): one line per
/// assumed parameter that differs ("v_read: the model assumes 0.2 V, the run has 500 mV"), or a
/// line naming the backend when it differs. Empty when the model applies.
std::vector<std::string> energy_model_mismatches(const energy_model& m, const backend_spec& b, const backend_info& info);

/// Reads /energy of a memspike HDF5 file (finished or interrupted); io_error naming the file and
/// what is missing otherwise. Implemented with the HDF5 recorder.
recorded_ledger read_energy_ledger(const std::string& path);

} // namespace memspike
