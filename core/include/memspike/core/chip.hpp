// SPDX-License-Identifier: MIT
// Chip architectures (issue 14): a neuromorphic or in-memory chip described as cores grouped in
// tiles on a 2-D mesh network-on-chip, with per-core capacities, per-activity energy AND latency,
// static power per core, tile and chip, and a hardware time step where the chip has one. A
// network is mapped onto the cores (chip_mapping), and a recorded run's ledger is priced per tick
// on that mapping (chip_estimate): dynamic energy per core, NoC messages x hops, the tick's
// latency as the critical path over cores and network, the chip's time per model second, and
// static power x that time. Format and assumptions: docs/chips.md. The style follows SANA-FE
// (Boyle et al., IEEE TCAD 2025): a chip is an architecture, not a price list.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/energy.hpp"
#include "memspike/core/time.hpp"

namespace memspike {

class model_registry;
struct scenario;

/// A figure's dependence on the run's backend parameters (a chip that names a backend): the
/// figure is multiplied by (x_run / x_assumed)^exponent, where x is a sum of backend parameters
/// and constants ("t_read", "g_min+g_max", "1+adc_per_polarity") and x_assumed is the same sum
/// over the chip's [chip] assumes. Physics such as a read's V^2 t G is written this way.
struct chip_scaling {
    std::string key;                  // as written, for messages and the report
    std::vector<std::string> params;  // the backend parameters summed
    double constant = 0.0;            // the numbers summed
    double exponent = 0.0;
};

/// One activity of a core or the network: energy and latency per occurrence, and their source.
struct chip_activity {
    double pj = 0.0;  // energy per occurrence [pJ]
    double ns = 0.0;  // time it occupies its core's pipeline (or a hop's link) [ns]
    std::string source;
    bool given = false;  // present in the file (absent activities cost nothing and say so)
    std::vector<chip_scaling> energy_scale, latency_scale;  // `scale`, `latency_scale`
    /// energy_by_<param>: the energy at each listed value of one backend parameter (a cited table
    /// such as an ADC's energy per conversion by resolution); a run at another value is not priced.
    std::string by_param;
    std::vector<std::pair<double, double>> energy_by;  // (parameter value, pJ)
};

/// Static (leakage) power of a unit and its source.
struct chip_static {
    double mw = 0.0;  // [mW]
    std::string source;
    std::vector<chip_scaling> scale;  // as an activity's energy (ADCs per crossbar, ...)
};

/// The activities a chip description may price (keys of its [activity.<name>] tables).
/// synapse: per synaptic or input event (the synaptic memory access and accumulate);
/// soma_update: per neuron update with input; idle_neuron: per neuron and hardware tick without
/// input (chips that update every neuron every step); spike_out: per spike a neuron emits;
/// message_in: per spike message a core receives; hop_east_west / hop_north_south: per message
/// and mesh hop in that direction; weight_update: per plastic weight change; tick_sync: once
/// per tick (the barrier that ends a time step); and, for a chip that names a backend, that
/// backend's ledger counters by name (crossbar_adc_conversions, ...).
const std::vector<std::string>& chip_core_activities();

struct chip_model {
    std::string name, description, file, text;
    std::string backend;  // the synaptic backend whose own counters it prices; empty: none
    /// Backend parameters its figures were derived at ([chip] assumes, as in energy presets):
    /// a run whose backend differs is not priced (chip_mismatches says why).
    std::map<std::string, std::string> assumes;
    // Topology: a chip is mesh_width x mesh_height tiles of cores_per_tile cores; a system of
    // several chips is a near-square grid of meshes (inter-chip links cost a mesh hop).
    std::uint64_t mesh_width = 0, mesh_height = 0, cores_per_tile = 0;
    // Per-core capacities (0 in the file is refused; a key left out is "no limit").
    std::uint64_t neurons_per_core = 0;
    std::uint64_t axons_per_core = 0;       // distinct presynaptic inputs a core accepts; 0: no limit
    std::uint64_t fan_in = 0;               // inputs per neuron; 0: no limit
    std::uint64_t synapses_per_core = 0;    // synaptic memory in synapses; 0: no limit
    std::uint64_t fan_out_cores = 0;        // destination cores a neuron's spike may reach; 0: no limit
    std::uint64_t weight_types = 0;         // distinct weights per neuron (TrueNorth's axon types); 0: any
    std::uint64_t weight_bits = 0;          // weight precision, for the report (not enforced)
    bool split_fan_in = false;              // inputs of one neuron may span cores (partial sums added)
    std::string capacity_source, topology_source;
    double tick_ms = 0.0;  // fixed hardware time step [ms]; 0: the chip steps as fast as it can
    std::string tick_source;
    std::map<std::string, chip_activity> activity;  // name -> figures
    chip_static static_core, static_tile, static_chip;

