// SPDX-License-Identifier: MIT
// The public simulation members: each forwards to simulation::impl (simulation_impl.hpp, which
// says which file implements which part) or reads its state.
#include "simulation_impl.hpp"

#include "memspike/core/scenario.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>

namespace memspike {

void run_points(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& point) {
    if (const std::string broken = threads_rule_broken(threads); !broken.empty())
        throw invalid_parameter("sweep", "threads", std::to_string(threads), broken);
    tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : static_cast<int>(threads));
    arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1),
                          [&](const tbb::blocked_range<std::size_t>& r) {
                              for (std::size_t i = r.begin(); i != r.end(); ++i) point(i);
                          },
                          tbb::simple_partitioner());
    });
}

namespace {
/// The same rule as simulation.threads, for a thread count given in code.
unsigned checked_threads(unsigned threads) {
    if (const std::string broken = threads_rule_broken(threads); !broken.empty())
        throw invalid_parameter("simulation", "threads", std::to_string(threads), broken);
    return threads;
}
} // namespace

simulation::simulation(const scenario& sc, const model_registry& models, unsigned threads)
    : impl_((validate(sc, models), std::make_unique<impl>(sc, models, checked_threads(threads)))) {}  // the builder trusts what passed
simulation::simulation(const scenario& sc, const model_registry& models, unsigned threads, communicator* world)
    : impl_((validate(sc, models), std::make_unique<impl>(sc, models, checked_threads(threads), nullptr, world))) {}
simulation::~simulation() = default;

bool simulation::run(tick_t ticks, const run_options& options) { return impl_->run(ticks, options); }
void simulation::attach(recorder& rec) { impl_->attach_recorder(&rec); }
void simulation::detach() { impl_->attach_recorder(nullptr); }
tick_t simulation::now() const { return impl_->now; }
unsigned simulation::threads() const { return impl_->threads; }
double simulation::resolution_ms() const { return impl_->sc.simulation.resolution_ms; }
const scenario& simulation::spec() const { return impl_->sc; }
const synapse_store& simulation::synapses() const { return impl_->store; }
const run_counters& simulation::counters() const { return impl_->counters; }
const std::vector<spike_trains>& simulation::spikes() const { return impl_->kept_spikes; }
std::uint64_t simulation::synapse_count_all() const { return impl_->comm ? impl_->synapses_all : impl_->store.synapse_count(); }
const exchange_stats& simulation::exchanges() const { return impl_->exchanged; }

double simulation::state(std::size_t population, const std::string& var, std::uint64_t neuron) const {
    const auto& pops = impl_->sc.populations;
    if (population >= pops.size())
        throw invalid_parameter("simulation", "population", std::to_string(population),
                                "must be < " + std::to_string(pops.size()));
    if (neuron >= pops[population].size)
        throw invalid_parameter("simulation", "neuron", std::to_string(neuron),
                                "must be < " + std::to_string(pops[population].size) + " (size of " + pops[population].name + ")");
    const std::size_t index = impl_->models.find(pops[population].model).state_index(var);
    const auto [p, i] = impl_->locate(static_cast<std::uint32_t>(population), neuron);
    if (p == impl::remote)
        throw invalid_parameter("simulation", "neuron", std::to_string(neuron),
                                "must be one of this MPI rank's neurons (" + pops[population].name + ")");
    return impl_->parts[p].group->peek(std::max<tick_t>(0, impl_->now - 1), i, index);
}

plasticity_counters simulation::plasticity(std::size_t projection) const {
    impl_->settle(projection);  // deferred updates count once they are applied
    return impl_->plasticity_of(projection);
}

synapse_list simulation::synapses_of(std::size_t projection) const {
    if (projection >= impl_->sc.projections.size())
        throw invalid_parameter("simulation", "projection", std::to_string(projection),
                                "must be < " + std::to_string(impl_->sc.projections.size()));
    synapse_list out;
    impl_->settle(projection);
    impl_->gather(projection, out, false);
    return out;
}

std::pair<std::size_t, std::uint64_t> simulation::plastic_memory() const {
    std::size_t bytes = 0;
    std::uint64_t synapses = 0;
    for (std::size_t p = 0; p < impl_->parts.size(); ++p)
        for (std::size_t b = 0; b < impl_->parts[p].plastic.size(); ++b)
            if (impl_->parts[p].plastic[b]) {
                const auto& block = impl_->store.blocks[p][b];
                bytes += block.memory_bytes() + impl_->parts[p].reverse[b].memory_bytes() +
                         impl_->parts[p].plastic[b]->memory_bytes();
                synapses += block.size();
            }
    return {bytes, synapses};
}

