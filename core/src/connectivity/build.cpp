// Synapse generation (connectivity.hpp): the blocks of the store, built from the rules' choices.
//
// How a build runs, and why:
//  * Every projection is resolved once into a `plan` (plan.cpp: populations, port, the rule's
//    checks, constant weight/delay checks, then the rule is created, e.g. the explicit CSV parsed
//    and bucketed by target).
//  * Target-driven rules (one_to_one, all_to_all, fixed_probability, fixed_indegree, explicit)
//    build each (projection, target partition) block as one task, in parallel over tasks. The
//    synapses of target t come from the streams (seed, connectivity|weights|delays, projection, t),
//    so a task can *regenerate* them at will: a first pass finds the delay range (skipped for a
//    constant delay), a second counts synapses per (source, delay), a third writes them into their
//    final place (through a per-source pass when there are several delays, for the cache; see
//    fill_by_source_then_delay). No per-neuron lists or unsorted edge buffers are ever held: besides
//    the final arrays there is only the bitmap used to sample without replacement and, with drawn
//    delays, the block's delays as drawn in the first pass (2 bytes per synapse of the block in
//    flight: drawing a normal delay three times was a third of PD14's build) and a 1-byte delay
//    index. Paying the (cheap) source draws two or three times buys that. A static projection
//    with one constant weight is built without per-synapse weights (the store shares it).
//    Measured on a Brunel network (12 500 neurons x 1 250 inputs, one thread): ~1.2 s for
//    fixed_indegree with a constant delay, peak memory = the store.
//  * Source-driven rules (fixed_outdegree; streams keyed by source): the choices of all sources are
//    generated once in parallel into a temporary CSR by source (each source's list sorted by
//    target; the rule says each source's count up front, so no count pass is needed), then every
//    target partition takes its slice of each source's list. Temporary: 8 bytes per synapse (12
//    with drawn delays), freed after the projection.
//  * Delays are drawn in ms and rounded to the nearest tick (ms_to_ticks_round); a delay that
//    rounds to less than one tick is an error, never raised silently to one tick.
//  * Nothing depends on the thread count: streams are keyed by neuron, and the order of synapses
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <sys/mman.h>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "memspike/core/errors.hpp"
#include "plan.hpp"

namespace memspike {

using namespace connectivity_detail;

namespace {

/// Sizes `v` to n elements equal to `value`, first asking the kernel for transparent huge pages
/// (2 MiB) over the buffer where it spans 4 MiB or more (issue 13, item 5). Delivery reads a
/// few synapses at random places of these arrays per spike and block; with 4 KiB pages nearly
/// every range also missed the TLB (a page walk per range on PD14 and on Brunel at 10^9
/// synapses). The advice is given before the pages are first touched (reserve maps, assign
/// touches) so that the faults can take huge pages. Where THP is off or memory is fragmented
/// the kernel ignores it; the values are the same either way.
template <class T>
void assign_huge(std::vector<T>& v, std::size_t n, const T& value) {
    constexpr std::size_t huge = std::size_t{2} << 20;
    if (n * sizeof(T) >= 2 * huge && v.capacity() < n) {
        std::vector<T>().swap(v);
        v.reserve(n);
        const auto first = reinterpret_cast<std::uintptr_t>(v.data());
        const std::uintptr_t lo = (first + huge - 1) & ~(huge - 1), hi = (first + n * sizeof(T)) & ~(huge - 1);
        if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
    }
    v.assign(n, value);
}

/// The synapses of one target partition of a target-driven projection, regenerated on demand.
/// each<W, D>(f) calls f(local_target, source, weight, delay_ticks) ordered by target, then by
/// generation order; weights are drawn only when W, delays only when D (the streams are separate,
/// so skipping one does not disturb the others). The rule is asked once per target for its
/// sources (one virtual call per target, not per synapse).
struct target_driven {
    static constexpr bool source_major = false;  // enumerates by target
    const plan& pl;
    const partition_range& part;
    sampler& smp;
    chosen_sources& chosen;  // the task's buffer, reused for every target

