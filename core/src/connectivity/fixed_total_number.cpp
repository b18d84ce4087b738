// SPDX-License-Identifier: MIT
// fixed_total_number: exactly `total_number` synapses, each joining a (source, target) pair drawn
// uniformly from all pairs, with replacement (NEST's rule of the same name, as the PD14
// microcircuit uses it: multapses allowed, in-degrees vary from target to target).
//
// Drawing K pairs uniformly is the same as drawing each synapse's target uniformly and then its
// source uniformly among the target's available sources (every target has the same number: ns,
// or ns - 1 without autapses). So the rule first fixes how many synapses each target gets, a
// multinomial(K; 1/nt, ..., 1/nt), by counting K uniform target draws, then each target draws its
// sources with replacement from its own stream, like fixed_indegree with a per-target count.
//
// The counts are drawn once, at creation, in chunks of `chunk` draws. Chunk c has its own stream
// (seed, connectivity, projection, nt + c): keys >= nt belong to no target, so they cannot collide
// with the per-target streams (t < nt). The chunks' histograms are summed, integers in any order,
// so the counts do not depend on the thread count. Counting costs one `below` per synapse (about
// 2 ns); a chain of nt binomials would cost a logarithm per synapse with the waiting-time binomial.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>

#include "plan.hpp"
#include "rules.hpp"

namespace memspike::connectivity_rules {

namespace {

constexpr std::uint64_t chunk = std::uint64_t{1} << 22;

class rule final : public connection_rule {
public:
    explicit rule(std::vector<std::uint64_t> count) : count_(std::move(count)) {}

    void sources_of(const projection_context& cx, std::uint64_t t, random_stream& conn, sampler& smp,
                    chosen_sources& out) const override {
        smp.with_replacement(conn, cx.ns, count_[t], cx.skip(t, cx.ns),
                             [&](std::uint64_t s) { out.source.push_back(s); });
    }

private:
    std::vector<std::uint64_t> count_;  // synapses per target
};

/// The multinomial split of K synapses over the nt targets (see the file comment).
std::vector<std::uint64_t> draw_counts(const projection_context& cx) {
    const std::uint64_t k = cx.spec->total_number, nt = cx.nt;
    std::vector<std::uint64_t> count(nt, 0);
    if (k == 0 || nt == 0) return count;
    const std::uint64_t chunks = (k + chunk - 1) / chunk;
    tbb::enumerable_thread_specific<std::vector<std::uint64_t>> local([nt] { return std::vector<std::uint64_t>(nt, 0); });
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, chunks, 1), [&](const auto& r) {
        auto& h = local.local();
        for (std::uint64_t c = r.begin(); c != r.end(); ++c) {
            random_stream rng(cx.seed, stream_purpose::connectivity, cx.index, nt + c);
            const std::uint64_t n = std::min(chunk, k - c * chunk);
            for (std::uint64_t i = 0; i < n; ++i) ++h[rng.below(nt)];
        }
    });
    for (const auto& h : local)
        for (std::uint64_t t = 0; t < nt; ++t) count[t] += h[t];
    return count;
}

}  // namespace

connectivity_info fixed_total_number() {
    connectivity_info c;
    c.name = "fixed_total_number";
    c.summary = "exactly `total_number` synapses on (source, target) pairs drawn uniformly, multapses allowed";
    c.keys = {"total_number"};
    // Its parameter checks are validate()'s (core/src/scenario_validate.cpp), run before any build.
    c.expected_synapses = [](const projection_context& cx) { return static_cast<double>(cx.spec->total_number); };
    c.create = [](const projection_context& cx) { return std::make_unique<const rule>(draw_counts(cx)); };
    return c;
}

}  // namespace memspike::connectivity_rules
