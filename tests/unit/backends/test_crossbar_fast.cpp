// SPDX-License-Identifier: MIT
// The crossbar's fourth speed-up step (issue 15, docs/decisions.md §36): reads served from the
// single-row cache of static blocks, checked against ir_drop.hpp's general first-order routine
// (an implementation sharing no code with the read path), including after the weights were
// replaced (a stale cache would keep the old currents).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "memspike/backends/builtin.hpp"
#include "memspike/backends/crossbar/ir_drop.hpp"
#include "unit/backends/networks.hpp"

using namespace memspike;
using namespace memspike::test;

namespace {

/// A nominal, linear 32-level device (compact, static: the cache serves its single-row reads)
/// without noise, r_wire = 2 Ohm, a 24-bit ADC over +-28 uA (half an LSB: 0.008 nS), natural order.
param_map cached_device() {
    param_map p = ideal_crossbar();
    p["levels"] = 32.0;
    p["nl_ltp"] = 0.0;  // linear: set_weights below moves devices by whole levels with pulses,
    p["nl_ltd"] = 0.0;  // so each pair ends with one device at g_min, as the reference assumes
    p["stochastic_rounding"] = 0.0;
    p["r_wire"] = 2e-6;  // MOhm
    p["reorder"] = 0.0;
    p["adc_bits"] = 24.0;
    p["adc_range"] = 2.8e7;  // pA
    return p;
}

/// The input each of the 128 targets of single_spike(1, 128, ...) must receive from the weights
/// the devices hold: scale (I+ - I-) / V_read with I+- from the general first-order routine over
/// the one driven row (row 0, column = target in natural order).
std::vector<double> first_order_inputs(const synapse_list& held) {
    double w_max = 0.0;
    for (const float w : held.weights) w_max = std::max(w_max, std::abs(double(w)));
    const double scale = w_max / 16384.0, v = 0.2;
    std::vector<crossbar::array_cell> plus, minus;
    for (std::size_t k = 0; k < held.weights.size(); ++k) {
        const double w = held.weights[k];
        plus.push_back({0, held.targets[k], (1000.0 + std::max(w, 0.0) / scale) * 1e-9});
        minus.push_back({0, held.targets[k], (1000.0 + std::max(-w, 0.0) / scale) * 1e-9});
    }
    std::vector<double> v_row(128, 0.0), ip(128), im(128), out(128);
    v_row[0] = v;
    crossbar::ir_workspace ws;
    crossbar::column_currents_first_order(128, 128, plus, v_row, 2.0, ip, ws);
    crossbar::column_currents_first_order(128, 128, minus, v_row, 2.0, im, ws);
    for (std::size_t j = 0; j < 128; ++j) out[j] = scale * (ip[j] - im[j]) / v * 1e9;
    return out;
}

void check_inputs(const simulation& sim) {
    const auto held = sim.synapses_of(0);
    const auto expected = first_order_inputs(held);
    double w_max = 0.0;
    for (const float w : held.weights) w_max = std::max(w_max, std::abs(double(w)));
    const double lsb = 2.8e7 / 200.0 / std::ldexp(1.0, 23), scale = w_max / 16384.0;  // nS; weight per nS
    const auto got = potentials(sim, 1, 128);
    for (std::size_t j = 0; j < 128; ++j) {
        INFO("target " << j);
        CHECK(std::abs(got[j] - expected[j]) <= scale * 0.5 * lsb + 1e-6 * std::abs(expected[j]));
    }
}

} // namespace

TEST_CASE("crossbar: a single driven row of a static block reads the first-order IR drop from its cache", "[crossbar][stats]") {
    // One spike drives one row of 128 synapse cells with weights of both signs. Bugs caught: a
    // cached current missing a term of the bracket (the row drop, the column rise, the e0 terms),
    // a cache indexed by the wrong segment, a cache not recomputed after set_weights.
    const scenario sc = with_backend(single_spike(1, 128, -1.0, 1.0), "crossbar", cached_device());
    const auto first = run_all(sc);
    {
        INFO("as built");
        check_inputs(*first);
    }
    // The same block with other weights put on it before the run (the held ones, shifted by one
    // synapse: level values, reached by whole pulses): the read must see them.
    simulation sim(sc, builtin_registry(), 1);
    const std::vector<float> held = sim.synapses_of(0).weights;
    std::vector<float> w(held.size());
    for (std::size_t k = 0; k < w.size(); ++k) w[k] = held[(k + 1) % held.size()];
    sim.set_weights(0, w);
    sim.run(sc.duration_ticks());
    {
        INFO("after set_weights");
        check_inputs(sim);
    }
    const auto before = potentials(*first, 1, 128), after = potentials(sim, 1, 128);
    int changed = 0;
    for (std::size_t j = 0; j < 128; ++j) changed += before[j] != after[j];
    CHECK(changed > 100);  // the new weights are what was read
}