    template <bool W, bool D, class F>
    void each(F&& f) const {
        for (std::uint64_t i = 0; i < part.count; ++i) {
            const std::uint64_t t = part.first + i;
            random_stream conn(pl.seed, stream_purpose::connectivity, pl.index, t);
            random_stream wrng(pl.seed, stream_purpose::weights, pl.index, t);
            random_stream drng(pl.seed, stream_purpose::delays, pl.index, t);
            const auto local = static_cast<std::uint32_t>(i);
            chosen.clear();
            pl.rule->sources_of(pl, t, conn, smp, chosen);
            const bool given_w = !chosen.weight.empty(), given_d = !chosen.delay_ms.empty();
            for (std::size_t k = 0; k < chosen.source.size(); ++k) {
                float w = pl.weight_value;
                tick_t d = pl.delay_ticks;
                if constexpr (W) {
                    if (given_w && !std::isnan(chosen.weight[k]))
                        w = static_cast<float>(chosen.weight[k]);  // checked when the rule was created
                    else if (!pl.constant_weight)
                        w = pl.weight_to_float(pl.weight.draw(wrng), pl.weight.where);
                }
                if constexpr (D) {
                    if (given_d && !std::isnan(chosen.delay_ms[k]))
                        d = pl.delay_to_ticks(chosen.delay_ms[k], pl.delay.where);  // checked at creation
                    else if (!pl.constant_delay)
                        d = pl.delay_to_ticks(pl.delay.draw(drng), pl.delay.where);
                }
                f(local, chosen.source[k], w, d);
            }
        }
    }
};

/// A source-driven projection's choices, generated once: each source's synapses sorted by target
/// (stable, so generation order breaks ties), CSR by source.
struct source_lists {
    std::vector<std::uint64_t> offsets;  // source s: [offsets[s], offsets[s + 1])
    std::vector<std::uint32_t> targets;  // population-local
    std::vector<float> weights;
    std::vector<std::int32_t> delays;  // empty for a constant delay
};

source_lists generate_source_lists(const plan& pl) {
    source_lists out;
    out.offsets.assign(pl.ns + 1, 0);
    for (std::uint64_t s = 0; s < pl.ns; ++s) out.offsets[s + 1] = out.offsets[s] + pl.rule->count_from(pl, s);
    const std::uint64_t total = out.offsets.back();
    out.targets.resize(total);
    out.weights.resize(total);
    if (!pl.constant_delay) out.delays.resize(total);
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, pl.ns, 64), [&](const auto& r) {
        sampler smp;
        std::vector<std::uint32_t> tg;
        std::vector<std::uint32_t> order;
        std::vector<float> w;
        std::vector<std::int32_t> d;
        for (std::uint64_t s = r.begin(); s != r.end(); ++s) {
            random_stream conn(pl.seed, stream_purpose::connectivity, pl.index, s);
            random_stream wrng(pl.seed, stream_purpose::weights, pl.index, s);
            random_stream drng(pl.seed, stream_purpose::delays, pl.index, s);
            tg.clear();
            pl.rule->targets_of(pl, s, conn, smp, tg);
            const std::uint64_t base = out.offsets[s];
            if (tg.size() != out.offsets[s + 1] - base)
                throw internal_error("connectivity rule '" + pl.spec->rule + "': targets_of gave " +
                                     std::to_string(tg.size()) + " targets for source " + std::to_string(s) +
                                     ", count_from said " + std::to_string(out.offsets[s + 1] - base));
            order.resize(tg.size());
            std::iota(order.begin(), order.end(), 0u);
            std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return tg[a] < tg[b]; });
            // Weights and delays are drawn in generation order, then placed in target order.
            w.resize(tg.size());
            d.resize(pl.constant_delay ? 0 : tg.size());
            for (std::size_t g = 0; g < tg.size(); ++g) {
                w[g] = pl.constant_weight ? pl.weight_value : pl.weight_to_float(pl.weight.draw(wrng), pl.weight.where);
                if (!pl.constant_delay)
                    d[g] = static_cast<std::int32_t>(pl.delay_to_ticks(pl.delay.draw(drng), pl.delay.where));
            }
            for (std::size_t j = 0; j < order.size(); ++j) {
                out.targets[base + j] = tg[order[j]];
                out.weights[base + j] = w[order[j]];
                if (!pl.constant_delay) out.delays[base + j] = d[order[j]];
            }
        }
    });
    return out;
}