    std::uint64_t cores_per_chip() const { return mesh_width * mesh_height * cores_per_tile; }
    const chip_activity& get(const std::string& name) const;
};

/// Reads and validates a chip description: every figure with a citation; negative, NaN or
/// infinite figures, unknown keys and capacities of 0 are refused with file:line:key messages.
chip_model parse_chip_model(const std::string& text, const std::string& file, const model_registry& registry);
chip_model load_chip_model(const std::string& path, const model_registry& registry);
/// The shipped chip descriptions: models/chips beside the energy presets (share/memspike/chips
/// when installed; $MEMSPIKE_CHIP_DIR replaces it).
std::string chip_preset_dir();
std::vector<std::string> builtin_chip_models();
chip_model find_chip_model(const std::string& name_or_path, const model_registry& registry);
struct backend_spec;  // spec.hpp
/// Why `chip` does not price a run of backend `b` (its backend differs, or an assumed parameter
/// differs: one line each, as energy_model_mismatches); empty when it applies.
/// Parameters the chip prices (named by a scaling or a by-table) are not mismatches: they are
/// checked by chip_at_run, whose reasons (a value outside a by-table, ...) are included here.
std::vector<std::string> chip_mismatches(const chip_model& chip, const backend_spec& b, const model_registry& registry);
/// The chip with every scaled or tabled figure evaluated at run `b`'s backend parameters (the
/// figure's source then says by what factor and why). `why` gets one line per figure that cannot
/// be evaluated (a value outside its table, a sum that is 0); the chip is then not to be used.
chip_model chip_at_run(const chip_model& chip, const backend_spec& b, const model_registry& registry,
                       std::vector<std::string>& why);

// ---------------------------------------------------------------------------------------------
// Mapping (core/src/chip/chip_mapping.cpp)

/// Neurons of one population on one core.
struct core_slice {
    std::uint32_t population = 0;
    std::uint64_t first = 0, count = 0;  // population-local neuron ids [first, first + count)
    std::uint64_t x = 0, y = 0;          // mesh position (in tiles, over the whole system)
    double axons = 0.0;                  // expected distinct presynaptic inputs
    double synapses = 0.0;               // expected synapses onto its neurons
    double share = 1.0;                  // of the neurons' inputs it holds (< 1: fan-in split over cores)
    /// Per source population: the probability that one of its spikes sends a message here.
    std::vector<std::pair<std::uint32_t, double>> reach;
};

/// The network on the chip. fits == false: `limit` says which capacity is exceeded, by what, and
/// what would be needed; no energy or latency is computed for a network that does not fit.
struct chip_mapping {
    std::string chip;
    bool fits = false;
    std::string limit;
    std::vector<core_slice> cores;
    std::uint64_t cores_used = 0, tiles_used = 0, chips_used = 0;
    std::string placement;  // "greedy" or "locality (reverse Cuthill-McKee)"
    // Expected NoC traffic per spike (mean over the network's spiking neurons): messages to
    // other cores and the hops they travel, for the greedy and the chosen placement.
    double messages_per_spike = 0.0;
    double hops_per_message_greedy = 0.0, hops_per_message = 0.0;
    double east_west_share = 0.5;  // of the hops
    // Per population, per spike it emits: messages (destination cores), hops, east-west hops.
    std::vector<double> messages_of, hops_of, east_west_of;
    // Per population: expected fan-in (inputs per neuron) and its cores.
    std::vector<double> fan_in;
    std::vector<std::uint64_t> population_cores;
    std::vector<double> synapses_of;  // per projection: expected synapses
};

/// Maps `sc`'s populations onto `chip`'s cores (greedy fill in population order, then a
/// locality-aware placement of the cores on the mesh where it lowers the expected hops).
/// Works on the network's structure (sizes, connectivity rules, expected degrees): no build.
chip_mapping map_network(const scenario& sc, const model_registry& registry, const chip_model& chip);

// ---------------------------------------------------------------------------------------------
// Per-tick pricing (core/src/chip/chip_estimate.cpp)

struct chip_line {
    std::string activity;
    double count = 0.0, pj_each = 0.0, total_pj = 0.0;
    std::string source;
};

struct chip_estimate {
    std::string chip;
    std::string chip_text;  // the description's file text (provenance, stored with the figures)
    chip_mapping mapping;
    std::vector<chip_line> lines;        // dynamic energy, itemised
    double dynamic_pj = 0.0, static_pj = 0.0, total_pj = 0.0;
    /// Paced to the model clock (a chip serving real-time input idles between fast ticks but
    /// stays powered): static power x max(chip time, model time), and the total with it.
    double paced_static_pj = 0.0, paced_total_pj = 0.0;
    double static_mw = 0.0;              // static power of the cores, tiles and chips used
    double noc_messages = 0.0, noc_hops = 0.0;
    double tick_latency_mean_ns = 0.0;   // the critical path per tick, mean over the run's ticks
    double tick_latency_max_ns = 0.0;    // of the busiest ledger bin's mean tick
    double chip_time_s = 0.0;            // time the chip takes for the whole run
    double model_time_s = 0.0;
    double real_time_factor = 0.0;       // chip time / model time (< 1: faster than real time)
    double synaptic_events = 0.0;        // synaptic + input events
    double pj_per_synaptic_event = 0.0;  // total / synaptic events
    double edp_js = 0.0;                 // energy-delay product: total energy x chip time [J s]
    std::vector<std::string> notes;      // what was assumed (per-population activity, ...)
};

/// Activity of a recorded run: the ledger per bin, and spikes per population where recorded.
struct chip_run_counts {
    std::vector<event_counts> bins;  // counts per ledger bin
    std::vector<tick_t> bin_ticks;   // ticks each bin covers
    double resolution_ms = 0.0;
    std::vector<double> population_spikes;  // per population; empty or negative: not recorded
};

/// Prices a run on a mapping. A mapping that does not fit throws memspike::error naming the
/// limit: no number is given for a network the chip cannot hold.
chip_estimate estimate_chip(const chip_model& chip, const chip_mapping& mapping, const scenario& sc,
                            const chip_run_counts& run);

/// Reads what estimate_chip needs from a memspike HDF5 file (/energy bins, /spikes counts).
chip_run_counts read_chip_run_counts(const std::string& path, const scenario& sc);

/// The scenario a run's file was made from: its stored text, parsed again with the run's stored
/// overrides (root attribute scenario_overrides) re-applied; `note` says when a file written before
/// that attribute had command-line overrides that are therefore not applied.
scenario read_run_scenario(const std::string& path, const model_registry& registry, std::string& note);

/// A chip refused for a run: its name and why (not applicable to the run's backend, or the
/// network does not fit, naming the limit).
struct chip_refusal {
    std::string chip, reason;
};

/// A recorded run priced on several chips: what `report --chips` prints (text or JSON) and what
/// memspike.chip_report returns. Every chip asked for is in exactly one of the three lists.
struct chip_run_report {
    std::vector<chip_estimate> estimates;         // the chips that price the run, in the order asked
    std::vector<chip_refusal> not_applicable;     // chip_mismatches: another backend or parameters
    std::vector<chip_refusal> does_not_fit;       // mapping.limit
    std::string note;                             // read_run_scenario's note on overrides; empty: none
};

/// Names (or paths) of chip descriptions from "a,b" (empty items ignored); "all" is every
/// shipped one.
std::vector<std::string> chip_list(const std::string& arg);

/// Prices the run in the memspike HDF5 file `path` on each chip of `chips` (names or paths): the
/// scenario and counts are read once, each chip is checked against the run's backend, mapped and,
/// where it fits, priced per tick. An unknown chip or a malformed file throws memspike::error.
chip_run_report price_run_on_chips(const std::string& path, const std::vector<std::string>& chips,
                                   const model_registry& registry);

/// As price_run_on_chips, for a scenario, backend and counts at hand (a run that just ended:
/// run_driver stores the result in its output file, /energy/chips).
chip_run_report price_counts_on_chips(const scenario& sc, const backend_spec& backend, const chip_run_counts& run,
                                      const std::vector<std::string>& chips, const model_registry& registry);

/// The numeric figures of a priced chip, named and in the order of the JSON report (J, mW, us,
/// s, counts; docs/chips.md "JSON"): what /energy/chips/<name> stores as attributes.
std::vector<std::pair<std::string, double>> chip_figures(const chip_estimate& e);

/// The chip section as members of a JSON object (no braces), for `report --chips --json`:
/// "chips": {name: {...}}, "chips_not_applicable": [...], "chips_does_not_fit": [...],
/// "chips_note": text or null. Energies in J, latencies in us (docs/chips.md, "JSON").
std::string format_chip_report_json(const chip_run_report& r);
/// The same section as text: format_chip_estimates of the report, and its note.
std::string format_chip_report(const chip_run_report& r);

/// Text for `memspike inspect --chip` and `memspike report --chips`; `not_priced` lines are printed
/// as given ("does not fit: <chip>: <limit>", "not applicable: <chip>: <why>").
std::string format_chip_mapping(const chip_model& chip, const chip_mapping& m);
std::string format_chip_estimates(const std::vector<chip_estimate>& e, const std::vector<std::string>& not_priced);

} // namespace memspike
