// SPDX-License-Identifier: MIT
// lif_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic currents
// (current-based, "CUBA"), separate excitatory and inhibitory time constants; as NEST's
// iaf_psc_exp and the Vogels-Abbott / Brette et al. (2007) CUBA benchmark.
//
//   tau_m dV/dt = -(V - E_L) + tau_m (I_ex + I_in + I_e + I_stim) / C_m
//   tau_syn_ex dI_ex/dt = -I_ex,  tau_syn_in dI_in/dt = -I_in,  I_x += w at each event on port x.
//
// The system is linear, so one tick is integrated exactly (Rotter & Diesmann 1999):
//   V(t+h) = V_inf + (V(t) - V_inf) e^{-h/tau_m} + P21_ex I_ex(t) + P21_in I_in(t),
//   I_x(t+h) = I_x(t) e^{-h/tau_syn_x},
// with P21_x = current_to_voltage(h, tau_m, tau_syn_x, C_m). Neurons with current are in the active
// set (lif_active.hpp); the others are lazy and exact.
#include "neurons/lif_exp.hpp"

#include "neurons/lif_active.hpp"

namespace memspike::lif {
namespace {

struct exp_currents : two_exponentials {  // ex, in: currents [pA]
    static constexpr const char* names[ports] = {"i_ex", "i_in"};
    // The step loop has few operations per slot, so a flag store per slot shows: it keeps none and
    // re-tests a chunk that has one (lif_step_kernels.hpp, decisions.md §35).
    static constexpr bool store_events = false;
    // Refractoriness outside the step loop (one array less per slot): CUBA 6 % faster (§39).
    static constexpr bool clamp_in_loop = false;
    double p21_ex = 0, p21_in = 0, p22 = 0;

    void bind(const membrane& m) { p22 = m.p22(0); }
    /// V_inf: the neuron's own (the membrane's), so the same for every constant set.
    template <class M>
    double bias(std::uint32_t i, const M& m) const { return m.v_inf(i); }
    // The AVX-512 step kernel with mask registers (lif_step_kernels.hpp, decisions.md §42).
    static constexpr bool masked_kernel = true;
    /// One exact tick; `vi` is V_inf (bias).
    [[gnu::always_inline]] double step(double v, double i_ex, double i_in, double vi) const {
        return vi + (v - vi) * p22 + p21_ex * i_ex + p21_in * i_in;
    }
#if defined(__x86_64__)
    /// step() on 8 slots, for the masked kernel: the same operations in the same order, each its
    /// own intrinsic, so that no compiler contracts a product and a sum into one fused
    /// multiply-add (clang contracts within an expression by default). Keep the two identical:
    /// test_lif_exp.cpp compares the kernel with the per-neuron loop bit for bit.
    [[gnu::always_inline, gnu::target("avx512f")]] __m512d step(__m512d v, __m512d i_ex, __m512d i_in, __m512d vi) const {
        const __m512d decayed = _mm512_add_pd(vi, _mm512_mul_pd(_mm512_sub_pd(v, vi), _mm512_set1_pd(p22)));
        const __m512d with_ex = _mm512_add_pd(decayed, _mm512_mul_pd(_mm512_set1_pd(p21_ex), i_ex));
        return _mm512_add_pd(with_ex, _mm512_mul_pd(_mm512_set1_pd(p21_in), i_in));
    }
#endif
};

/// A population with per-neuron parameters: the same constants, per neuron (lif_active.hpp).
std::unique_ptr<neuron_group> create_per_neuron(const group_context& ctx) {
    const double h = ctx.resolution_ms;
    const membrane_columns c = read_membrane_columns(ctx);
    membrane_het m(c, h);
    const auto tau_ex = neuron_values(ctx, "tau_syn_ex"), tau_in = neuron_values(ctx, "tau_syn_in");
    auto [syns, of] = distinct_synapses<exp_currents>(ctx.count, [&](std::size_t i) {
        exp_currents syn;
        syn.p_ex = std::exp(-h / tau_ex[i]);
        syn.p_in = std::exp(-h / tau_in[i]);
        syn.p21_ex = current_to_voltage(h, c.tau_m_ms[i], tau_ex[i], c.c_m_pf[i]);
        syn.p21_in = current_to_voltage(h, c.tau_m_ms[i], tau_in[i], c.c_m_pf[i]);
        syn.p22 = m.p22(static_cast<std::uint32_t>(i));
        return syn;
    });
    return std::make_unique<active_lif_group<exp_currents, true>>(ctx, std::move(m), std::move(syns), std::move(of));
}

} // namespace

model_info lif_exp_model() {
    model_info m;
    m.name = "lif_exp";
    m.summary = "LIF with exponential current synapses (CUBA), exact integration (NEST iaf_psc_exp)";
    m.params = membrane_param_table();
    m.params.push_back({"tau_syn_ex", dimension::time, 2.0, "excitatory synaptic current time constant"});
    m.params.push_back({"tau_syn_in", dimension::time, 2.0, "inhibitory synaptic current time constant"});
    m.ports = {{"ex", dimension::current}, {"in", dimension::current}};
    m.state = {{"v", dimension::voltage}, {"i_ex", dimension::current}, {"i_in", dimension::current}};
    m.validate = [](const param_map& p) {
        validate_membrane("lif_exp", p);
        require_positive("lif_exp", p, "tau_syn_ex", dimension::time);
        require_positive("lif_exp", p, "tau_syn_in", dimension::time);
    };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        const auto& p = ctx.spec.params;
        const double h = ctx.resolution_ms;
        if (!ctx.spec.per_neuron.empty()) return create_per_neuron(ctx);
        const membrane_params mp = read_membrane(p);
        exp_currents syn;
        syn.p_ex = std::exp(-h / p.at("tau_syn_ex"));
        syn.p_in = std::exp(-h / p.at("tau_syn_in"));
        syn.p21_ex = current_to_voltage(h, mp.tau_m_ms, p.at("tau_syn_ex"), mp.c_m_pf);
        syn.p21_in = current_to_voltage(h, mp.tau_m_ms, p.at("tau_syn_in"), mp.c_m_pf);
        return std::make_unique<active_lif_group<exp_currents>>(ctx, membrane(mp, h, ctx.count), std::vector{syn});
    };
    m.per_neuron_params = true;
    // For the resource estimate: membrane record 32 and stimulus current 8 (once a stimulus reaches the partition), wake-heap entry 16, slot 48 (index, V, two currents, bias, refractory end, hit-list entry), slot index 4, due and leaving lists 8 bytes per neuron (memory_bytes() at most).
    // Per-neuron parameters add the membrane constants and a constant-set index (4 bytes); the
    // distinct constant sets (48 bytes each, at most one per neuron) are counted per neuron too.
    m.state_bytes = [](const population_spec& pop) {
        const double het = pop.per_neuron.empty() ? 0.0 : membrane_constant_bytes(pop) + 4.0 + 48.0;
        return (116.0 + het) * static_cast<double>(pop.size);
    };
    m.spikes = membrane_spikes;
    return m;
}

} // namespace memspike::lif