/// The synapses of one target partition of a source-driven projection, taken from the lists:
/// ordered by source, then target, then generation order.
struct source_driven {
    static constexpr bool source_major = true;  // enumerates by source: the direct fill is cache-friendly
    const plan& pl;
    const partition_range& part;
    const source_lists& lists;

    template <bool W, bool D, class F>
    void each(F&& f) const {
        const auto lo = static_cast<std::uint32_t>(part.first);
        const std::uint64_t hi = part.first + part.count;
        for (std::uint64_t s = 0; s < pl.ns; ++s) {
            const auto begin = lists.targets.begin() + static_cast<std::ptrdiff_t>(lists.offsets[s]);
            const auto end = lists.targets.begin() + static_cast<std::ptrdiff_t>(lists.offsets[s + 1]);
            for (auto it = std::lower_bound(begin, end, lo); it != end && *it < hi; ++it) {
                const auto j = static_cast<std::size_t>(it - lists.targets.begin());
                f(*it - lo, s, lists.weights[j], pl.constant_delay ? pl.delay_ticks : tick_t{lists.delays[j]});
            }
        }
    }
};

/// The fill pass of build_block for target-major enumeration with several delays. Writing every
/// synapse straight to its (source, delay) range keeps source_count * delay_count write positions
/// open at once, which leaves the cache for large delay ranges (3x slower for 21 delays on a Brunel
/// network). Instead: fill grouped by source only (source_count open positions), remembering each
/// synapse's delay index (1-4 bytes per synapse of this block, temporary), then stable-sort every
/// source's short range by delay in cache. On entry b.offsets[k + 1] is the start of range k; on
/// exit it is its end, as for the direct fill.
template <class DelayIndex, class Enumerator>
void fill_by_source_then_delay(synapse_block& b, const Enumerator& en, tick_t dmin) {
    const auto dc = static_cast<std::uint64_t>(b.delay_count);
    const std::uint64_t ns = b.source_count, total = b.targets.size();
    std::vector<std::uint64_t> cursor(ns + 1);
    for (std::uint64_t s = 0; s < ns; ++s) cursor[s] = b.offsets[s * dc + 1];  // start of (s, first delay)
    cursor[ns] = total;
    const std::vector<std::uint64_t> source_start(cursor);
    std::vector<DelayIndex> delay_index(total);
    const bool weights = !b.homogeneous;
    en.template each<true, true>([&](std::uint32_t i, std::uint64_t s, float w, tick_t d) {
        const std::uint64_t pos = cursor[s]++;
        b.targets[pos] = i;
        if (weights) b.weights[pos] = w;
        delay_index[pos] = static_cast<DelayIndex>(d - dmin);
    });
    std::vector<std::uint32_t> t_copy;
    std::vector<float> w_copy;
    for (std::uint64_t s = 0; s < ns; ++s) {
        const std::uint64_t lo = source_start[s], hi = source_start[s + 1];
        if (hi - lo < 2) {
            if (hi > lo) ++b.offsets[s * dc + delay_index[lo] + 1];
            continue;
        }
        t_copy.assign(b.targets.begin() + static_cast<std::ptrdiff_t>(lo),
                      b.targets.begin() + static_cast<std::ptrdiff_t>(hi));
        if (weights)
            w_copy.assign(b.weights.begin() + static_cast<std::ptrdiff_t>(lo),
                          b.weights.begin() + static_cast<std::ptrdiff_t>(hi));
        for (std::uint64_t j = lo; j < hi; ++j) {
            const std::uint64_t pos = b.offsets[s * dc + delay_index[j] + 1]++;
            b.targets[pos] = t_copy[j - lo];
            if (weights) b.weights[pos] = w_copy[j - lo];
        }
    }
}

