// SPDX-License-Identifier: MIT
// fixed_probability: each (source, target) pair is connected independently with probability p.
#include <cmath>

#include "plan.hpp"
#include "rules.hpp"

namespace memspike::connectivity_rules {

using connectivity_detail::num;

namespace {

class rule final : public connection_rule {
public:
    void sources_of(const projection_context& cx, std::uint64_t t, random_stream& conn, sampler&,
                    chosen_sources& out) const override {
        const double prob = cx.spec->probability;
        const std::uint64_t skip = cx.skip(t, cx.ns);
        if (prob <= 0.0) return;
        if (prob >= 1.0) {
            for (std::uint64_t s = 0; s < cx.ns; ++s)
                if (s != skip) out.source.push_back(s);
            return;
        }
        // Geometric skips: the number of sources passed over before the next chosen one is
        // Geometric(p), so the cost is O(synapses), not O(sources). The autapse, when excluded,
        // is simply not emitted: the other pairs stay independent with probability p.
        const double log_q = std::log1p(-prob);
        std::uint64_t s = 0;
        while (s < cx.ns) {
            const double gap = std::floor(std::log(conn.uniform_open0()) / log_q);
            if (gap >= static_cast<double>(cx.ns - s)) break;
            s += static_cast<std::uint64_t>(gap);
            if (s != skip) out.source.push_back(s);
            ++s;
        }
    }
};

}  // namespace

connectivity_info fixed_probability() {
    connectivity_info c;
    c.name = "fixed_probability";
    c.summary = "each (source, target) pair independently with probability `probability`";
    c.keys = {"probability"};
    // Its parameter checks are validate()'s (core/src/scenario_validate.cpp), run before any build.
    c.expected_synapses = [](const projection_context& cx) { return cx.spec->probability * cx.pairs(); };
    c.create = [](const projection_context&) { return std::make_unique<const rule>(); };
    return c;
}

}  // namespace memspike::connectivity_rules
