// SPDX-License-Identifier: MIT
// lif_cond_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic conductances
// ("COBA"), as NEST's iaf_cond_exp and the Vogels-Abbott / Brette et al. (2007) COBA benchmark.
//
//   C_m dV/dt = g_L (E_L - V) + g_ex (E_ex - V) + g_in (E_in - V) + I_e + I_stim
//   tau_syn_ex dg_ex/dt = -g_ex,  tau_syn_in dg_in/dt = -g_in,  g_x += w (nS, w >= 0) at each event.
//
// Integration method: the conductances are known exactly over a tick (g(t+s) = g(t) e^{-s/tau}),
// and V is advanced by one classical fourth-order Runge-Kutta step per tick that evaluates them
// exactly at s = 0, h/2 and h. The local error is O(h^5); tests/unit/models/test_lif_cond_exp.cpp
// measures it against a reference with 1000 sub-steps per tick. The step is written for the
// linear form dV/dt = A(s) - B(s) V with its coefficients divided by C_m once, in fused
// multiply-adds (decisions.md §27): RK4's stages exactly, rounded differently. With no conductance left the
// equation is linear (tau_m = C_m / g_L) and the neuron is advanced lazily and exactly.
// Rationale against NEST's adaptive RKF45 (GSL): a fixed step keeps the cost per active neuron
// constant and the result independent of error-control heuristics, at an error well below the
// effect of one synaptic event. integrator = "euler" takes Auryn's forward-Euler step instead
// (euler_conductances below, decisions.md §43): cheaper, first order.
#include "neurons/lif_cond_exp.hpp"

#include "memspike/core/units.hpp"
#include "neurons/lif_active.hpp"

namespace memspike::lif {
namespace {

struct exp_conductances : two_exponentials {  // ex, in: conductances [nS], never negative
    static constexpr const char* names[ports] = {"g_ex", "g_in"};
    // The step loop is bound by its arithmetic: a flag store per slot into an L1 buffer is free,
    // a re-test of a flagged chunk is not (lif_step_kernels.hpp, decisions.md §35).
    static constexpr bool store_events = true;
    // Refractoriness tested in the step loop: outside it COBA measured 4-14 % slower (§39).
    static constexpr bool clamp_in_loop = true;
    // While every neuron of a partition is active (COBA: always), the step loop adds the tick's
    // input: no input loop over the touched neurons (lif_active.hpp, decisions.md §46).
    static constexpr bool dense_input = true;
    // The AVX-512 kernel with mask registers (lif_clamped_kernel.hpp): step() on 8 doubles below.
    static constexpr bool clamped_kernel = true;
    double h = 0.1, inv_c_m = 1.0 / 250;
    // The equation as dV/dt = A(s) - B(s) V, with A and B linear in the conductances at the tick
    // start (g_x(s) = g_x d_x(s)); the coefficients below are per unit conductance, divided by
    // C_m once here (decisions.md §27): B(s) = gl_c + g_ex b_ex(s) + g_in b_in(s),
    // A(s) = a_bias + cur / C_m + g_ex a_ex(s) + g_in a_in(s), at s = 0, h/2 (half), h (full).
    double gl_c = 0, a_bias = 0;  // g_L / C_m, g_L E_L / C_m
    double bh_ex = 0, bh_in = 0, b1_ex = 0, b1_in = 0;                            // d(s) / C_m
    double a0_ex = 0, a0_in = 0, ah_ex = 0, ah_in = 0, a1_ex = 0, a1_in = 0;  // E d(s) / C_m