/// An enumerator whose delays were drawn once and kept (ticks, in enumeration order): the count
/// and fill passes then enumerate without drawing delays again. Drawing a normal delay (polar
/// method, a log and a sqrt, plus redraws) and rounding it was a third of PD14's build (perf,
/// issue 13); the 2 bytes per synapse of the block in flight are the price.
template <class Enumerator>
struct with_cached_delays {
    static constexpr bool source_major = Enumerator::source_major;
    const Enumerator& en;
    const std::vector<std::uint16_t>& delay;

    template <bool W, bool D, class F>
    void each(F&& f) const {
        std::size_t k = 0;
        en.template each<W, false>(
            [&](std::uint32_t i, std::uint64_t s, float w, tick_t) { f(i, s, w, static_cast<tick_t>(delay[k++])); });
    }
};

template <class Enumerator>
synapse_block fill_block(synapse_block b, const plan& pl, const Enumerator& en, tick_t dmin, tick_t dmax);

/// Builds the block of one (projection, target partition) from a synapse enumerator (above):
/// delay range, count per (source, delay), then each synapse written to its final place. Within
/// one (source, delay) range the enumeration order is kept, which both enumerators make "by
/// target, then generation order". Returns an empty block when there are no synapses.
template <class Enumerator>
synapse_block build_block(const plan& pl, const Enumerator& en) {
    synapse_block b;
    b.projection = pl.index;
    b.source_population = pl.source_pop;
    b.port = pl.port;
    b.source_count = pl.ns;
    if (pl.constant_delay) return fill_block(std::move(b), pl, en, pl.delay_ticks, pl.delay_ticks);

    // Drawn delays: drawn once here (their range, and kept for the passes below while they fit
    // 16 bits; a delay of 65536 ticks or more falls back to drawing them again in each pass).
    tick_t dmin = std::numeric_limits<tick_t>::max();
    tick_t dmax = std::numeric_limits<tick_t>::min();
    std::vector<std::uint16_t> kept;
    bool fits = true;
    en.template each<false, true>([&](std::uint32_t, std::uint64_t, float, tick_t d) {
        dmin = std::min(dmin, d);
        dmax = std::max(dmax, d);
        if (fits && d <= 65535) kept.push_back(static_cast<std::uint16_t>(d));
        else fits = false;
    });
    if (dmin > dmax) return b;  // no synapse
    if (!fits) return fill_block(std::move(b), pl, en, dmin, dmax);
    return fill_block(std::move(b), pl, with_cached_delays<Enumerator>{en, kept}, dmin, dmax);
}

