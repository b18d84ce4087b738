// SPDX-License-Identifier: MIT
// Mapping a network onto a chip's cores (docs/chips.md, "Mapping"). It works on the network's
// structure, not on a built network: population sizes, each projection's expected synapses
// (its rule's closed form) and its rule's kind. So `inspect --chip` and `report --chips` cost
// milliseconds, even for a network of a million neurons, and give the same answer.
//
// The expected number of distinct presynaptic neurons of population S that reach a core holding
// n neurons of T: one_to_one n, all_to_all N_S, random rules N_S (1 - (1 - K/N_S)^n) with K the
// mean in-degree from S (each source independently a partner of each target with probability
// K/N_S). Each such source needs an input axon on the core, and each of its spikes is one message
// to the core. Independent Poisson stimuli need one axon per target neuron, shared ones one.
//
// Placement: greedy fills cores population by population in scenario order and lays them on the
// mesh row by row. The locality-aware placement orders the populations by reverse Cuthill-McKee
// on the projection graph (Boost.Graph), so that connected populations get neighbouring cores,
// and lays the cores along a Hilbert curve, so that a population's cores form a compact block
// instead of a long strip. The expected hops of both are computed and the better one is kept.
#include "memspike/core/chip.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <set>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/cuthill_mckee_ordering.hpp>

#include "memspike/core/connectivity.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/spec.hpp"

namespace memspike {
namespace {

std::string thousands(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    std::string s = buf, out;
    const std::size_t lead = s[0] == '-' ? 1 : 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i > lead && (s.size() - i) % 3 == 0) out += ',';
        out += s[i];
    }
    return out;
}

/// One projection as the mapping sees it.
struct input {
    std::size_t source = 0;  // population index
    double n_source = 0.0;
    double k_in = 0.0;       // mean inputs per target neuron
    enum class kind { one_to_one, all_to_all, random } k = kind::random;
    /// Expected distinct sources reaching n neurons of the target.
    double distinct(double n) const {
        if (k == kind::one_to_one) return n;
        if (k == kind::all_to_all) return n_source;
        const double q = std::min(1.0, k_in / n_source);
        return n_source * (1.0 - std::pow(1.0 - q, n));
    }
};

struct population_inputs {
    std::vector<input> inputs;
    double fan_in = 0.0;
    double stimulus_axons_per_neuron = 0.0, shared_stimulus_axons = 0.0;
    std::set<double> weights;  // distinct constant weights
    std::string drawn_weights;  // a projection with drawn weights, if any
    double axons(double n) const {
        double a = stimulus_axons_per_neuron * n + shared_stimulus_axons;
        for (const auto& in : inputs) a += in.distinct(n);
        return a;
    }
};

std::vector<population_inputs> network_inputs(const scenario& sc, const model_registry& registry) {
    std::vector<population_inputs> out(sc.populations.size());
    auto index_of = [&](const std::string& name) {
        for (std::size_t i = 0; i < sc.populations.size(); ++i)
            if (sc.populations[i].name == name) return i;
        throw internal_error("chip mapping: no population '" + name + "' in a validated scenario");
    };
    for (std::size_t j = 0; j < sc.projections.size(); ++j) {
        const auto& pj = sc.projections[j];
        const std::size_t s = index_of(pj.source), t = index_of(pj.target);
        const double syn = expected_synapses(sc, registry, j);
        if (!std::isfinite(syn))
            throw scenario_error(pj.where.file, pj.where.line, pj.where.column, "projection '" + pj.name + "'",
                                 "the chip mapping needs its expected synapse count, which rule '" + pj.rule + "' does not give");
        input in;
        in.source = s;
        in.n_source = static_cast<double>(sc.populations[s].size);
        in.k_in = syn / static_cast<double>(sc.populations[t].size);
        in.k = pj.rule == "one_to_one" ? input::kind::one_to_one : pj.rule == "all_to_all" ? input::kind::all_to_all : input::kind::random;
        out[t].inputs.push_back(in);
        out[t].fan_in += in.k_in;
        if (pj.weight.k == distribution::kind::constant) out[t].weights.insert(pj.weight.value);
        else out[t].drawn_weights = pj.name;
    }
    for (const auto& st : sc.stimuli) {
        if (st.kind != "poisson") continue;  // currents act on the neuron, not through an axon
        const std::size_t t = index_of(st.target);
        if (st.shared) out[t].shared_stimulus_axons += 1.0;
        else out[t].stimulus_axons_per_neuron += st.neurons.empty() ? 1.0
                                                 : static_cast<double>(st.neurons.size()) / static_cast<double>(sc.populations[t].size);
        out[t].weights.insert(st.weight);
    }
    return out;
}

