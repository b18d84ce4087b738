// SPDX-License-Identifier: MIT
// What drives the network from outside: the stimuli, each built by its registered kind
// (memspike/core/stimulus.hpp) into one of core's two mechanisms, Poisson drives (per partition,
// applied in the tick loop through poisson_drive::apply) or changes of external current
// (current_event, applied by the tick loop at their tick); and neuromodulator signals
// (modulator_event).
#include "simulation_impl.hpp"

namespace memspike {

/// Neurons of population `pop` targeted by a stimulus, grouped by partition.
std::vector<std::vector<std::uint32_t>> simulation::impl::targets_by_partition(std::uint32_t pop,
                                                                               const std::vector<std::uint64_t>& subset) {
    std::vector<std::vector<std::uint32_t>> out(parts.size());
    if (subset.empty()) {
        for (std::uint32_t p = 0; p < parts.size(); ++p)
            if (parts[p].range.population == pop)
                for (std::uint32_t i = 0; i < parts[p].range.count; ++i) out[p].push_back(i);
    } else {
        for (const std::uint64_t j : subset) {
            const auto [p, i] = locate(pop, j);
            if (p != remote) out[p].push_back(i);  // another rank's neuron: its rank drives it
        }
    }
    return out;
}

void simulation::impl::make_stimuli() {
    static_assert(no_stop_tick == never, "a kind's open stop is the tick loop's never");
    for (std::uint32_t s = 0; s < sc.stimuli.size(); ++s) {
        const auto& st = sc.stimuli[s];
        const stimulus_info& kind = models.find_stimulus(st.kind);
        const std::uint32_t pop = population_index(st.target);
        const auto targets = targets_by_partition(pop, st.neurons);
        const stimulus_build b{st, s, sc.simulation.resolution_ms};
        if (kind.events)
            add_poisson_drives(s, pop, targets, kind.events(b));
        else
            add_current_events(kind.currents(b), targets);
    }
    std::stable_sort(current_events.begin(), current_events.end(),
                     [](const auto& a, const auto& b) { return a.tick < b.tick; });
}

/// One poisson_drive per partition that holds targets of stimulus s.
void simulation::impl::add_poisson_drives(std::uint32_t s, std::uint32_t pop,
                                          const std::vector<std::vector<std::uint32_t>>& targets, const event_train& e) {
    const double h = sc.simulation.resolution_ms;
    const model_info& model = models.find(sc.populations[pop].model);
    const auto port = static_cast<std::uint32_t>(model.port_index(e.receptor));
    for (std::uint32_t p = 0; p < parts.size(); ++p) {
        if (targets[p].empty()) continue;
        poisson_drive d;
        d.port = port;
        d.weight = e.weight;
        d.lambda = e.rate_hz * h * 1e-3;
        d.mean_isi_ms = 1000.0 / e.rate_hz;
        d.h_ms = h;
        d.start = e.start;
        d.stop = e.stop;
        d.shared = e.shared;
        d.dense = !e.shared && d.lambda >= 0.05;
        d.large = d.dense && d.lambda > poisson_drive::large_lambda;
        if (d.dense && !d.large) {
            // P(N <= k) for N ~ Poisson(lambda), summed until the tail is below 1e-17.
            double pk = std::exp(-d.lambda), total = pk;
            d.cdf.push_back(total);
            for (int k = 1; 1.0 - total > 1e-17 && k < 10000; ++k) {
                pk *= d.lambda / k;
                total += pk;
                d.cdf.push_back(total);
            }
            d.cdf.back() = 1.0;
            // The table lies above 100 events per tick's CDF (< 300 entries): k fits in 15 bits.
            std::size_t k = 0;
            constexpr double n = poisson_drive::guide_size;
            d.guide.resize(poisson_drive::guide_size);
            for (std::size_t b = 0; b < d.guide.size(); ++b) {
                while (k + 1 < d.cdf.size() && d.cdf[k] <= static_cast<double>(b) / n) ++k;
                const bool whole = d.cdf[k] >= static_cast<double>(b + 1) / n;
                d.guide[b] = static_cast<std::uint16_t>(k | (whole ? 0 : poisson_drive::guide_scan));
            }
            d.guide.push_back(0);  // padding for the gathers (simulation_impl.hpp)
        }
        d.targets = targets[p];
        const auto& r = parts[p].range;
        if (e.shared) {
            d.rng.emplace_back(sc.simulation.seed, stream_purpose::poisson_stimulus, s, 0);
        } else {
            for (const std::uint32_t i : d.targets)
                d.rng.emplace_back(sc.simulation.seed, stream_purpose::poisson_stimulus, s, r.first + i);
        }
        if (d.in_lanes()) d.set_streams(std::move(d.rng));  // stored by state word
        d.contiguous = true;
        for (std::size_t j = 0; j < d.targets.size(); ++j) d.contiguous = d.contiguous && d.targets[j] == d.targets[0] + j;
        if (!d.dense) {
            d.next_ms.resize(d.rng.size());
            for (std::uint32_t k = 0; k < d.rng.size(); ++k) {
                // The train starts at `start`: the first event lies one interval after it.
                d.next_ms[k] = static_cast<double>(e.start) * h + d.rng[k].exponential(d.mean_isi_ms);
                d.push(k);
            }
        }
        parts[p].drives.push_back(std::move(d));
    }
}

/// A current waveform as changes of external current at their ticks, one event per partition
/// that holds targets, in the kind's order (make_stimuli sorts them stably by tick).
void simulation::impl::add_current_events(const std::vector<current_change>& changes,
                                          const std::vector<std::vector<std::uint32_t>>& targets) {
    for (const auto& [tick, delta] : changes)
        for (std::uint32_t p = 0; p < parts.size(); ++p)
            if (!targets[p].empty()) current_events.push_back({tick, p, targets[p], delta});
}

/// The modulator signals as (tick, projection, value) events, sorted by tick.
void simulation::impl::make_modulator_events() {
    for (const auto& m : sc.modulators)
        for (const auto& name : m.projections)
            for (std::size_t j = 0; j < sc.projections.size(); ++j)
                if (sc.projections[j].name == name)
                    for (std::size_t i = 0; i < m.times_ms.size(); ++i)
                        modulator_events.push_back({ms_to_ticks_round(m.times_ms[i], sc.simulation.resolution_ms), j, m.values[i]});
    std::stable_sort(modulator_events.begin(), modulator_events.end(),
                     [](const auto& a, const auto& b) { return a.tick < b.tick; });
}

void simulation::impl::set_modulator(std::size_t projection, tick_t t, double value) {
    for_plastic(projection, [&](plastic_block& pb, synapse_block& b) { pb.set_modulator(t, value, b); });
}

} // namespace memspike
