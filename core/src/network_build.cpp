// SPDX-License-Identifier: MIT
// Building a simulation: neuron groups per partition, plasticity state and its reverse index,
// the synaptic backends, and the lookups from (population, neuron) to (partition, local index).
#include "simulation_impl.hpp"

#include <oneapi/tbb/parallel_for.h>

namespace memspike {

simulation::impl::impl(const scenario& s, const model_registry& m, unsigned n_threads, synapse_store* reuse,
                       communicator* world)
    : sc(s), models(m),
      arena(n_threads == 0 ? tbb::task_arena::automatic : static_cast<int>(n_threads)),
      threads(n_threads == 0 ? static_cast<unsigned>(tbb::this_task_arena::max_concurrency()) : n_threads) {
    comm = world;
    for (auto& p : sc.populations) p.params = complete_population_params(models.find(p.model), p);
    pop_offset = population_offsets(sc);
    // Over several ranks, this rank builds only its own partitions (distributed.cpp).
    auto ranges = make_partitions(sc);
    if (comm) {
        ranges = own_partitions(ranges, partition_index);
    } else {
        partition_index.resize(ranges.size());
        for (std::size_t p = 0; p < ranges.size(); ++p) partition_index[p] = static_cast<std::uint32_t>(p);
    }
    if (reuse != nullptr)
        store = std::move(*reuse);
    else
        arena.execute([&] { store = build_synapses(sc, models, ranges); });
    parts.resize(ranges.size());
    arena.execute([&] {
        tbb::parallel_for(std::size_t{0}, ranges.size(), [&](std::size_t p) { make_partition(p, ranges[p]); });
    });
    ring.resize(static_cast<std::size_t>(store.max_delay) + 1);
    if (reuse == nullptr) arena.execute([&] { network_print = fingerprint_of(store); });  // before a backend rewrites weights
    make_backends();
    make_stimuli();
    make_modulator_events();
    kept_spikes.resize(sc.populations.size());
    if (comm) setup_exchange();
}

void simulation::impl::make_partition(std::size_t p, const partition_range& r) {
    auto& part = parts[p];
    part.range = r;
    const auto& pop = sc.populations[r.population];
    const model_info& model = models.find(pop.model);
    const group_context ctx{pop, r.population, r.first, r.count, sc.simulation.resolution_ms, sc.simulation.seed,
                            sc.simulation.quiescence_tolerance};
    part.group = model.create(ctx);
    part.in.resize(model.ports.size(), r.count);
    part.blocks_by_source.resize(sc.populations.size());
    for (std::uint32_t b = 0; b < store.blocks[p].size(); ++b)
        part.blocks_by_source[store.blocks[p][b].source_population].push_back(b);
    part.plastic.resize(store.blocks[p].size());
    part.reverse.resize(store.blocks[p].size());
    for (std::uint32_t b = 0; b < store.blocks[p].size(); ++b) {
        const synapse_block& block = store.blocks[p][b];
        const projection_spec& proj = sc.projections[block.projection];
        if (!proj.plasticity.enabled()) continue;
        const plasticity_info& rule = models.find_plasticity(proj.plasticity.rule);
        const param_map params = rule.complete(proj.plasticity.params);
        // Drawn initial weights, which validate() could not see: within the rule's weight bounds.
        // Weights are stored as float: compare with the bounds as float too.
        const auto [w_lo, w_hi] = rule.bounds(params);
        for (const float w : block.weights)
            if (w < static_cast<float>(w_lo) || w > static_cast<float>(w_hi))
                throw scenario_error(proj.where.file, proj.where.line, proj.where.column, proj.where.key + ".weight",
                                     "initial weight " + std::to_string(w) + " lies outside the weight bounds of rule '" +
                                         proj.plasticity.rule + "': [" + std::to_string(w_lo) + ", " + std::to_string(w_hi) + "]");
        const plastic_context ctx{params, proj.plasticity.interaction, block.offsets.size() - 1, r.count, block.size(),
                                  sc.simulation.resolution_ms};
        part.plastic[b] = rule.create(ctx);
        part.reverse[b] = reverse_index::build(block, r.count);
        part.any_plastic = true;
    }
}

void simulation::impl::make_backends() {
    const backend_info& info = models.find_backend(sc.backend.kind);
    param_map params;
    try {
        params = info.complete(sc.backend.params);
    } catch (const error& e) {
        if (sc.backend.where.file.empty()) throw;
        throw scenario_error(sc.backend.where.file, sc.backend.where.line, sc.backend.where.column, sc.backend.where.key, e.what());
    }
    ledger_names = event_counts().names();
    for (const auto& c : info.counters) ledger_names.push_back(c.name);
    const backend_context cx{sc, models, store, params, partition_index, comm};
    auto backends = info.create(cx);
    if (backends.size() != parts.size())
        throw internal_error("backend '" + info.name + "' made " + std::to_string(backends.size()) + " partition backends for " +
                             std::to_string(parts.size()) + " partitions");
    for (std::size_t p = 0; p < parts.size(); ++p) {
        auto& part = parts[p];
        part.backend = std::move(backends[p]);
        part.view.blocks = store.blocks[p];
        part.view.blocks_by_source = part.blocks_by_source;
        part.view.plastic = part.plastic;
        part.view.any_plastic = part.any_plastic;
        clock_driven = clock_driven || part.backend->clock_driven();
    }
}

std::pair<std::uint32_t, std::uint32_t> simulation::impl::locate(std::uint32_t pop, std::uint64_t j) const {
    for (std::uint32_t p = 0; p < parts.size(); ++p) {
        const auto& r = parts[p].range;
        if (r.population == pop && j >= r.first && j < r.first + r.count)
            return {p, static_cast<std::uint32_t>(j - r.first)};
    }
    if (comm) return {remote, 0};  // another rank's
    throw internal_error("neuron outside every partition");
}

std::uint32_t simulation::impl::population_index(const std::string& name) const {
    for (std::uint32_t k = 0; k < sc.populations.size(); ++k)
        if (sc.populations[k].name == name) return k;
    throw scenario_error(sc.file, 0, 0, "", "no population named '" + name + "'");
}

} // namespace memspike
