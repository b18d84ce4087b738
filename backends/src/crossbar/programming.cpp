// SPDX-License-Identifier: MIT
// Plasticity on the crossbar (partition.hpp): before a plastic row is read, a synapse whose rule
// weight moved away from what its devices hold is programmed with pulses towards the canonical
// pair of the new weight, and the weight the devices now hold is written back to the rule.
#include <cmath>

#include "partition.hpp"

namespace memspike::crossbar::detail {

void crossbar_partition::weights_changed(tick_t t, const partition_view& part, std::size_t b) {
    for (std::uint64_t j = 0; j < part.blocks[b].size(); ++j) sync(blocks_[b], part.blocks[b], j, t);
    if (!blocks_[b].one.empty()) cache_single_rows(blocks_[b]);  // a static block's weights were replaced
}

/// Programs synapse j's devices (sync found its rule weight moved away from what they hold).
void crossbar_partition::reprogram(tiled_block& tb, synapse_block& block, std::uint64_t j, tick_t t) {
    const std::uint32_t c = tb.cell[j];
    const auto [gp, gm] = canonical_pair(tb, block.weights[j]);
    const double old_p = g_plus(tb, c), old_m = g_minus(tb, c);
    set_pair(tb, c, program(device(tb, c, 0), old_p, gp), program(device(tb, c, 1), old_m, gm));
    if (!tb.tp.empty()) {  // a programmed device restarts its drift clock
        const auto now = static_cast<float>(static_cast<double>(t) * h_);
        if (g_plus(tb, c) != old_p) tb.tp[c] = now;
        if (g_minus(tb, c) != old_m) tb.tm[c] = now;
    }
    block.weights[j] = held_weight(tb, c);
}

/// Moves one device from g towards target with programming pulses; returns its conductance.
double crossbar_partition::program(const device_instance& dev, double g, double target) {
    if (s_.dev.continuous()) {  // an ideal device: one exact write
        const double now = program_level(s_.dev, dev, target);
        if (now > g) ++events_[set_pulses];
        if (now < g) ++events_[reset_pulses];
        return now;
    }
    const int n = pulses_towards(s_.dev, dev, g, target, rounding_, write_rng_);
    if (n == 0) return g;
    events_[n > 0 ? set_pulses : reset_pulses] += static_cast<std::uint64_t>(std::abs(n));
    return apply_pulses(s_.dev, dev, g, n > 0, static_cast<unsigned>(std::abs(n)), write_rng_);
}

} // namespace memspike::crossbar::detail
