// SPDX-License-Identifier: MIT
// The weights of one projection: telling the backends they changed, settling lazily updated
// (plastic) weights before they are read, and gathering them in store order.
#include "simulation_impl.hpp"

namespace memspike {

void simulation::impl::weights_changed(std::size_t projection, tick_t t) {
    for (auto& part : parts)
        for (std::size_t b = 0; b < part.view.blocks.size(); ++b)
            if (part.view.blocks[b].projection == projection) part.backend->weights_changed(t, part.view, b);
}

void simulation::impl::settle(std::size_t projection) { settle_at(projection, now); }

void simulation::impl::settle_at(std::size_t projection, tick_t t) {
    if (!sc.projections[projection].plasticity.enabled()) return;
    for_plastic(projection, [&](plastic_block& pb, synapse_block& b) { pb.settle(t, b); });
    weights_changed(projection, t);
}

/// The synapses of a projection in store order (partition, block, source, delay, synapse);
/// weights only when `weights_only`.
void simulation::impl::gather(std::size_t projection, synapse_list& out, bool weights_only) const {
    for (std::size_t p = 0; p < parts.size(); ++p) {
        const auto& range = parts[p].range;
        for (const auto& b : store.blocks[p]) {
            if (b.projection != projection) continue;
            for (std::uint64_t s = 0; s < b.source_count; ++s)
                for (std::int32_t d = 0; d < b.delay_count; ++d) {
                    const std::size_t k = s * static_cast<std::size_t>(b.delay_count) + static_cast<std::size_t>(d);
                    for (std::uint64_t j = b.offsets[k]; j < b.offsets[k + 1]; ++j) {
                        out.weights.push_back(b.weight(j));
                        if (weights_only) continue;
                        out.sources.push_back(static_cast<std::uint32_t>(s));
                        out.targets.push_back(static_cast<std::uint32_t>(range.first + b.targets[j]));
                        out.delays.push_back(b.delay_min + d);
                    }
                }
        }
    }
}

plasticity_counters simulation::impl::plasticity_of(std::size_t projection) const {
    plasticity_counters total;
    for (std::size_t p = 0; p < parts.size(); ++p)
        for (std::size_t b = 0; b < parts[p].plastic.size(); ++b)
            if (parts[p].plastic[b] && store.blocks[p][b].projection == projection) total += parts[p].plastic[b]->counters();
    return total;
}

} // namespace memspike
