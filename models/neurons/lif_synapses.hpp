// SPDX-License-Identifier: MIT
// What a LIF model with two exponentially decaying synaptic variables (lif_exp, lif_cond_exp)
// gives the active set (lif_active.hpp) as its Synapses type: the opt-in traits that the step
// kernels read (lif_step_kernels.hpp), the common base with the two ports and their decay
// factors, the grouping of per-neuron constants into distinct sets (Het), and the current-to-
// voltage factor that lif_alpha shares. Separate from lif_active.hpp because none of it is the
// active set itself: a model builds its Synapses from these, and lif_alpha needs only the factor.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace memspike::lif {

/// Whether Synapses opts into the AVX-512 step kernel written with mask registers
/// (`static constexpr bool masked_kernel = true`; step_kernels::masked_chunks): its step()
/// must then also take vectors of 8 doubles, and its loop must not clamp refractoriness.
template <class S>
constexpr bool masked_kernel_of = requires { requires S::masked_kernel; };

/// Whether Synapses opts into the dense input path (`static constexpr bool dense_input = true`;
/// active_lif_group::go_dense, decisions.md §46): while every neuron of the partition is active,
/// slot j holds neuron j and the step loop adds the tick's input sums to the decayed synaptic
/// variables itself, so the input loop over the touched neurons is skipped.
template <class S>
constexpr bool dense_input_of = requires { requires S::dense_input; };

/// The distinct synaptic constant sets of a partition's neurons, made by make(i) for each, and
/// each neuron's index among them: a population whose synaptic constants do not vary (only
/// V_th, say) holds one set.
template <class Synapses, class Make>
std::pair<std::vector<Synapses>, std::vector<std::uint32_t>> distinct_synapses(std::size_t n, Make&& make) {
    static_assert(std::is_trivially_copyable_v<Synapses>);
    std::vector<Synapses> distinct;
    std::vector<std::uint32_t> of(n);
    std::map<std::string, std::uint32_t> seen;
    for (std::size_t i = 0; i < n; ++i) {
        const Synapses s = make(i);
        std::string bytes(sizeof s, '\0');
        std::memcpy(bytes.data(), &s, sizeof s);
        const auto [it, fresh] = seen.emplace(std::move(bytes), static_cast<std::uint32_t>(distinct.size()));
        if (fresh) distinct.push_back(s);
        of[i] = it->second;
    }
    if (distinct.empty()) distinct.push_back(Synapses{});  // an empty partition still has one set
    return {std::move(distinct), std::move(of)};
}

/// Two exponentially decaying synaptic variables per neuron, on ports "ex" (0) and "in" (1):
/// the state of lif_exp (currents) and lif_cond_exp (conductances), which add step, bias and names.
struct two_exponentials {
    static constexpr std::size_t ports = 2;
    double p_ex = 0.0, p_in = 0.0;  // one-tick decay factors exp(-h / tau_syn)
};

/// exp(-h/tau_m) * integral_0^h exp(-s/tau_s) exp(s/tau_m) ds / C: the voltage (mV) that a
/// synaptic current of 1 pA, decaying with tau_s, adds over one tick. Stable for tau_s -> tau_m.
inline double current_to_voltage(double h, double tau_m, double tau_s, double c_m) {
    const double a = 1.0 / tau_s - 1.0 / tau_m;
    const double integral = std::abs(a * h) < 1e-12 ? h : -std::expm1(-a * h) / a;
    return std::exp(-h / tau_m) * integral / c_m;
}

} // namespace memspike::lif