/// The largest n <= cap whose `need(n)` stays within `limit` (need grows with n); 0 if none.
template <class F>
std::uint64_t largest_within(std::uint64_t cap, double limit, F need) {
    if (need(1.0) > limit * (1 + 1e-12)) return 0;
    std::uint64_t lo = 1, hi = cap;
    while (lo < hi) {
        const std::uint64_t mid = lo + (hi - lo + 1) / 2;
        if (need(static_cast<double>(mid)) <= limit * (1 + 1e-12)) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/// Neurons of population p per core (or per column group when inputs may span cores), or a
/// refusal naming the limit. `cores_per_group`: cores one group of neurons needs (split fan-in).
std::uint64_t neurons_per_core(const chip_model& c, const std::string& pop, const population_inputs& in, std::string& why) {
    const auto fmt = [](double v) { return thousands(std::round(v)); };
    if (c.weight_types > 0) {
        if (!in.drawn_weights.empty()) {
            why = "population '" + pop + "': projection '" + in.drawn_weights + "' draws its weights from a distribution; a " + c.name +
                  " neuron has " + std::to_string(c.weight_types) + " weight types: needs weight quantisation, not modelled";
            return 0;
        }
        if (in.weights.size() > c.weight_types) {
            why = "population '" + pop + "': " + std::to_string(in.weights.size()) + " distinct input weights > " +
                  std::to_string(c.weight_types) + " weight types per " + c.name + " neuron: needs weight quantisation, not modelled";
            return 0;
        }
    }
    if (c.split_fan_in) return c.neurons_per_core;  // a group of columns; its inputs span cores
    if (c.fan_in > 0 && in.fan_in > static_cast<double>(c.fan_in) * (1 + 1e-12)) {
        why = "population '" + pop + "': fan-in " + fmt(in.fan_in) + " > " + thousands(static_cast<double>(c.fan_in)) + " per " + c.name +
              " neuron: needs neuron splitting, not modelled";
        return 0;
    }
    std::uint64_t n = c.neurons_per_core;
    if (c.synapses_per_core > 0) {
        const auto by_syn = in.fan_in > 0 ? static_cast<std::uint64_t>(static_cast<double>(c.synapses_per_core) / in.fan_in) : n;
        if (by_syn == 0) {
            why = "population '" + pop + "': a neuron's " + fmt(in.fan_in) + " synapses exceed the " +
                  thousands(static_cast<double>(c.synapses_per_core)) + " of a " + c.name + " core: needs neuron splitting, not modelled";
            return 0;
        }
        n = std::min(n, by_syn);
    }
    if (c.axons_per_core > 0) {
        const auto by_axons = largest_within(n, static_cast<double>(c.axons_per_core), [&](double k) { return in.axons(k); });
        if (by_axons == 0) {
            why = "population '" + pop + "': one neuron's " + fmt(in.axons(1.0)) + " distinct inputs exceed the " +
                  thousands(static_cast<double>(c.axons_per_core)) + " input axons of a " + c.name + " core: needs neuron splitting, not modelled";
            return 0;
        }
        n = std::min(n, by_axons);
    }
    return n;
}

struct point {
    std::uint64_t x = 0, y = 0;
};

/// Hilbert-curve index d -> (x, y) on a 2^k x 2^k square (the classic iterative conversion).
point hilbert(std::uint64_t side, std::uint64_t d) {
    point p;
    for (std::uint64_t s = 1; s < side; s *= 2) {
        const std::uint64_t rx = 1 & (d / 2), ry = 1 & (d ^ rx);
        if (ry == 0) {
            if (rx == 1) {
                p.x = s - 1 - p.x;
                p.y = s - 1 - p.y;
            }
            std::swap(p.x, p.y);
        }
        p.x += s * rx;
        p.y += s * ry;
        d /= 4;
    }
    return p;
}

/// Mesh positions of `cores` cores, in order: row by row, or along a Hilbert curve clipped to
/// each chip's mesh. Several chips are laid out as a near-square grid of chips.
std::vector<point> tile_positions(const chip_model& c, std::uint64_t tiles, bool curve) {
    std::vector<point> order;
    const std::uint64_t w = c.mesh_width, h = c.mesh_height;
    if (curve) {
        std::uint64_t side = 1;
        while (side < std::max(w, h)) side *= 2;
        for (std::uint64_t d = 0; d < side * side; ++d)
            if (const point p = hilbert(side, d); p.x < w && p.y < h) order.push_back(p);
    } else {
        for (std::uint64_t y = 0; y < h; ++y)
            for (std::uint64_t x = 0; x < w; ++x) order.push_back({x, y});
    }
    // Several chips form a near-square grid of chips (chip k at column k % cols, row k / cols).
    const std::uint64_t chips = (tiles + w * h - 1) / (w * h);
    const auto cols = static_cast<std::uint64_t>(std::ceil(std::sqrt(static_cast<double>(chips))));
    std::vector<point> out(tiles);
    for (std::uint64_t t = 0; t < tiles; ++t) {
        const std::uint64_t chip = t / (w * h);
        const point p = order[t % (w * h)];
        out[t] = {p.x + (chip % cols) * w, p.y + (chip / cols) * h};
    }
    return out;
}

/// Population order by reverse Cuthill-McKee on the (undirected) projection graph.
std::vector<std::size_t> rcm_order(const scenario& sc) {
    using graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
    graph g(sc.populations.size());
    for (const auto& pj : sc.projections) {
        std::size_t s = 0, t = 0;
        for (std::size_t i = 0; i < sc.populations.size(); ++i) {
            if (sc.populations[i].name == pj.source) s = i;
            if (sc.populations[i].name == pj.target) t = i;
        }
        if (s != t) boost::add_edge(s, t, g);
    }
    std::vector<graph::vertex_descriptor> inv(boost::num_vertices(g));
    boost::cuthill_mckee_ordering(g, inv.rbegin());  // reversed: RCM
    return {inv.begin(), inv.end()};
}

/// Expected traffic per spike of each population (sources included), for one placement.
struct traffic {
    std::vector<double> messages, hops, ew;  // per population
    double total_messages = 0.0, total_hops = 0.0, total_ew = 0.0;  // one spike from every neuron
};

/// Fills cores in population order `order` and places them; returns the core list and the
/// expected traffic per spike.
std::vector<core_slice> place(const scenario& sc, const chip_model& c, const std::vector<population_inputs>& in,
                              const std::vector<bool>& mapped, const std::vector<std::uint64_t>& per_core,
                              const std::vector<std::size_t>& order, bool curve, traffic& tr) {
    std::vector<core_slice> cores;
    for (const std::size_t p : order) {
        if (!mapped[p]) continue;
        const std::uint64_t size = sc.populations[p].size;
        for (std::uint64_t first = 0; first < size; first += per_core[p]) {
            core_slice s;
            s.population = static_cast<std::uint32_t>(p);
            s.first = first;
            s.count = std::min(per_core[p], size - first);
            const double axons = in[p].axons(static_cast<double>(s.count));
            // Split fan-in: the group's inputs are spread over ceil(axons / axons per core) cores,
            // each receiving its share of the sources (a source's row lives in one of them).
            const std::uint64_t k = c.split_fan_in && c.axons_per_core > 0
                ? std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(axons / static_cast<double>(c.axons_per_core) - 1e-9))) : 1;
            for (std::uint64_t part = 0; part < k; ++part) {
                core_slice q = s;
                q.share = 1.0 / static_cast<double>(k);
                q.axons = axons * q.share;
                q.synapses = in[p].fan_in * static_cast<double>(s.count) * q.share;
                for (const auto& inp : in[p].inputs)
                    q.reach.push_back({static_cast<std::uint32_t>(inp.source), inp.distinct(static_cast<double>(s.count)) * q.share / inp.n_source});
                cores.push_back(q);
            }
        }
    }
    const std::uint64_t tiles = (cores.size() + c.cores_per_tile - 1) / c.cores_per_tile;
    const auto pos = tile_positions(c, tiles, curve);
    for (std::size_t i = 0; i < cores.size(); ++i) {
        cores[i].x = pos[i / c.cores_per_tile].x;
        cores[i].y = pos[i / c.cores_per_tile].y;
    }
    // A spike of S from core a reaches core b with probability reach(b, S); a mapped source's
    // neurons are spread over its cores in proportion to their counts. External sources enter
    // at the core they reach: no hops.
    const std::size_t np = sc.populations.size();
    std::vector<std::vector<std::size_t>> cores_of(np);
    for (std::size_t i = 0; i < cores.size(); ++i) cores_of[cores[i].population].push_back(i);
    tr = traffic{std::vector<double>(np, 0.0), std::vector<double>(np, 0.0), std::vector<double>(np, 0.0)};
    for (const auto& b : cores)
        for (const auto& [s, p_reach] : b.reach) {
            tr.messages[s] += p_reach;
            const double ns = static_cast<double>(sc.populations[s].size);
            for (const std::size_t a : cores_of[s]) {
                // A neuron of a split group sits in all k cores of its group at share 1/k each.
                const double w = p_reach * static_cast<double>(cores[a].count) * cores[a].share / ns;
                const double dx = std::abs(static_cast<double>(cores[a].x) - static_cast<double>(b.x));
                const double dy = std::abs(static_cast<double>(cores[a].y) - static_cast<double>(b.y));
                tr.hops[s] += w * (dx + dy);
                tr.ew[s] += w * dx;
            }
        }
    for (std::size_t s = 0; s < np; ++s) {
        const double ns = static_cast<double>(sc.populations[s].size);
        tr.total_messages += tr.messages[s] * ns;
        tr.total_hops += tr.hops[s] * ns;
        tr.total_ew += tr.ew[s] * ns;
    }
    return cores;
}

} // namespace