/// build_block's count and fill passes, for the delay range [dmin, dmax] of the block's synapses.
template <class Enumerator>
synapse_block fill_block(synapse_block b, const plan& pl, const Enumerator& en, tick_t dmin, tick_t dmax) {
    const auto dc = static_cast<std::uint64_t>(dmax - dmin + 1);
    // The store keeps one offset per (source, delay tick) of a block: a delay range of many
    // thousand ticks times many sources would silently eat gigabytes. Refuse above 1 GiB per block.
    constexpr std::uint64_t max_ranges = std::uint64_t{1} << 27;
    if (pl.ns > 0 && dc > max_ranges / pl.ns)
        fail(pl.delay.where, "the delays span " + std::to_string(dc) + " ticks (" +
                                 num(static_cast<double>(dmin) * pl.resolution_ms) + " .. " +
                                 num(static_cast<double>(dmax) * pl.resolution_ms) + " ms at resolution " +
                                 num(pl.resolution_ms) + " ms); with " + std::to_string(pl.ns) +
                                 " source neurons the delay index would need more than 1 GiB per partition: "
                                 "narrow the delay distribution or coarsen simulation.resolution");
    b.delay_min = static_cast<std::int32_t>(dmin);
    b.delay_count = static_cast<std::int32_t>(dc);

    // offsets[k + 1] counts range k; then offsets[k + 1] becomes the start of range k and serves
    // as its write cursor, ending as the end of range k == start of range k + 1.
    const std::uint64_t ranges = pl.ns * dc;
    assign_huge(b.offsets, ranges + 1, std::uint64_t{0});
    en.template each<false, true>([&](std::uint32_t, std::uint64_t s, float, tick_t d) {
        ++b.offsets[s * dc + static_cast<std::uint64_t>(d - dmin) + 1];
    });
    std::uint64_t total = 0;
    for (std::uint64_t k = 1; k <= ranges; ++k) {
        const std::uint64_t c = b.offsets[k];
        b.offsets[k] = total;
        total += c;
    }
    if (total == 0) {
        b.offsets = {};
        return b;
    }
    assign_huge(b.targets, total, std::uint32_t{0});
    // A static projection with one constant weight (and no per-synapse weights from its rule)
    // shares it from the start, as NEST's static_synapse_hom_w: its weights are never held, so
    // the build peak is the store's 4 bytes per synapse, not 8 (issue 13). Any other block keeps
    // one weight per synapse; store_blocks may still find them all equal and share them then.
    b.homogeneous = pl.constant_weight && !pl.spec->plasticity.enabled() && !pl.rule->gives_weights();
    b.weight_value = b.homogeneous ? pl.weight_value : 0.0f;
    if (!b.homogeneous) assign_huge(b.weights, total, 0.0f);
    if (dc == 1 || Enumerator::source_major) {
        const bool weights = !b.homogeneous;
        en.template each<true, true>([&](std::uint32_t i, std::uint64_t s, float w, tick_t d) {
            const std::uint64_t pos = b.offsets[s * dc + static_cast<std::uint64_t>(d - dmin) + 1]++;
            b.targets[pos] = i;
            if (weights) b.weights[pos] = w;
        });
    } else if (dc <= 256) {
        fill_by_source_then_delay<std::uint8_t>(b, en, dmin);
    } else if (dc <= 65536) {
        fill_by_source_then_delay<std::uint16_t>(b, en, dmin);
    } else {
        fill_by_source_then_delay<std::uint32_t>(b, en, dmin);
    }
    if (b.offsets[ranges] != total) throw internal_error("synapse block: fill pass disagrees with count pass");
    return b;
}
/// Every block of every projection: built[j * nparts + part] is the block of projection j in
/// partition `part` (empty when none).
std::vector<synapse_block> build_blocks(const std::vector<plan>& plans, const std::vector<partition_range>& partitions,
                                        const std::vector<std::vector<std::uint32_t>>& parts_of) {
    const std::size_t nparts = partitions.size();
    const std::size_t nproj = plans.size();
    std::vector<synapse_block> built(nproj * nparts);

    // All target-driven (projection, partition) pairs in one parallel loop, for load balance.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> tasks;
    for (std::uint32_t j = 0; j < nproj; ++j)
        if (!plans[j].rule->source_driven())
            for (const auto part : parts_of[plans[j].target_pop]) tasks.emplace_back(j, part);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tasks.size(), 1), [&](const auto& r) {
        sampler smp;
        chosen_sources chosen;
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
            const auto [j, part] = tasks[i];
            built[j * nparts + part] = build_block(plans[j], target_driven{plans[j], partitions[part], smp, chosen});
        }
    });

    // Source-driven projections one at a time, so that only one temporary list set exists.
    for (std::uint32_t j = 0; j < nproj; ++j) {
        if (!plans[j].rule->source_driven()) continue;
        const source_lists lists = generate_source_lists(plans[j]);
        const auto& pp = parts_of[plans[j].target_pop];
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, pp.size(), 1), [&](const auto& r) {
            for (std::size_t i = r.begin(); i != r.end(); ++i)
                built[j * nparts + pp[i]] = build_block(plans[j], source_driven{plans[j], partitions[pp[i]], lists});
        });
    }
    return built;
}