    /// Needs h set first.
    void set(double c_m, double g_l, double e_l, double e_ex, double e_in, double tau_ex, double tau_in) {
        const double dex_half = std::exp(-0.5 * h / tau_ex), din_half = std::exp(-0.5 * h / tau_in);
        p_ex = std::exp(-h / tau_ex);
        p_in = std::exp(-h / tau_in);
        inv_c_m = 1.0 / c_m;
        gl_c = g_l / c_m;
        a_bias = g_l * e_l / c_m;
        bh_ex = dex_half / c_m;
        bh_in = din_half / c_m;
        b1_ex = p_ex / c_m;
        b1_in = p_in / c_m;
        a0_ex = e_ex / c_m;
        a0_in = e_in / c_m;
        ah_ex = e_ex * dex_half / c_m;
        ah_in = e_in * din_half / c_m;
        a1_ex = e_ex * p_ex / c_m;
        a1_in = e_in * p_in / c_m;
    }
    void bind(const membrane&) {}
    /// The neuron's own bias and stimulus current (the membrane's), so the same for every set.
    template <class M>
    double bias(std::uint32_t i, const M& m) const { return m.current(i); }
    /// One classical RK4 step of dV/dt = A(s) - B(s) V; `cur` is the bias plus stimulus current
    /// [pA] (bias). The stages are RK4's; written with A and B they cost ~20 fused multiply-adds
    /// and a few adds instead of ~55 operations and four divisions (the loop is bound by the
    /// vector units' throughput). std::fma is correctly rounded, so every kernel computes the
    /// same bits (lif_active.hpp). k2 = A(h/2) - B(h/2) (v + h/2 k1) = ch - q k1, k3 likewise.
    [[gnu::always_inline]] double step(double v, double ge, double gi, double cur) const {
        using std::fma;
        const double base = fma(cur, inv_c_m, a_bias);
        const double b0 = fma(ge + gi, inv_c_m, gl_c), a0 = fma(gi, a0_in, fma(ge, a0_ex, base));
        const double bh = fma(gi, bh_in, fma(ge, bh_ex, gl_c)), ah = fma(gi, ah_in, fma(ge, ah_ex, base));
        const double b1 = fma(gi, b1_in, fma(ge, b1_ex, gl_c)), a1 = fma(gi, a1_in, fma(ge, a1_ex, base));
        const double ch = fma(-bh, v, ah), q = 0.5 * h * bh;
        const double k1 = fma(-b0, v, a0);
        const double k2 = fma(-q, k1, ch);
        const double k3 = fma(-q, k2, ch);
        const double k4 = fma(-b1, fma(h, k3, v), a1);
        return v + fma(h / 6.0, k1 + k4, h / 3.0 * (k2 + k3));
    }
#if defined(__x86_64__)
    /// step() on 8 slots: the same operations in the same order (std::fma and _mm512_fmadd_pd
    /// are both correctly rounded; fma(-x, y, z) is _mm512_fnmadd_pd(x, y, z), the negation exact).
    [[gnu::always_inline, gnu::target("avx512f")]] __m512d step(__m512d v, __m512d ge, __m512d gi, __m512d cur) const {
        const __m512d gl = _mm512_set1_pd(gl_c);
        const __m512d base = _mm512_fmadd_pd(cur, _mm512_set1_pd(inv_c_m), _mm512_set1_pd(a_bias));
        const __m512d b0 = _mm512_fmadd_pd(_mm512_add_pd(ge, gi), _mm512_set1_pd(inv_c_m), gl);
        const __m512d a0 = _mm512_fmadd_pd(gi, _mm512_set1_pd(a0_in), _mm512_fmadd_pd(ge, _mm512_set1_pd(a0_ex), base));
        const __m512d bh = _mm512_fmadd_pd(gi, _mm512_set1_pd(bh_in), _mm512_fmadd_pd(ge, _mm512_set1_pd(bh_ex), gl));
        const __m512d ah = _mm512_fmadd_pd(gi, _mm512_set1_pd(ah_in), _mm512_fmadd_pd(ge, _mm512_set1_pd(ah_ex), base));
        const __m512d b1 = _mm512_fmadd_pd(gi, _mm512_set1_pd(b1_in), _mm512_fmadd_pd(ge, _mm512_set1_pd(b1_ex), gl));
        const __m512d a1 = _mm512_fmadd_pd(gi, _mm512_set1_pd(a1_in), _mm512_fmadd_pd(ge, _mm512_set1_pd(a1_ex), base));
        const __m512d ch = _mm512_fnmadd_pd(bh, v, ah), q = _mm512_mul_pd(_mm512_set1_pd(0.5 * h), bh);
        const __m512d k1 = _mm512_fnmadd_pd(b0, v, a0);
        const __m512d k2 = _mm512_fnmadd_pd(q, k1, ch);
        const __m512d k3 = _mm512_fnmadd_pd(q, k2, ch);
        const __m512d k4 = _mm512_fnmadd_pd(b1, _mm512_fmadd_pd(_mm512_set1_pd(h), k3, v), a1);
        return _mm512_add_pd(v, _mm512_fmadd_pd(_mm512_set1_pd(h / 6.0), _mm512_add_pd(k1, k4),
                                                _mm512_mul_pd(_mm512_set1_pd(h / 3.0), _mm512_add_pd(k2, k3))));
    }
#endif
};

/// integrator = "euler" (decisions.md §43): Auryn's scheme (TIFGroup::evolve), in double
/// precision. One forward-Euler step of V per tick from the state at the tick start,
///   V_{n+1} = V_n + h (A_0 - B_0 V_n),  B_0 = g_L/C_m + (g_ex + g_in)/C_m,
///   A_0 = g_L E_L/C_m + I/C_m + g_ex E_ex/C_m + g_in E_in/C_m,
/// which is RK4's first stage k1 (the same fused multiply-adds, so the same bits) and then
/// fma(h, k1, V); the conductances decay exactly, as with RK4. Global error O(h): measured
/// against the 1000-sub-step reference in tests/unit/models/test_lif_cond_exp.cpp and quoted in
/// docs/models.md ("Exactness"). About a quarter of RK4's arithmetic per active neuron.
struct euler_conductances : exp_conductances {
    [[gnu::always_inline]] double step(double v, double ge, double gi, double cur) const {
        using std::fma;
        const double base = fma(cur, inv_c_m, a_bias);
        const double b0 = fma(ge + gi, inv_c_m, gl_c), a0 = fma(gi, a0_in, fma(ge, a0_ex, base));
        return fma(h, fma(-b0, v, a0), v);
    }
#if defined(__x86_64__)
    /// step() on 8 slots: the same operations (see exp_conductances::step on __m512d).
    [[gnu::always_inline, gnu::target("avx512f")]] __m512d step(__m512d v, __m512d ge, __m512d gi, __m512d cur) const {
        const __m512d base = _mm512_fmadd_pd(cur, _mm512_set1_pd(inv_c_m), _mm512_set1_pd(a_bias));
        const __m512d b0 = _mm512_fmadd_pd(_mm512_add_pd(ge, gi), _mm512_set1_pd(inv_c_m), _mm512_set1_pd(gl_c));
        const __m512d a0 =
            _mm512_fmadd_pd(gi, _mm512_set1_pd(a0_in), _mm512_fmadd_pd(ge, _mm512_set1_pd(a0_ex), base));
        return _mm512_fmadd_pd(_mm512_set1_pd(h), _mm512_fnmadd_pd(b0, v, a0), v);
    }
#endif
};

/// The accepted values of the `integrator` parameter, in the order of their stored index.
const std::vector<std::string>& integrators() {
    static const std::vector<std::string> names{"rk4", "euler"};
    return names;
}
bool euler_of(const param_map& p) { return p.at("integrator") == 1.0; }

/// A population with per-neuron parameters: the same constants, per neuron (lif_active.hpp).
template <class Syn>
std::unique_ptr<neuron_group> create_per_neuron(const group_context& ctx) {
    membrane_columns c = read_membrane_columns(ctx);
    const auto g_l = neuron_values(ctx, "g_l"), e_ex = neuron_values(ctx, "e_ex"), e_in = neuron_values(ctx, "e_in");
    const auto tau_ex = neuron_values(ctx, "tau_syn_ex"), tau_in = neuron_values(ctx, "tau_syn_in");
    c.tau_m_ms.resize(ctx.count);
    for (std::size_t i = 0; i < ctx.count; ++i) c.tau_m_ms[i] = c.c_m_pf[i] / g_l[i];  // pF / nS = ms
    auto [syns, of] = distinct_synapses<Syn>(ctx.count, [&](std::size_t i) {
        Syn syn;
        syn.h = ctx.resolution_ms;
        syn.set(c.c_m_pf[i], g_l[i], c.e_l_mv[i], e_ex[i], e_in[i], tau_ex[i], tau_in[i]);
        return syn;
    });
    return std::make_unique<active_lif_group<Syn, true>>(ctx, membrane_het(c, ctx.resolution_ms), std::move(syns),
                                                         std::move(of));
}

/// A population whose parameters are the same for every neuron.
template <class Syn>
std::unique_ptr<neuron_group> create_homogeneous(const group_context& ctx) {
    const auto& p = ctx.spec.params;
    param_map with_tau = p;
    with_tau["tau_m"] = p.at("c_m") / p.at("g_l");  // pF / nS = ms
    const membrane_params mp = read_membrane(with_tau);
    Syn syn;
    syn.h = ctx.resolution_ms;
    syn.set(p.at("c_m"), p.at("g_l"), p.at("e_l"), p.at("e_ex"), p.at("e_in"), p.at("tau_syn_ex"), p.at("tau_syn_in"));
    return std::make_unique<active_lif_group<Syn>>(ctx, membrane(mp, ctx.resolution_ms, ctx.count), std::vector{syn});
}

} // namespace

model_info lif_cond_exp_model() {
    model_info m;
    m.name = "lif_cond_exp";
    m.summary = "LIF with exponential conductance synapses (COBA), RK4 (or forward Euler) per tick (NEST iaf_cond_exp)";
    m.params = {
        {"c_m", dimension::capacitance, 250.0, "membrane capacitance"},
        {"g_l", dimension::conductance, 16.6667, "leak conductance"},
        {"e_l", dimension::voltage, -70.0, "leak reversal potential"},
        {"v_th", dimension::voltage, -55.0, "spike threshold"},
        {"v_reset", dimension::voltage, -60.0, "reset potential"},
        {"t_ref", dimension::time, 2.0, "absolute refractory period"},
        {"e_ex", dimension::voltage, 0.0, "excitatory reversal potential"},
        {"e_in", dimension::voltage, -85.0, "inhibitory reversal potential"},
        {"tau_syn_ex", dimension::time, 0.2, "excitatory conductance time constant"},
        {"tau_syn_in", dimension::time, 2.0, "inhibitory conductance time constant"},
        {"i_e", dimension::current, 0.0, "constant bias current"},
        {"integrator", dimension::dimensionless, 0.0,
         "V per tick: \"rk4\" (one RK4 step, default) or \"euler\" (one forward-Euler step, Auryn's scheme: "
         "faster, O(h) error; docs/models.md)", false, false, integrators()},
    };
    m.ports = {{"ex", dimension::conductance}, {"in", dimension::conductance}};
    m.state = {{"v", dimension::voltage}, {"g_ex", dimension::conductance}, {"g_in", dimension::conductance}};
    m.validate = [](const param_map& p) {
        validate_membrane("lif_cond_exp", p);
        require_positive("lif_cond_exp", p, "g_l", dimension::conductance);
        require_positive("lif_cond_exp", p, "tau_syn_ex", dimension::time);
        require_positive("lif_cond_exp", p, "tau_syn_in", dimension::time);
        for (const char* n : {"e_ex", "e_in"}) require_finite("lif_cond_exp", p, n, dimension::voltage);
        require_choice("lif_cond_exp", p, "integrator", integrators());
    };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        const bool euler = euler_of(ctx.spec.params);
        if (!ctx.spec.per_neuron.empty())
            return euler ? create_per_neuron<euler_conductances>(ctx) : create_per_neuron<exp_conductances>(ctx);
        return euler ? create_homogeneous<euler_conductances>(ctx) : create_homogeneous<exp_conductances>(ctx);
    };
    m.per_neuron_params = true;
    // For the resource estimate: membrane record 32 and stimulus current 8 (once a stimulus reaches the partition), wake-heap entry 16, slot 48 (index, V, two conductances, bias, refractory end, hit-list entry), slot index 4, due and leaving lists 8 bytes per neuron (memory_bytes() at most).
    // Per-neuron parameters add the membrane constants and a constant-set index (4 bytes); the
    // distinct constant sets (144 bytes each, at most one per neuron) are counted per neuron too.
    m.state_bytes = [](const population_spec& pop) {
        const double het = pop.per_neuron.empty() ? 0.0 : membrane_constant_bytes(pop) + 4.0 + 144.0;
        return (116.0 + het) * static_cast<double>(pop.size);
    };
    m.spikes = membrane_spikes;
    return m;
}

} // namespace memspike::lif
