// SPDX-License-Identifier: MIT
// Graph analysis of a built synapse store (graph.hpp).
//
// Memory is the concern: a Brunel network has 12.5 M synapses, so nothing here copies the edge list.
//  * Degrees are counted straight from the blocks.
//  * Weakly connected components: union-find (boost::disjoint_sets, the structure behind
//    Boost.Graph's incremental_components) over the synapses, O(neurons) memory. This gives the same
//    partition as connected_components on the undirected view, without doubling the edges.
//  * Strongly connected components: Boost.Graph's strong_components (Tarjan, iterative DFS) on a
//    compressed_sparse_row_graph built in one pass from an input iterator that walks the store in
//    global source order (4 bytes per synapse + 8 per neuron; the store itself is not copied).
#include "memspike/core/graph.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <limits>
#include <sstream>
#include <utility>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/pending/disjoint_sets.hpp>
#include <boost/property_map/property_map.hpp>

#include "memspike/core/connectivity.hpp"
#include "memspike/core/errors.hpp"

namespace memspike {

namespace {

/// Rough per-neuron state for the memory estimate: the LIF models keep about four doubles (membrane
/// potential, synaptic variables, refractory end / last update tick), plus 8 bytes of input buffer
/// per neuron and its flag. 48 bytes is the figure used until models report exact sizes before
/// building; the built simulation reports measured bytes (neuron_group::memory_bytes).
constexpr std::uint64_t state_bytes_per_neuron = 48;

degree_stats stats_of(const std::vector<std::uint64_t>& deg) {
    degree_stats s;
    if (deg.empty()) return s;
    s.min = *std::min_element(deg.begin(), deg.end());
    s.max = *std::max_element(deg.begin(), deg.end());
    double sum = 0;
    for (const auto d : deg) sum += static_cast<double>(d);
    s.mean = sum / static_cast<double>(deg.size());
    double ss = 0;
    for (const auto d : deg) ss += (static_cast<double>(d) - s.mean) * (static_cast<double>(d) - s.mean);
    s.sd = std::sqrt(ss / static_cast<double>(deg.size()));  // population sd: the degrees are all there is
    return s;
}

/// A block with the global id of its partition's first neuron.
struct placed_block {
    const synapse_block* block;
    std::uint64_t target_base;  // global id of target-local index 0
};

/// Calls f(global_source, global_target) for every synapse.
template <class F>
void for_each_edge(const synapse_store& store, const std::vector<std::uint64_t>& pop_off, F&& f) {
    for (std::size_t p = 0; p < store.blocks.size(); ++p) {
        const auto& part = store.partitions[p];
        const std::uint64_t tbase = pop_off[part.population] + part.first;
        for (const auto& b : store.blocks[p]) {
            const std::uint64_t sbase = pop_off[b.source_population];
            const auto dc = static_cast<std::uint64_t>(b.delay_count);
            for (std::uint64_t s = 0; s < b.source_count; ++s)
                for (auto i = b.offsets[s * dc]; i < b.offsets[(s + 1) * dc]; ++i) f(sbase + s, tbase + b.targets[i]);
        }
    }
}

/// An input iterator over all synapses as (source, target) pairs of global ids, in increasing source
/// order (what compressed_sparse_row_graph's edges_are_sorted constructor needs). End: `done`.
class sorted_edge_iterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::pair<std::uint32_t, std::uint32_t>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    sorted_edge_iterator() = default;  // end
    sorted_edge_iterator(const std::vector<std::vector<placed_block>>* from_pop,
                         const std::vector<std::uint64_t>* pop_off)
        : from_pop_(from_pop), pop_off_(pop_off), done_(false) {
        settle();
    }

    reference operator*() const { return cur_; }
    pointer operator->() const { return &cur_; }
    sorted_edge_iterator& operator++() {
        ++pos_;
        settle();
        return *this;
    }
    bool operator==(const sorted_edge_iterator& o) const { return done_ && o.done_; }
    bool operator!=(const sorted_edge_iterator& o) const { return !(*this == o); }

private:
    // Moves to the next existing synapse at or after the current position.
    void settle() {
        const auto& off = *pop_off_;
        const std::size_t npops = off.size() - 1;
        for (;;) {
            if (pos_ < end_) {
                const auto& pb = (*from_pop_)[pop_][bi_];
                cur_ = {static_cast<std::uint32_t>(g_),
                        static_cast<std::uint32_t>(pb.target_base + pb.block->targets[pos_])};
                return;
            }
            // The current (neuron, block) range is exhausted: the next block of this neuron, else
            // the next neuron, else the next population.
            if (started_) ++bi_;
            started_ = true;
            for (;;) {
                if (pop_ >= npops) {
                    done_ = true;
                    return;
                }
                if (g_ >= off[pop_ + 1] || (*from_pop_)[pop_].empty()) {
                    g_ = off[pop_ + 1];
                    ++pop_;
                    bi_ = 0;
                } else if (bi_ >= (*from_pop_)[pop_].size()) {
                    ++g_;
                    bi_ = 0;
                } else {
                    break;
                }
            }
            const auto& b = *(*from_pop_)[pop_][bi_].block;
            const std::uint64_t s = g_ - off[pop_];
            const auto dc = static_cast<std::uint64_t>(b.delay_count);
            pos_ = b.offsets[s * dc];
            end_ = b.offsets[(s + 1) * dc];
        }
    }

