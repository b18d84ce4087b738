// SPDX-License-Identifier: MIT
// lif_cond_exp's dense input path (decisions.md §46): while every neuron of a partition is
// active, its slots are in neuron order and the step loop adds the tick's input sums itself. It
// must give the bits of the input loop it replaces, through every switch between the two: a
// partition that starts quiet, fills (dense), empties and fills again is run beside the same
// neurons in a partition that can never fill (one more neuron that never gets input), whose
// neurons therefore always take the input loop.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace memspike;

namespace {

struct run_out {
    std::vector<std::vector<double>> v, ge;  // [neuron][tick], after each tick
    std::vector<std::vector<tick_t>> spikes;
};

/// n driven lif_cond_exp neurons (plus `extra` that get nothing) over `ticks` ticks; with
/// `per_neuron_th`, a threshold per neuron (the kernel's per-slot threshold, permuted with the slots).
run_out run_switching(std::size_t n, std::size_t extra, double integrator, std::size_t ticks, bool per_neuron_th) {
    const double h = 0.1;
    auto sc = test::make_scenario(static_cast<double>(ticks) * h, h);
    sc.simulation.quiescence_tolerance = 1e-2;  // nS: neurons leave within ~70 ms of their last input
    const std::size_t size = n + extra;
    test::add_population(sc, "ex", "spike_source", size);
    test::add_population(sc, "in", "spike_source", size);
    auto& ex = sc.populations[0];
    auto& in = sc.populations[1];
    ex.spike_ticks.resize(size);
    in.spike_ticks.resize(size);
    // Two bursts of input, [100, 400) and [1500, 1700): every neuron gets an event at the first
    // tick of each (all join at once, so the partition fills), then events on uneven grids. The
    // conductances decay below the tolerance at different ticks after each burst.
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& [from, to] : {std::pair<std::size_t, std::size_t>{100, 400}, {1500, 1700}})
            for (std::size_t t = from; t < to; ++t) {
                if (t == from || (t + 3 * i) % (7 + i % 5) == 0) ex.spike_ticks[i].push_back(static_cast<tick_t>(t));
                if ((t + 11 * i) % (29 + i % 7) == 0) in.spike_ticks[i].push_back(static_cast<tick_t>(t));
            }
    // i_e = 120 pA: V_inf = -48 mV, above threshold, so quiet neurons spike by their scheduled
    // crossings and active ones by the step loop.
    auto& pop = test::add_population(sc, "n", "lif_cond_exp", size,
                                     {{"c_m", 200.0}, {"g_l", 10.0}, {"e_l", -60.0}, {"v_th", -50.0}, {"v_reset", -60.0},
                                      {"t_ref", 2.0}, {"e_ex", 0.0}, {"e_in", -80.0}, {"tau_syn_ex", 5.0},
                                      {"tau_syn_in", 10.0}, {"i_e", 120.0}, {"integrator", integrator}});
    per_neuron_param v0;
    for (std::size_t i = 0; i < size; ++i) v0.values.push_back(-60.0 + 0.13 * static_cast<double>(i % 70));
    pop.init_values["v"] = v0;
    if (per_neuron_th) {
        per_neuron_param th;
        for (std::size_t i = 0; i < size; ++i) th.values.push_back(-50.0 + 0.07 * static_cast<double>(i % 11));
        pop.params.erase("v_th");
        pop.per_neuron["v_th"] = th;
    }
    // Two projections on the excitatory port: two weights summed per event before they are added.
    test::connect(sc, "ex", "n", "one_to_one", 6.0, h, "ex");
    test::connect(sc, "ex", "n", "one_to_one", 2.5, h, "ex");
    test::connect(sc, "in", "n", "one_to_one", 20.0, h, "in");
    // A current on every third driven neuron from inside the first burst (slot biases differ,
    // and the change is deferred past the step), and a Poisson drive of the driven neurons.
    // (Each stimulus is filled in before the next is added: add_* returns a reference into
    // sc.stimuli, which the next push_back may move.)
    auto& dc = test::add_dc(sc, "n", 30.0, 25.0);
    for (std::size_t i = 0; i < n; i += 3) dc.neurons.push_back(i);
    auto& drive = test::add_poisson(sc, "n", 200.0, 1.5, "ex");
    drive.start_ms = 10.0;  // during the first burst only
    drive.stop_ms = 40.0;
    for (std::size_t i = 0; i < n; ++i) drive.neurons.push_back(i);
    simulation sim(sc, builtin_models(), 1);
    run_out out;
    out.v.assign(n, std::vector<double>(ticks));
    out.ge = out.v;
    for (std::size_t t = 0; t < ticks; ++t) {
        sim.run(1);
        for (std::uint32_t i = 0; i < n; ++i) {
            out.v[i][t] = sim.state(2, "v", i);
            out.ge[i][t] = sim.state(2, "g_ex", i);
        }
    }
    for (std::uint32_t i = 0; i < n; ++i) out.spikes.push_back(test::spike_ticks(sim, 2, i));
    return out;
}

} // namespace

TEST_CASE("lif_cond_exp dense input: the bits of the input loop through quiet, full and quiet again",
          "[unit][cond_exp_kernels]") {
    // Catches an input added before the decay or twice (sums not cleared), a touched flag left
    // set (the neuron's later inputs lost once the partition is no longer full), slots put in
    // the wrong order when the partition fills (with a threshold per slot too), and a stale dense
    // state after a neuron leaves.
    // 70 neurons: a full chunk of 64 slots and a tail of 6. MEMSPIKE_STEP_KERNEL: per kernel.
    const std::size_t n = 70, ticks = 2600;
    for (const bool per_neuron_th : {false, true})
    for (const double integrator : {0.0, 1.0}) {  // rk4, euler
        INFO("integrator " << (integrator == 0.0 ? "rk4" : "euler") << (per_neuron_th ? ", V_th per neuron" : ""));
        const run_out dense = run_switching(n, 0, integrator, ticks, per_neuron_th);
        const run_out loop = run_switching(n, 1, integrator, ticks, per_neuron_th);
        // The switches happened: every neuron active at once (the partition full) in each burst,
        // and every neuron quiet again (g_ex zeroed at the tolerance) before the next burst and at the end.
        for (const std::size_t t : {std::size_t{150}, std::size_t{1600}, std::size_t{1450}, ticks - 1}) {
            std::size_t active = 0;
            for (std::size_t i = 0; i < n; ++i) active += dense.ge[i][t] != 0.0;
            CHECK(active == (t == 150 || t == 1600 ? n : 0));
        }
        std::size_t spikes = 0;
        for (std::size_t i = 0; i < n; ++i) {
            INFO("neuron " << i);
            std::size_t differ = 0;
            for (std::size_t t = 0; t < ticks; ++t)
                differ += (dense.v[i][t] != loop.v[i][t]) + (dense.ge[i][t] != loop.ge[i][t]);  // bit for bit
            CHECK(differ == 0);
            CHECK(dense.spikes[i] == loop.spikes[i]);
            spikes += dense.spikes[i].size();
        }
        CHECK(spikes > 10 * n);
    }
}
