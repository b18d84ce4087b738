// SPDX-License-Identifier: MIT
// Synapse generation (connectivity.hpp).
//
// How a build runs, and why:
//  * Every projection is resolved once into a `plan` (populations, port, rule checks, constant
//    weight/delay checks, the explicit CSV parsed and bucketed by target).
//  * Target-driven rules (one_to_one, all_to_all, fixed_probability, fixed_indegree, explicit)
//    build each (projection, target partition) block as one task, in parallel over tasks. The
//    synapses of target t come from the streams (seed, connectivity|weights|delays, projection, t),
//    so a task can *regenerate* them at will: a first pass finds the delay range (skipped for a
//    constant delay), a second counts synapses per (source, delay), a third writes them into their
//    final place (through a per-source pass when there are several delays, for the cache; see
//    fill_by_source_then_delay). No per-neuron lists or unsorted edge buffers are ever held: besides
//    the final arrays there is only the bitmap used to sample without replacement and, with several
//    delays, a 1-byte delay index per synapse of the block in flight. Paying the (cheap) random
//    draws two or three times buys that. Measured on a Brunel network (12 500 neurons x 1 250
//    inputs, one thread): ~1.2 s for fixed_indegree with a constant delay, peak memory = the store.
//  * fixed_outdegree is source-driven (streams keyed by source): the choices of all sources are
//    generated once in parallel into a temporary CSR by source (each source's list sorted by target),
//    then every target partition takes its slice of each source's list. Temporary: 8 bytes per
//    synapse (12 with drawn delays), freed after the projection.
//  * Delays are drawn in ms and rounded to the nearest tick (ms_to_ticks_round); a delay that
//    rounds to less than one tick is an error, never raised silently to one tick.
//  * Nothing depends on the thread count: streams are keyed by neuron, and the order of synapses
//    inside a block is fixed by the data (source, delay, target, generation order).
#include "memspike/core/connectivity.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "memspike/core/errors.hpp"
#include "memspike/core/units.hpp"

