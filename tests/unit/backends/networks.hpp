// SPDX-License-Identifier: MIT
// Networks and helpers shared by the backend tests: the digital backend is their reference.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "memspike/backends/builtin.hpp"
#include "support.hpp"

namespace memspike::test {

inline scenario with_backend(scenario sc, const std::string& kind, param_map params = {}) {
    sc.backend.kind = kind;
    sc.backend.params = std::move(params);
    return sc;
}

inline std::unique_ptr<simulation> run_all(const scenario& sc, unsigned threads = 1) {
    auto sim = std::make_unique<simulation>(sc, builtin_registry(), threads);
    sim->run(sc.duration_ticks());
    return sim;
}

/// A recurrent E/I network of lif_delta neurons with refractoriness, drawn delays, multapses and
/// a Poisson drive; every weight is a small dyadic number, so any summation order is exact.
inline scenario dyadic_network() {
    scenario sc = make_scenario(300.0, 0.1, 7);
    const param_map lif{{"tau_m", 20.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 10.0}, {"t_ref", 2.0}};
    add_population(sc, "E", "lif_delta", 400, lif);
    add_population(sc, "I", "lif_delta", 100, lif);
    for (const char* src : {"E", "I"})
        for (const char* tgt : {"E", "I"}) {
            auto& p = connect(sc, src, tgt, "fixed_indegree", std::string(src) == "E" ? 0.25 : -1.0, 1.5);
            p.indegree = std::string(src) == "E" ? 40 : 10;
            p.delay.k = distribution::kind::uniform;
            p.delay.low = 0.5;
            p.delay.high = 3.0;
        }
    add_poisson(sc, "E", 9000.0, 0.25);
    add_poisson(sc, "I", 9000.0, 0.25);
    return sc;
}

inline std::size_t total_spikes(const simulation& sim) {
    std::size_t n = 0;
    for (const auto& s : sim.spikes()) n += s.ids.size();
    return n;
}

inline void require_same_spikes(const simulation& a, const simulation& b) {
    REQUIRE(a.spikes().size() == b.spikes().size());
    for (std::size_t p = 0; p < a.spikes().size(); ++p) {
        CHECK(a.spikes()[p].ids == b.spikes()[p].ids);
        CHECK(a.spikes()[p].ticks == b.spikes()[p].ticks);
    }
}


/// An explicit synapse list (CSV at `path`) over n targets for the empty-column tests: source 0
/// holds one synapse at the first column of each 128-column tile, source 1 one in every column,
/// all of weight 0.5 (the largest): a read driven by source 0 alone has one hit and 127 empty
/// columns per tile.
inline void write_one_hit_per_tile(const std::string& path, std::uint32_t n) {
    std::ofstream f(path);
    f << "source,target,weight\n";
    for (std::uint32_t t = 0; t < n; ++t) {
        if (t % 128 == 0) f << "0," << t << ",0.5\n";
        f << "1," << t << ",0.5\n";
    }
}

/// The empty-column tests' network (5 ms, 0.1 ms ticks, seed 3): source 0 spikes once at tick
/// 10, source 1 never, onto n lif_delta neurons that never fire, through the synapse list of
/// write_one_hit_per_tile (written to `csv`; the caller removes it).
inline scenario one_hit_per_tile_network(const std::string& csv, std::uint32_t n) {
    write_one_hit_per_tile(csv, n);
    scenario sc = make_scenario(5.0, 0.1, 3);
    add_population(sc, "S", "spike_source", 2).spike_ticks = {{10}, {}};
    add_population(sc, "N", "lif_delta", n, {{"tau_m", 1e9}, {"v_th", 1e6}, {"e_l", 0.0}, {"v_reset", 0.0}});
    connect(sc, "S", "N", "explicit", 0.5, 0.1).file = std::filesystem::absolute(csv).string();
    return sc;
}

/// A device and periphery without any non-ideality. g_max - g_min = 16384 nS, so weight /
/// conductance scales are powers of two when max|w| is one, and programmed pairs are exact.
inline param_map ideal_crossbar() {
    return {{"levels", INFINITY},   {"sigma_c2c", 0.0}, {"sigma_read", 0.0}, {"sigma_d2d", 0.0},
            {"adc_bits", INFINITY}, {"r_wire", 0.0},    {"g_min", 1000.0},   {"g_max", 17384.0}};
}

/// `targets` lif_delta neurons "N" that integrate without leak or threshold in reach: the
/// membrane potential afterwards is the delivered input.
inline void add_integrators(scenario& sc, std::uint64_t targets) {
    add_population(sc, "N", "lif_delta", targets, {{"tau_m", 1e9}, {"v_th", 1e6}, {"e_l", 0.0}, {"v_reset", 0.0}});
}

/// Integrators (add_integrators) reached from population "S" with probability `probability`,
/// weights uniform in [-1, 1], delay 0.1 ms.
inline void random_integrators(scenario& sc, std::uint64_t targets, double probability) {
    add_integrators(sc, targets);
    auto& pr = connect(sc, "S", "N", "fixed_probability", 0.0, 0.1);
    pr.probability = probability;
    pr.weight.k = distribution::kind::uniform;
    pr.weight.low = -1.0;
    pr.weight.high = 1.0;
}

/// One source spike at tick 10 onto `n` lif_delta neurons that integrate without leak or
/// threshold in reach: the membrane potential afterwards is the delivered input.
inline scenario single_spike(std::uint64_t sources, std::uint64_t targets, double weight_lo, double weight_hi) {
    scenario sc = make_scenario(5.0, 0.1, 3);
    auto& src = add_population(sc, "S", "spike_source", sources);
    src.spike_ticks.assign(sources, std::vector<tick_t>{10});
    add_integrators(sc, targets);
    auto& p = connect(sc, "S", "N", "all_to_all", 0.0, 0.1);
    p.weight.k = distribution::kind::uniform;
    p.weight.low = weight_lo;
    p.weight.high = weight_hi;
    return sc;
}

inline std::vector<double> potentials(const simulation& sim, std::size_t pop, std::uint64_t n) {
    std::vector<double> v(n);
    for (std::uint64_t i = 0; i < n; ++i) v[i] = sim.state(pop, "v", i);
    return v;
}

/// The empty columns' codes of one_hit_per_tile_network (every target but each tile's column 0)
/// read on the crossbar with parameters `p` over seeds 1..`seeds`, binned {<= -1, 0, >= 1} (in
/// `seen`), beside the counts the read noise predicts (in `expected`): Phi at (k +- 1/2) LSB - mu
/// of each column, mu = (ip - im)(c) / 0.2 V in nS, sigma_e in nS. `scale` converts nS to the
/// potential's units. Every potential must be a whole code.
struct code_bins {
    std::array<double, 3> seen{}, expected{};
};
inline code_bins empty_column_codes(scenario& sc, const param_map& p, std::uint32_t n, std::uint64_t seeds, double scale,
                                    double lsb, double sigma_e, const std::vector<double>& ip, const std::vector<double>& im) {
    const auto Phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
    code_bins b;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        sc.simulation.seed = seed;
        const auto v = potentials(*run_all(with_backend(sc, "crossbar", p)), 1, n);
        for (std::uint32_t t = 0; t < n; ++t) {
            if (t % 128 == 0) continue;
            const double code = std::round(v[t] / (scale * lsb));
            REQUIRE(std::abs(v[t] / (scale * lsb) - code) < 1e-6);  // whole codes
            b.seen[code < 0 ? 0 : code == 0 ? 1 : 2] += 1.0;
            const double mu = (ip[t % 128] - im[t % 128]) / 0.2 * 1e9;  // nS
            const double lo = Phi((-0.5 * lsb - mu) / sigma_e), hi = Phi((0.5 * lsb - mu) / sigma_e);
            b.expected[0] += lo;
            b.expected[1] += hi - lo;
            b.expected[2] += 1.0 - hi;
        }
    }
    return b;
}

} // namespace memspike::test