chip_mapping map_network(const scenario& sc, const model_registry& registry, const chip_model& c) {
    chip_mapping m;
    m.chip = c.name;
    const auto in = network_inputs(sc, registry);
    for (std::size_t j = 0; j < sc.projections.size(); ++j) m.synapses_of.push_back(expected_synapses(sc, registry, j));
    std::vector<bool> mapped(sc.populations.size());
    std::vector<std::uint64_t> per_core(sc.populations.size(), 0);
    m.fan_in.resize(sc.populations.size());
    m.population_cores.resize(sc.populations.size());
    for (std::size_t p = 0; p < sc.populations.size(); ++p) {
        m.fan_in[p] = in[p].fan_in;
        // Sources (no receptor ports) are inputs from outside the chip: their spikes arrive at
        // the axons of the cores they reach; they occupy no neuron.
        mapped[p] = !registry.find(sc.populations[p].model).ports.empty();
        if (!mapped[p] || sc.populations[p].size == 0) continue;
        per_core[p] = neurons_per_core(c, sc.populations[p].name, in[p], m.limit);
        if (per_core[p] == 0) return m;
    }
    std::vector<std::size_t> scenario_order(sc.populations.size());
    std::iota(scenario_order.begin(), scenario_order.end(), 0);
    traffic greedy_tr, local_tr;
    auto greedy = place(sc, c, in, mapped, per_core, scenario_order, false, greedy_tr);
    auto local = place(sc, c, in, mapped, per_core, rcm_order(sc), true, local_tr);
    const bool use_local = local_tr.total_hops < greedy_tr.total_hops * (1 - 1e-9);
    m.cores = use_local ? std::move(local) : std::move(greedy);
    const traffic& tr = use_local ? local_tr : greedy_tr;
    m.placement = use_local ? "locality (reverse Cuthill-McKee population order, Hilbert-curve cores)" : "greedy (scenario order, row by row)";
    // Per spike of the network (each population's spikes weighted by its size: uniform rates).
    double senders = 0.0;
    for (std::size_t p = 0; p < sc.populations.size(); ++p) senders += static_cast<double>(sc.populations[p].size);
    m.messages_per_spike = senders > 0 ? tr.total_messages / senders : 0.0;
    m.hops_per_message_greedy = greedy_tr.total_messages > 0 ? greedy_tr.total_hops / greedy_tr.total_messages : 0.0;
    m.hops_per_message = tr.total_messages > 0 ? tr.total_hops / tr.total_messages : 0.0;
    m.east_west_share = tr.total_hops > 0 ? tr.total_ew / tr.total_hops : 0.5;
    m.messages_of = tr.messages;
    m.hops_of = tr.hops;
    m.east_west_of = tr.ew;
    for (const auto& s : m.cores) ++m.population_cores[s.population];
    m.cores_used = m.cores.size();
    m.tiles_used = (m.cores_used + c.cores_per_tile - 1) / c.cores_per_tile;
    m.chips_used = (m.cores_used + c.cores_per_chip() - 1) / c.cores_per_chip();
    // Fan-out: a spike of a mapped population must not need more destination cores than a
    // neuron of this chip can address (TrueNorth: one).
    if (c.fan_out_cores > 0)
        for (std::size_t s = 0; s < sc.populations.size(); ++s) {
            if (!mapped[s]) continue;
            const double dest = m.messages_of[s];
            if (dest > static_cast<double>(c.fan_out_cores) * 1.001) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.3g", dest);
                m.limit = "population '" + sc.populations[s].name + "': a spike reaches " + buf + " cores on average > " +
                          std::to_string(c.fan_out_cores) + " destination core(s) per " + c.name + " neuron: needs splitter neurons, not modelled";
                return m;
            }
        }
    m.fits = true;
    return m;
}

} // namespace memspike