namespace memspike {

namespace {

constexpr std::uint64_t max_u32 = std::numeric_limits<std::uint32_t>::max();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string num(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

[[noreturn]] void fail(const source_location& at, const std::string& what) {
    throw scenario_error(at.file, at.line, at.column, at.key, what);
}

/// The location of a projection's field: the projection's own location with ".<field>" appended to
/// its key (the parser locates the table; the field's line is not kept for every field).
source_location sub(const source_location& at, const std::string& field) {
    source_location l = at;
    l.key = at.key.empty() ? field : at.key + "." + field;
    return l;
}

enum class rule_kind { one_to_one, all_to_all, fixed_probability, fixed_indegree, fixed_outdegree, explicit_file };


/// One line of an explicit CSV file, bucketed by target. NaN weight/delay: not in the file, drawn.
struct explicit_edge {
    std::uint64_t source = 0;
    double weight = nan;    // target port unit
    double delay_ms = nan;  // ms
};

/// A projection resolved against the scenario and the model registry.
struct plan {
    std::uint32_t index = 0;
    const projection_spec* spec = nullptr;
    rule_kind rule = rule_kind::all_to_all;
    std::uint32_t source_pop = 0, target_pop = 0;
    std::uint64_t ns = 0, nt = 0;  // population sizes
    std::uint32_t port = 0;
    dimension weight_dim = dimension::voltage;
    std::string port_desc;          // "port 'ex' of model 'lif_cond_exp'", for messages
    bool exclude_autapses = false;  // same population and allow_autapses == false
    double resolution_ms = 0.1;
    std::uint64_t seed = 0;
    distribution weight, delay;  // copies whose `where` is never empty
    bool constant_weight = false;
    float weight_value = 0;  // when constant_weight
    bool constant_delay = false;
    tick_t delay_ticks = 1;  // when constant_delay
    // explicit: edges bucketed by target, in file order: edges of target t are
    // explicit_edges[explicit_offsets[t] .. explicit_offsets[t + 1]).
    std::vector<std::uint64_t> explicit_offsets;
    std::vector<explicit_edge> explicit_edges;
};

/// Delay in ms -> ticks, rounded to the nearest tick (documented in spec.hpp); at least one tick.
tick_t delay_to_ticks(const plan& pl, double ms, const source_location& at) {
    if (!std::isfinite(ms)) fail(at, "delay " + num(ms) + " ms is not a finite number");
    const double k = ms / pl.resolution_ms;
    if (k >= static_cast<double>(std::numeric_limits<std::int32_t>::max()))
        fail(at, "delay " + num(ms) + " ms is too long: at most " +
                     std::to_string(std::numeric_limits<std::int32_t>::max() - 1) + " ticks of " +
                     num(pl.resolution_ms) + " ms");
    const tick_t ticks = k <= -1e15 ? std::numeric_limits<tick_t>::min() : ms_to_ticks_round(ms, pl.resolution_ms);
    if (ticks < 1)
        fail(at, "delay " + num(ms) + " ms rounds to " +
                     (k <= -1e15 ? std::string("a negative number of") : std::to_string(ticks)) +
                     " ticks at resolution " + num(pl.resolution_ms) + " ms; a delay must be at least one tick (" +
                     num(pl.resolution_ms) + " ms): raise the delay or refine simulation.resolution");
    return ticks;
}

float weight_to_float(const plan& pl, double w, const source_location& at) {
    const std::string unit(internal_unit(pl.weight_dim));
    if (!std::isfinite(w)) fail(at, "weight " + num(w) + " is not a finite number");
    if (pl.weight_dim == dimension::conductance && w < 0)
        fail(at, "weight " + num(w) + " " + unit + " is negative, but " + pl.port_desc +
                     " takes conductances, which must be >= 0; use the inhibitory port instead of a negative weight");
    const auto f = static_cast<float>(w);
    if (!std::isfinite(f)) fail(at, "weight " + num(w) + " " + unit + " does not fit in a single-precision float");
    return f;
}

// ---------------------------------------------------------------------------------------------
// Sampling

/// Random choices of neuron indices in [0, n), optionally excluding one index `skip` (n: none).
/// Holds a bitmap for sampling without replacement; all bits are clear between calls.
class sampler {
public:
    /// k draws with replacement.
    template <class Emit>
    void with_replacement(random_stream& rng, std::uint64_t n, std::uint64_t k, std::uint64_t skip, Emit&& emit) {
        const std::uint64_t avail = n - (skip < n ? 1 : 0);
        for (std::uint64_t i = 0; i < k; ++i) emit(one(rng, avail, skip));
    }

    /// k distinct values (k <= available, checked by the caller). For k up to half of the available
    /// values: rejection against the bitmap, emitted in draw order. Above: the complement is drawn
    /// by rejection and the rest emitted in increasing order. Expected cost O(min(k, n - k)) draws
    /// plus O(n) for the complement case.
    template <class Emit>
    void distinct(random_stream& rng, std::uint64_t n, std::uint64_t k, std::uint64_t skip, Emit&& emit) {
        const std::uint64_t avail = n - (skip < n ? 1 : 0);
        if (k == 0) return;
        const std::size_t words = (n + 63) / 64;
        if (bits_.size() < words) bits_.resize(words, 0);
        if (2 * k <= avail) {
            while (picked_.size() < k) {
                const std::uint64_t v = one(rng, avail, skip);
                if (test_and_set(v)) continue;
                picked_.push_back(v);
                emit(v);
            }
        } else {
            const std::uint64_t excluded = avail - k;
            while (picked_.size() < excluded) {
                const std::uint64_t v = one(rng, avail, skip);
                if (!test_and_set(v)) picked_.push_back(v);
            }
            for (std::uint64_t v = 0; v < n; ++v)
                if (v != skip && !(bits_[v >> 6] >> (v & 63) & 1)) emit(v);
        }
        for (const auto v : picked_) bits_[v >> 6] &= ~(std::uint64_t{1} << (v & 63));
        picked_.clear();
    }

private:
    static std::uint64_t one(random_stream& rng, std::uint64_t avail, std::uint64_t skip) {
        std::uint64_t v = rng.below(avail);
        if (v >= skip) ++v;  // skip the excluded index (skip == n: never)
        return v;
    }
    bool test_and_set(std::uint64_t v) {
        std::uint64_t& w = bits_[v >> 6];
        const std::uint64_t m = std::uint64_t{1} << (v & 63);
        const bool was = (w & m) != 0;
        w |= m;
        return was;
    }
    std::vector<std::uint64_t> bits_;
    std::vector<std::uint64_t> picked_;
};

/// Calls emit(source, given_weight, given_delay_ms) for every synapse of target t, in generation
/// order (NaN: not given, to be drawn). Target-driven rules only.
template <class Emit>
void sources_of(const plan& pl, std::uint64_t t, random_stream& conn, sampler& smp, Emit&& emit) {
    const projection_spec& p = *pl.spec;
    const std::uint64_t skip = pl.exclude_autapses ? t : pl.ns;  // pl.ns: exclude nothing
    switch (pl.rule) {
    case rule_kind::one_to_one:
        if (skip != t) emit(t, nan, nan);
        return;
    case rule_kind::all_to_all:
        for (std::uint64_t s = 0; s < pl.ns; ++s)
            if (s != skip) emit(s, nan, nan);
        return;
    case rule_kind::fixed_probability: {
        const double prob = p.probability;
        if (prob <= 0.0) return;
        if (prob >= 1.0) {
            for (std::uint64_t s = 0; s < pl.ns; ++s)
                if (s != skip) emit(s, nan, nan);
            return;
        }
        // Geometric skips: the number of sources passed over before the next chosen one is
        // Geometric(p), so the cost is O(synapses), not O(sources). The autapse, when excluded,
        // is simply not emitted: the other pairs stay independent with probability p.
        const double log_q = std::log1p(-prob);
        std::uint64_t s = 0;
        while (s < pl.ns) {
            const double gap = std::floor(std::log(conn.uniform_open0()) / log_q);
            if (gap >= static_cast<double>(pl.ns - s)) break;
            s += static_cast<std::uint64_t>(gap);
            if (s != skip) emit(s, nan, nan);
            ++s;
        }
        return;
    }
    case rule_kind::fixed_indegree:
        if (p.allow_multapses)
            smp.with_replacement(conn, pl.ns, p.indegree, skip, [&](std::uint64_t s) { emit(s, nan, nan); });
        else
            smp.distinct(conn, pl.ns, p.indegree, skip, [&](std::uint64_t s) { emit(s, nan, nan); });
        return;
    case rule_kind::explicit_file:
        for (std::uint64_t i = pl.explicit_offsets[t]; i < pl.explicit_offsets[t + 1]; ++i) {
            const auto& e = pl.explicit_edges[i];
            emit(e.source, e.weight, e.delay_ms);
        }
        return;
    case rule_kind::fixed_outdegree: break;
    }
    throw internal_error("sources_of called for a source-driven rule");
}

/// The synapses of one target partition of a target-driven projection, regenerated on demand.
/// each<W, D>(f) calls f(local_target, source, weight, delay_ticks) ordered by target, then by
/// generation order; weights are drawn only when W, delays only when D (the streams are separate,
/// so skipping one does not disturb the others).
struct target_driven {
    static constexpr bool source_major = false;  // enumerates by target
    const plan& pl;
    const partition_range& part;
    sampler& smp;

    template <bool W, bool D, class F>
    void each(F&& f) const {
        for (std::uint64_t i = 0; i < part.count; ++i) {
            const std::uint64_t t = part.first + i;
            random_stream conn(pl.seed, stream_purpose::connectivity, pl.index, t);
            random_stream wrng(pl.seed, stream_purpose::weights, pl.index, t);
            random_stream drng(pl.seed, stream_purpose::delays, pl.index, t);
            const auto local = static_cast<std::uint32_t>(i);
            sources_of(pl, t, conn, smp, [&](std::uint64_t s, double w_given, double d_given) {
                float w = pl.weight_value;
                tick_t d = pl.delay_ticks;
                if constexpr (W) {
                    if (!std::isnan(w_given))
                        w = static_cast<float>(w_given);  // checked when the CSV was read
                    else if (!pl.constant_weight)
                        w = weight_to_float(pl, pl.weight.draw(wrng), pl.weight.where);
                }
                if constexpr (D) {
                    if (!std::isnan(d_given))
                        d = delay_to_ticks(pl, d_given, pl.delay.where);  // checked when the CSV was read
                    else if (!pl.constant_delay)
                        d = delay_to_ticks(pl, pl.delay.draw(drng), pl.delay.where);
                }
                f(local, s, w, d);
            });
        }
    }
};

/// fixed_outdegree, generated once per projection: each source's K synapses sorted by target
/// (stable, so generation order breaks ties), CSR by source with exactly K per source.
struct outdegree_lists {
    std::uint64_t k = 0;
    std::vector<std::uint32_t> targets;  // population-local
    std::vector<float> weights;
    std::vector<std::int32_t> delays;  // empty for a constant delay
};

outdegree_lists generate_outdegree(const plan& pl) {
    outdegree_lists out;
    out.k = pl.spec->outdegree;
    const std::uint64_t total = pl.ns * out.k;
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
            const std::uint64_t skip = pl.exclude_autapses ? s : pl.nt;
            tg.clear();
            const auto push = [&](std::uint64_t t) { tg.push_back(static_cast<std::uint32_t>(t)); };
            if (pl.spec->allow_multapses)
                smp.with_replacement(conn, pl.nt, out.k, skip, push);
            else
                smp.distinct(conn, pl.nt, out.k, skip, push);
            order.resize(tg.size());
            std::iota(order.begin(), order.end(), 0u);
            std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return tg[a] < tg[b]; });
            // Weights and delays are drawn in generation order, then placed in target order.
            const std::uint64_t base = s * out.k;
            w.resize(tg.size());
            d.resize(pl.constant_delay ? 0 : tg.size());
            for (std::size_t g = 0; g < tg.size(); ++g) {
                w[g] =
                    pl.constant_weight ? pl.weight_value : weight_to_float(pl, pl.weight.draw(wrng), pl.weight.where);
                if (!pl.constant_delay)
                    d[g] = static_cast<std::int32_t>(delay_to_ticks(pl, pl.delay.draw(drng), pl.delay.where));
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

/// The synapses of one target partition of a fixed_outdegree projection, taken from the lists:
/// ordered by source, then target, then generation order.
struct source_driven {
    static constexpr bool source_major = true;  // enumerates by source: the direct fill is cache-friendly
    const plan& pl;
    const partition_range& part;
    const outdegree_lists& lists;

    template <bool W, bool D, class F>
    void each(F&& f) const {
        const auto lo = static_cast<std::uint32_t>(part.first);
        const std::uint64_t hi = part.first + part.count;
        for (std::uint64_t s = 0; s < pl.ns; ++s) {
            const auto begin = lists.targets.begin() + static_cast<std::ptrdiff_t>(s * lists.k);
            const auto end = begin + static_cast<std::ptrdiff_t>(lists.k);
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
    en.template each<true, true>([&](std::uint32_t i, std::uint64_t s, float w, tick_t d) {
        const std::uint64_t pos = cursor[s]++;
        b.targets[pos] = i;
        b.weights[pos] = w;
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
        w_copy.assign(b.weights.begin() + static_cast<std::ptrdiff_t>(lo),
                      b.weights.begin() + static_cast<std::ptrdiff_t>(hi));
        for (std::uint64_t j = lo; j < hi; ++j) {
            const std::uint64_t pos = b.offsets[s * dc + delay_index[j] + 1]++;
            b.targets[pos] = t_copy[j - lo];
            b.weights[pos] = w_copy[j - lo];
        }
    }
}

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

    tick_t dmin = pl.delay_ticks, dmax = pl.delay_ticks;
    if (!pl.constant_delay) {
        dmin = std::numeric_limits<tick_t>::max();
        dmax = std::numeric_limits<tick_t>::min();
        en.template each<false, true>([&](std::uint32_t, std::uint64_t, float, tick_t d) {
            dmin = std::min(dmin, d);
            dmax = std::max(dmax, d);
        });
        if (dmin > dmax) return b;  // no synapse
    }
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
    b.offsets.assign(ranges + 1, 0);
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
    b.targets.resize(total);
    b.weights.resize(total);
    if (dc == 1 || Enumerator::source_major) {
        en.template each<true, true>([&](std::uint32_t i, std::uint64_t s, float w, tick_t d) {
            const std::uint64_t pos = b.offsets[s * dc + static_cast<std::uint64_t>(d - dmin) + 1]++;
            b.targets[pos] = i;
            b.weights[pos] = w;
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

// ---------------------------------------------------------------------------------------------
// Explicit CSV files

std::string trim(std::string_view s) {
    const auto issp = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && issp(s.front())) s.remove_prefix(1);
    while (!s.empty() && issp(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::string resolve_path(const scenario& sc, const std::string& file) {
    std::filesystem::path f(file);
    if (f.is_relative() && !sc.file.empty()) f = std::filesystem::path(sc.file).parent_path() / f;
    return f.lexically_normal().string();
}

void load_explicit(const scenario& sc, plan& pl) {
    const projection_spec& p = *pl.spec;
    const source_location file_key = sub(p.where, "file");
    if (p.file.empty()) fail(file_key, "rule 'explicit' needs a CSV file with columns source,target[,weight][,delay]");
    const std::string path = resolve_path(sc, p.file);
    std::ifstream in(path);
    if (!in) fail(file_key, "cannot read the connection file '" + path + "' (" + std::strerror(errno) + ")");

    // Errors inside the CSV point at the CSV's own line and column; the key says which projection.
    const auto csv_fail = [&](int line, int column, const std::string& what) {
        throw scenario_error(path, line, column, file_key.key, what);
    };

    std::vector<explicit_edge> edges;
    std::vector<std::uint64_t> targets;
    std::vector<int> lines;
    int weight_col = -1, delay_col = -1;
    std::size_t ncols = 0;
    std::string text;
    int line = 0;
    bool header_seen = false;
    while (std::getline(in, text)) {
        ++line;
        if (line == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte order mark
        const std::string t = trim(text);
        if (t.empty() || t.front() == '#') continue;  // blank lines and comments
        // Split on commas, remembering the column (1-based) where each field starts.
        std::vector<std::string> fields;
        std::vector<int> starts;
        std::size_t pos = 0;
        for (;;) {
            const std::size_t c = text.find(',', pos);
            fields.push_back(
                trim(std::string_view(text).substr(pos, c == std::string::npos ? std::string::npos : c - pos)));
            starts.push_back(static_cast<int>(pos) + 1);
            if (c == std::string::npos) break;
            pos = c + 1;
        }
        if (!header_seen) {
            header_seen = true;
            const std::string expect = "source,target[,weight][,delay]";
            bool ok = fields.size() >= 2 && fields.size() <= 4 && fields[0] == "source" && fields[1] == "target";
            for (std::size_t i = 2; ok && i < fields.size(); ++i) {
                if (fields[i] == "weight" && i == 2)
                    weight_col = 2;
                else if (fields[i] == "delay" && delay_col < 0)
                    delay_col = static_cast<int>(i);
                else
                    ok = false;
            }
            if (!ok) csv_fail(line, 1, "the header line must be '" + expect + "', got '" + t + "'");
            ncols = fields.size();
            continue;
        }
        if (fields.size() != ncols)
            csv_fail(line, 1,
                     "expected " + std::to_string(ncols) + " comma-separated columns (as in the header) but found " +
                         std::to_string(fields.size()));
        const auto parse_id = [&](std::size_t col, const char* what, std::uint64_t n, const std::string& pop) {
            const std::string& f = fields[col];
            std::uint64_t v = 0;
            const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
            if (f.empty() || r.ec != std::errc() || r.ptr != f.data() + f.size())
                csv_fail(line, starts[col], std::string(what) + " '" + f + "' is not a non-negative integer neuron id");
            if (v >= n)
                csv_fail(line, starts[col],
                         std::string(what) + " id " + f + " is out of range: population '" + pop + "' has " +
                             std::to_string(n) + " neurons (ids 0.." + std::to_string(n == 0 ? 0 : n - 1) + ")");
            return v;
        };
        const auto parse_real = [&](std::size_t col, const char* what) {
            const std::string& f = fields[col];
            double v = 0;
            const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
            if (f.empty() || r.ec != std::errc() || r.ptr != f.data() + f.size() || !std::isfinite(v))
                csv_fail(line, starts[col], std::string(what) + " '" + f + "' is not a finite number");
            return v;
        };
        explicit_edge e;
        e.source = parse_id(0, "source", pl.ns, p.source);
        const std::uint64_t tgt = parse_id(1, "target", pl.nt, p.target);
        if (pl.exclude_autapses && e.source == tgt)
            csv_fail(line, 1,
                     "this line connects neuron " + std::to_string(tgt) +
                         " to itself, but the projection has allow_autapses = false");
        if (weight_col >= 0) {
            e.weight = parse_real(2, "weight");
            const source_location at{path, line, starts[2], file_key.key};
            (void)weight_to_float(pl, e.weight, at);
        }
        if (delay_col >= 0) {
            const auto col = static_cast<std::size_t>(delay_col);
            e.delay_ms = parse_real(col, "delay (ms)");
            const source_location at{path, line, starts[col], file_key.key};
            (void)delay_to_ticks(pl, e.delay_ms, at);
        }
        edges.push_back(e);
        targets.push_back(tgt);
        lines.push_back(line);
    }
    if (in.bad()) fail(file_key, "error while reading the connection file '" + path + "'");
    if (!header_seen) csv_fail(1, 1, "the file is empty; it needs the header line 'source,target[,weight][,delay]'");

    // Bucket by target, keeping file order within a target (a stable counting sort).
    pl.explicit_offsets.assign(pl.nt + 1, 0);
    for (const auto t : targets) ++pl.explicit_offsets[t + 1];
    std::partial_sum(pl.explicit_offsets.begin(), pl.explicit_offsets.end(), pl.explicit_offsets.begin());
    pl.explicit_edges.resize(edges.size());
    std::vector<int> bucket_lines(edges.size());
    {
        std::vector<std::uint64_t> cursor(pl.explicit_offsets.begin(), pl.explicit_offsets.end() - 1);
        for (std::size_t i = 0; i < edges.size(); ++i) {
            const std::uint64_t at = cursor[targets[i]]++;
            pl.explicit_edges[at] = edges[i];
            bucket_lines[at] = lines[i];
        }
    }
    if (!p.allow_multapses) {
        std::vector<std::pair<std::uint64_t, int>> seen;  // (source, line)
        for (std::uint64_t t = 0; t < pl.nt; ++t) {
            seen.clear();
            for (auto i = pl.explicit_offsets[t]; i < pl.explicit_offsets[t + 1]; ++i)
                seen.emplace_back(pl.explicit_edges[i].source, bucket_lines[i]);
            std::sort(seen.begin(), seen.end());
            for (std::size_t i = 1; i < seen.size(); ++i)
                if (seen[i].first == seen[i - 1].first)
                    csv_fail(seen[i].second, 1,
                             "this line repeats the synapse " + std::to_string(seen[i].first) + " -> " +
                                 std::to_string(t) + " of line " + std::to_string(seen[i - 1].second) +
                                 ", but the projection has allow_multapses = false");
        }
    }
    // A delay column makes the delays vary per synapse even when the projection's delay is constant.
    if (delay_col >= 0) pl.constant_delay = false;
}

// ---------------------------------------------------------------------------------------------
// Resolving a projection

plan make_plan(const scenario& sc, const model_registry& models, std::uint32_t index) {
    const projection_spec& p = sc.projections[index];
    plan pl;
    pl.index = index;
    pl.spec = &p;
    pl.resolution_ms = sc.simulation.resolution_ms;
    pl.seed = sc.simulation.seed;

    // References, sizes, the port and the rule's parameters were checked by validate()
    // (scenario.hpp), which the builder trusts.
    const auto find_pop = [&](const std::string& name) {
        for (std::uint32_t i = 0; i < sc.populations.size(); ++i)
            if (sc.populations[i].name == name) return i;
        throw internal_error("projection '" + p.name + "': population '" + name + "' was not validated");
    };
    pl.source_pop = find_pop(p.source);
    pl.target_pop = find_pop(p.target);
    const population_spec& tgt = sc.populations[pl.target_pop];
    pl.ns = sc.populations[pl.source_pop].size;
    pl.nt = tgt.size;
    pl.exclude_autapses = pl.source_pop == pl.target_pop && !p.allow_autapses;

    // The receptor port of the target model.
    const model_info& model = models.find(tgt.model);
    pl.port = static_cast<std::uint32_t>(model.port_index(p.receptor));
    pl.weight_dim = model.ports[pl.port].weight_dim;
    pl.port_desc = "port '" + model.ports[pl.port].name + "' of model '" + model.name + "'";

    // The rule.
    const auto& names = connectivity_rule_names();
    const auto r = std::find(names.begin(), names.end(), p.rule);
    if (r == names.end()) throw internal_error("projection '" + p.name + "': rule '" + p.rule + "' was not validated");
    pl.rule = static_cast<rule_kind>(r - names.begin());

    // Weight and delay: copies located at the projection when built from code; constants checked once.
    pl.weight = p.weight;
    if (pl.weight.where.key.empty() && pl.weight.where.file.empty()) pl.weight.where = sub(p.where, "weight");
    pl.delay = p.delay;
    if (pl.delay.where.key.empty() && pl.delay.where.file.empty()) pl.delay.where = sub(p.where, "delay");
    random_stream unused;
    if (pl.weight.is_constant()) {
        pl.constant_weight = true;
        pl.weight_value = weight_to_float(pl, pl.weight.draw(unused), pl.weight.where);
    }
    if (pl.delay.is_constant()) {
        pl.constant_delay = true;
        pl.delay_ticks = delay_to_ticks(pl, pl.delay.draw(unused), pl.delay.where);
    }
    if (pl.rule == rule_kind::explicit_file) load_explicit(sc, pl);
    return pl;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

const std::vector<std::string>& connectivity_rule_names() {
    static const std::vector<std::string> names = {"one_to_one",     "all_to_all",      "fixed_probability",
                                                   "fixed_indegree", "fixed_outdegree", "explicit"};
    return names;
}

std::vector<partition_range> make_partitions(const scenario& sc, std::uint64_t max_partition_size) {
    if (max_partition_size == 0 || max_partition_size > max_u32 + 1)
        throw error("max_partition_size = " + std::to_string(max_partition_size) +
                    " is invalid (must lie in [1, 2^32])");
    std::vector<partition_range> parts;
    for (std::uint32_t pop = 0; pop < sc.populations.size(); ++pop) {
        const std::uint64_t n = sc.populations[pop].size;
        const std::uint64_t slices = (n + max_partition_size - 1) / max_partition_size;
        std::uint64_t first = 0;
        for (std::uint64_t i = 0; i < slices; ++i) {
            // The first n % slices slices get one neuron more: sizes differ by at most one.
            const std::uint64_t count = n / slices + (i < n % slices ? 1 : 0);
            parts.push_back({pop, first, count});
            first += count;
        }
    }
    return parts;
}

std::vector<std::uint64_t> population_offsets(const scenario& sc) {
    std::vector<std::uint64_t> off(sc.populations.size() + 1, 0);
    for (std::size_t i = 0; i < sc.populations.size(); ++i) off[i + 1] = off[i] + sc.populations[i].size;
    return off;
}

synapse_store build_synapses(const scenario& sc, const model_registry& models,
                             const std::vector<partition_range>& partitions) {
    synapse_store store;
    store.partitions = partitions;
    const std::size_t nparts = partitions.size();
    const std::size_t nproj = sc.projections.size();

    // Partitions of each population, checked against the scenario.
    std::vector<std::vector<std::uint32_t>> parts_of(sc.populations.size());
    for (std::uint32_t i = 0; i < nparts; ++i) {
        const auto& pr = partitions[i];
        if (pr.population >= sc.populations.size() || pr.count > max_u32 + 1 ||
            pr.first + pr.count > sc.populations[pr.population].size)
            throw internal_error("build_synapses: partition " + std::to_string(i) + " does not fit its population");
        parts_of[pr.population].push_back(i);
    }

    std::vector<plan> plans;
    plans.reserve(nproj);
    for (std::uint32_t j = 0; j < nproj; ++j) plans.push_back(make_plan(sc, models, j));

    // built[j * nparts + part]: the block of projection j in partition `part` (empty when none).
    std::vector<synapse_block> built(nproj * nparts);

    // All target-driven (projection, partition) pairs in one parallel loop, for load balance.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> tasks;
    for (std::uint32_t j = 0; j < nproj; ++j)
        if (plans[j].rule != rule_kind::fixed_outdegree)
            for (const auto part : parts_of[plans[j].target_pop]) tasks.emplace_back(j, part);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tasks.size(), 1), [&](const auto& r) {
        sampler smp;
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
            const auto [j, part] = tasks[i];
            built[j * nparts + part] = build_block(plans[j], target_driven{plans[j], partitions[part], smp});
        }
    });

    // Source-driven projections one at a time, so that only one temporary list set exists.
    for (std::uint32_t j = 0; j < nproj; ++j) {
        if (plans[j].rule != rule_kind::fixed_outdegree) continue;
        const outdegree_lists lists = generate_outdegree(plans[j]);
        const auto& pp = parts_of[plans[j].target_pop];
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, pp.size(), 1), [&](const auto& r) {
            for (std::size_t i = r.begin(); i != r.end(); ++i)
                built[j * nparts + pp[i]] = build_block(plans[j], source_driven{plans[j], partitions[pp[i]], lists});
        });
    }

    // Blocks per partition, in projection order, empty ones skipped.
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
            if (!sc.projections[b.projection].plasticity.enabled() &&
                std::all_of(b.weights.begin(), b.weights.end(), [&](float w) { return w == b.weights.front(); })) {
                b.homogeneous = true;
                b.weight_value = b.weights.front();
                std::vector<float>().swap(b.weights);  // release the memory (= {} keeps capacity)
            }
            store.blocks[part].push_back(std::move(b));
        }
    }
    built = {};
    store.max_delay = max_delay;

    // Distinct outgoing delays of every source neuron (over all blocks), sorted: a count pass and a
    // fill pass, in parallel over neurons.
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
    return store;
}

}  // namespace memspike