    const std::vector<std::vector<placed_block>>* from_pop_ = nullptr;
    const std::vector<std::uint64_t>* pop_off_ = nullptr;
    bool done_ = true, started_ = false;
    std::size_t pop_ = 0, bi_ = 0;
    std::uint64_t g_ = 0, pos_ = 0, end_ = 0;
    value_type cur_{};
};

std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024.0 && u < 4) {
        b /= 1024.0;
        ++u;
    }
    std::ostringstream os;
    os << std::fixed << std::setprecision(u == 0 ? 0 : 1) << b << ' ' << units[u];
    return os.str();
}

std::string fixed(double v, int digits) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(digits) << v;
    return os.str();
}

std::string describe(const degree_stats& d) {
    return fixed(d.mean, 1) + " ± " + fixed(d.sd, 1) + " [" + std::to_string(d.min) + ", " + std::to_string(d.max) +
           "]";
}

}  // namespace

namespace {

/// Degrees per projection and over the whole network.
void add_degrees(const scenario& sc, const synapse_store& store, const std::vector<std::uint64_t>& pop_off, graph_report& r) {
    std::vector<std::uint64_t> in_all(r.neurons, 0), out_all(r.neurons, 0);
    for (std::size_t j = 0; j < sc.projections.size(); ++j) {
        const auto& p = sc.projections[j];
        projection_report pr;
        pr.name = p.name;
        pr.source = p.source;
        pr.target = p.target;
        pr.rule = p.rule;
        const auto* src = sc.find_population(p.source);
        const auto* tgt = sc.find_population(p.target);
        std::vector<std::uint64_t> in(tgt ? tgt->size : 0, 0), out(src ? src->size : 0, 0);
        bool any = false;
        for (std::size_t part = 0; part < store.blocks.size(); ++part) {
            const auto& pr_range = store.partitions[part];
            for (const auto& b : store.blocks[part]) {
                if (b.projection != j) continue;
                if (b.source_count != out.size() || pr_range.first + pr_range.count > in.size())
                    throw internal_error("synapse store does not match the scenario (projection " + p.name + ")");
                const auto dc = static_cast<std::uint64_t>(b.delay_count);
                for (const auto t : b.targets) ++in[pr_range.first + t];
                for (std::uint64_t s = 0; s < b.source_count; ++s)
                    out[s] += b.offsets[(s + 1) * dc] - b.offsets[s * dc];
                pr.synapses += b.size();
                const std::int32_t lo = b.delay_min, hi = b.delay_min + b.delay_count - 1;
                pr.delay_min_ticks = any ? std::min(pr.delay_min_ticks, lo) : lo;
                pr.delay_max_ticks = any ? std::max(pr.delay_max_ticks, hi) : hi;
                any = true;
            }
        }
        pr.in_degree = stats_of(in);
        pr.out_degree = stats_of(out);
        if (tgt) {
            const auto base = pop_off[static_cast<std::size_t>(tgt - sc.populations.data())];
            for (std::size_t i = 0; i < in.size(); ++i) in_all[base + i] += in[i];
        }
        if (src) {
            const auto base = pop_off[static_cast<std::size_t>(src - sc.populations.data())];
            for (std::size_t i = 0; i < out.size(); ++i) out_all[base + i] += out[i];
        }
        r.projections.push_back(std::move(pr));
    }
    r.in_degree = stats_of(in_all);
    r.out_degree = stats_of(out_all);
}

/// Weakly connected components: union-find over the synapses.
void weak_components(const synapse_store& store, const std::vector<std::uint64_t>& pop_off, graph_report& r) {
    std::vector<std::uint32_t> rank(r.neurons, 0), parent(r.neurons);
    // Property maps of class type, so that get/put are found by argument-dependent lookup.
    const boost::typed_identity_property_map<std::uint32_t> id;
    auto rank_map = boost::make_iterator_property_map(rank.begin(), id);
    auto parent_map = boost::make_iterator_property_map(parent.begin(), id);
    boost::disjoint_sets<decltype(rank_map), decltype(parent_map)> sets(rank_map, parent_map);
    for (std::uint32_t v = 0; v < r.neurons; ++v) sets.make_set(v);
    for_each_edge(store, pop_off, [&](std::uint64_t s, std::uint64_t t) {
        sets.union_set(static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(t));
    });
    std::vector<std::uint32_t>& size = rank;  // reuse: rank is not needed any more
    std::fill(size.begin(), size.end(), 0);
    for (std::uint32_t v = 0; v < r.neurons; ++v) ++size[sets.find_set(v)];
    for (const auto n : size) {
        if (n == 0) continue;
        ++r.components;
        r.largest_component = std::max<std::uint64_t>(r.largest_component, n);
    }
}

/// Strongly connected components: Tarjan on a CSR graph.
void strong_components(const scenario& sc, const synapse_store& store, const std::vector<std::uint64_t>& pop_off, graph_report& r) {
    std::vector<std::vector<placed_block>> from_pop(sc.populations.size());
    for (std::size_t part = 0; part < store.blocks.size(); ++part) {
        const auto& pr_range = store.partitions[part];
        for (const auto& b : store.blocks[part])
            from_pop[b.source_population].push_back({&b, pop_off[pr_range.population] + pr_range.first});
    }
    using csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                   boost::no_property, std::uint32_t, std::uint64_t>;
    const csr g(boost::edges_are_sorted, sorted_edge_iterator(&from_pop, &pop_off), sorted_edge_iterator(),
                static_cast<std::uint32_t>(r.neurons), r.synapses);
    if (boost::num_edges(g) != r.synapses) throw internal_error("graph analysis: edge walk missed synapses");
    std::vector<std::uint32_t> comp(r.neurons);
    r.strong_components = boost::strong_components(
        g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));
    std::vector<std::uint32_t> size(r.strong_components, 0);
    for (const auto c : comp) ++size[c];
    r.largest_strong_component = size.empty() ? 0 : *std::max_element(size.begin(), size.end());
}

}  // namespace