void simulation::reset(bool keep_weights) {
    const scenario sc = impl_->sc;
    const model_registry& models = impl_->models;
    const unsigned threads = impl_->threads;
    communicator* const world = impl_->comm;
    if (keep_weights) {
        for (std::size_t j = 0; j < sc.projections.size(); ++j) impl_->settle(j);  // deferred updates first
        synapse_store store = std::move(impl_->store);
        const std::uint64_t print = impl_->network_print;  // of the network as built, not of the learned weights
        impl_.reset();
        impl_ = std::make_unique<impl>(sc, models, threads, &store, world);
        impl_->network_print = print;
    } else {
        impl_.reset();
        impl_ = std::make_unique<impl>(sc, models, threads, nullptr, world);
    }
}

void simulation::set_weights(std::size_t projection, std::span<const float> weights) {
    auto& im = *impl_;
    if (projection >= im.sc.projections.size())
        throw invalid_parameter("simulation", "projection", std::to_string(projection),
                                "must be < " + std::to_string(im.sc.projections.size()));
    const projection_spec& proj = im.sc.projections[projection];
    im.settle(projection);
    synapse_list current;
    im.gather(projection, current, true);
    if (weights.size() != current.weights.size())
        throw invalid_parameter(proj.name, "weights", std::to_string(weights.size()) + " values",
                                "must give one weight per synapse (" + std::to_string(current.weights.size()) + ")");
    const model_info& target = im.models.find(im.sc.populations[im.population_index(proj.target)].model);
    const bool conductance = target.ports[target.port_index(proj.receptor)].weight_dim == dimension::conductance;
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    if (proj.plasticity.enabled()) {
        const plasticity_info& rule = im.models.find_plasticity(proj.plasticity.rule);
        const auto bounds = rule.bounds(rule.complete(proj.plasticity.params));
        lo = bounds.first;
        hi = bounds.second;
    }
    for (std::size_t j = 0; j < weights.size(); ++j) {
        const float w = weights[j];
        if (!std::isfinite(w) || (conductance && w < 0.0f) || w < static_cast<float>(lo) || w > static_cast<float>(hi))
            throw invalid_parameter(proj.name, "weights[" + std::to_string(j) + "]", std::to_string(w),
                                    std::string("must be finite") + (conductance ? ", >= 0 (a conductance)" : "") +
                                        (proj.plasticity.enabled() ? " and within the weight bounds of rule '" + proj.plasticity.rule + "'" : ""));
    }
    // Same walk as gather(): partition, block, source, delay, synapse.
    std::size_t next = 0;
    for (std::size_t p = 0; p < im.parts.size(); ++p)
        for (auto& b : im.store.blocks[p]) {
            if (b.projection != projection) continue;
            if (b.homogeneous) {  // one shared weight no more
                b.weights.assign(b.size(), b.weight_value);
                b.homogeneous = false;
            }
            for (std::uint64_t s = 0; s < b.source_count; ++s)
                for (std::int32_t d = 0; d < b.delay_count; ++d) {
                    const std::size_t k = s * static_cast<std::size_t>(b.delay_count) + static_cast<std::size_t>(d);
                    for (std::uint64_t j = b.offsets[k]; j < b.offsets[k + 1]; ++j) b.weights[j] = weights[next++];
                }
        }
    im.weights_changed(projection, im.now);
}

void simulation::set_modulator(std::size_t projection, double value) {
    if (projection >= impl_->sc.projections.size() || !impl_->sc.projections[projection].plasticity.enabled())
        throw invalid_parameter("simulation", "projection", std::to_string(projection), "must be a plastic projection");
    // As a [[modulator]] value: a NaN or infinite signal would poison every weight it touches.
    if (!std::isfinite(value)) throw invalid_parameter(impl_->sc.projections[projection].name, "modulator", std::to_string(value), "must be finite");
    impl_->set_modulator(projection, impl_->now, value);
}

event_counts simulation::events() const { return impl_->events_now(); }
dense_profile simulation::dense() const { return impl_->dense(); }

std::uint64_t simulation::neuron_count() const { return impl_->pop_offset.back(); }

std::size_t simulation::state_memory_bytes() const {
    std::size_t bytes = 0;
    for (const auto& part : impl_->parts) {
        bytes += part.group->memory_bytes() + part.in.flag.capacity() + part.in.touched.capacity() * sizeof(std::uint32_t);
        for (const auto& s : part.in.sum) bytes += s.capacity() * sizeof(double);
        bytes += part.backend->memory_bytes();
    }
    return bytes;
}

} // namespace memspike