/// Moves the built blocks into the store, per partition in projection order, skipping empty ones
/// and sharing one weight in static blocks whose weights are all equal.
void store_blocks(const scenario& sc, std::vector<synapse_block>& built, synapse_store& store) {
    const std::size_t nparts = store.partitions.size();
    const std::size_t nproj = sc.projections.size();
    store.blocks.resize(nparts);
    std::int32_t max_delay = 1;
    for (std::size_t part = 0; part < nparts; ++part) {
        std::size_t n = 0;
        for (std::size_t j = 0; j < nproj; ++j) n += built[j * nparts + part].size() > 0 ? 1 : 0;
        store.blocks[part].reserve(n);
        for (std::size_t j = 0; j < nproj; ++j) {
            auto& b = built[j * nparts + part];
            if (b.size() == 0) continue;
            max_delay = std::max(max_delay, b.delay_min + b.delay_count - 1);
            // Plastic weights change: only static projections may share one weight.
            if (!b.homogeneous && !sc.projections[b.projection].plasticity.enabled() &&
                std::all_of(b.weights.begin(), b.weights.end(), [&](float w) { return w == b.weights.front(); })) {
                b.homogeneous = true;
                b.weight_value = b.weights.front();
                std::vector<float>().swap(b.weights);  // release the memory (= {} keeps capacity)
            }
            store.blocks[part].push_back(std::move(b));
        }
    }
    store.max_delay = max_delay;
}

/// Distinct outgoing delays of every source neuron (over all blocks), sorted: a count pass and a
/// fill pass, in parallel over neurons.
void index_source_delays(const scenario& sc, synapse_store& store) {
    const auto pop_off = population_offsets(sc);
    const std::uint64_t neurons = pop_off.back();
    std::vector<std::vector<const synapse_block*>> from_pop(sc.populations.size());
    for (const auto& part : store.blocks)
        for (const auto& b : part) from_pop[b.source_population].push_back(&b);
    const auto delays_of = [&](std::uint64_t g, std::vector<std::int32_t>& out) {
        const auto pop =
            static_cast<std::size_t>(std::upper_bound(pop_off.begin(), pop_off.end(), g) - pop_off.begin() - 1);
        const std::uint64_t s = g - pop_off[pop];
        out.clear();
        for (const auto* b : from_pop[pop]) {
            const auto dc = static_cast<std::uint64_t>(b->delay_count);
            for (std::uint64_t d = 0; d < dc; ++d)
                if (b->offsets[s * dc + d + 1] > b->offsets[s * dc + d])
                    out.push_back(b->delay_min + static_cast<std::int32_t>(d));
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
    };
    store.source_delay_offsets.assign(neurons + 1, 0);
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, neurons, 256), [&](const auto& r) {
        std::vector<std::int32_t> d;
        for (std::uint64_t g = r.begin(); g != r.end(); ++g) {
            delays_of(g, d);
            store.source_delay_offsets[g + 1] = d.size();
        }
    });
    std::partial_sum(store.source_delay_offsets.begin(), store.source_delay_offsets.end(),
                     store.source_delay_offsets.begin());
    store.source_delays.resize(store.source_delay_offsets.back());
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, neurons, 256), [&](const auto& r) {
        std::vector<std::int32_t> d;
        for (std::uint64_t g = r.begin(); g != r.end(); ++g) {
            delays_of(g, d);
            std::copy(d.begin(), d.end(),
                      store.source_delays.begin() + static_cast<std::ptrdiff_t>(store.source_delay_offsets[g]));
        }
    });
}

}  // namespace

synapse_store build_synapses(const scenario& sc, const model_registry& models,
                             const std::vector<partition_range>& partitions) {
    synapse_store store;
    store.partitions = partitions;

    // Partitions of each population, checked against the scenario.
    std::vector<std::vector<std::uint32_t>> parts_of(sc.populations.size());
    for (std::uint32_t i = 0; i < partitions.size(); ++i) {
        const auto& pr = partitions[i];
        if (pr.population >= sc.populations.size() || pr.count > max_u32 + 1 ||
            pr.first + pr.count > sc.populations[pr.population].size)
            throw internal_error("build_synapses: partition " + std::to_string(i) + " does not fit its population");
        parts_of[pr.population].push_back(i);
    }

    std::vector<plan> plans;
    plans.reserve(sc.projections.size());
    for (std::uint32_t j = 0; j < sc.projections.size(); ++j) plans.push_back(make_plan(sc, models, j));

    std::vector<synapse_block> built = build_blocks(plans, partitions, parts_of);
    store_blocks(sc, built, store);
    built = {};
    index_source_delays(sc, store);
    return store;
}

}  // namespace memspike