graph_report analyze_graph(const scenario& sc, const synapse_store& store) {
    graph_report r;
    const auto pop_off = population_offsets(sc);
    r.neurons = pop_off.back();
    r.synapses = store.synapse_count();
    if (r.neurons > std::numeric_limits<std::uint32_t>::max())
        throw error("graph analysis supports up to 2^32 - 1 neurons; this network has " + std::to_string(r.neurons));
    if (store.partitions.size() != store.blocks.size())
        throw internal_error("synapse store: blocks and partitions differ in size");
    add_degrees(sc, store, pop_off, r);
    if (r.neurons > 0) {
        weak_components(store, pop_off, r);
        strong_components(sc, store, pop_off, r);
    }
    r.synapse_bytes = store.memory_bytes();
    r.estimated_state_bytes = r.neurons * state_bytes_per_neuron;
    r.bytes_per_synapse = r.synapses ? static_cast<double>(r.synapse_bytes) / static_cast<double>(r.synapses) : 0.0;
    return r;
}

std::string format_graph_report(const graph_report& r) {
    std::ostringstream os;
    os << "network: " << r.neurons << " neurons, " << r.synapses << " synapses\n";
    os << "memory:  synapses " << human_bytes(static_cast<double>(r.synapse_bytes)) << " ("
       << fixed(r.bytes_per_synapse, 2) << " bytes/synapse), neuron state ~"
       << human_bytes(static_cast<double>(r.estimated_state_bytes)) << " (estimate)\n";
    os << "components: " << r.components << " weakly connected (largest " << r.largest_component << "), "
       << r.strong_components << " strongly connected (largest " << r.largest_strong_component << ")\n";
    os << "degrees (mean ± sd [min, max]): in " << describe(r.in_degree) << ", out " << describe(r.out_degree) << "\n";
    if (r.projections.empty()) return os.str();

    // The projection table, columns sized to their contents.
    const std::vector<std::string> head = {"projection", "rule",       "synapses",
                                           "in-degree",  "out-degree", "delay (ticks)"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : r.projections) {
        const std::string name = p.name.empty() ? p.source + "->" + p.target : p.name;
        const std::string delay = p.synapses == 0 ? "-"
                                  : p.delay_min_ticks == p.delay_max_ticks
                                      ? std::to_string(p.delay_min_ticks)
                                      : std::to_string(p.delay_min_ticks) + ".." + std::to_string(p.delay_max_ticks);
        rows.push_back(
            {name, p.rule, std::to_string(p.synapses), describe(p.in_degree), describe(p.out_degree), delay});
    }
    // Display width: count UTF-8 code points, so "±" counts as one column.
    const auto width = [](const std::string& s) {
        std::size_t n = 0;
        for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
        return n;
    };
    std::vector<std::size_t> w(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        w[c] = width(head[c]);
        for (const auto& row : rows) w[c] = std::max(w[c], width(row[c]));
    }
    const auto emit = [&](const std::vector<std::string>& row) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            const bool right = c == 2;  // numbers right-aligned
            const std::string pad(w[c] - width(row[c]), ' ');
            os << (c ? "  " : "") << (right ? pad + row[c] : row[c] + (c + 1 < row.size() ? pad : ""));
        }
        os << '\n';
    };
    emit(head);
    std::size_t total = 0;
    for (const auto x : w) total += x;
    os << std::string(total + 2 * (w.size() - 1), '-') << '\n';
    for (const auto& row : rows) emit(row);
    return os.str();
}

}  // namespace memspike
