// SPDX-License-Identifier: MIT
// fixed_indegree: every target neuron draws exactly `indegree` sources.
#include "plan.hpp"
#include "rules.hpp"

namespace memspike::connectivity_rules {

namespace {

class rule final : public connection_rule {
public:
    void sources_of(const projection_context& cx, std::uint64_t t, random_stream& conn, sampler& smp,
                    chosen_sources& out) const override {
        const auto emit = [&](std::uint64_t s) { out.source.push_back(s); };
        if (cx.spec->allow_multapses)
            smp.with_replacement(conn, cx.ns, cx.spec->indegree, cx.skip(t, cx.ns), emit);
        else
            smp.distinct(conn, cx.ns, cx.spec->indegree, cx.skip(t, cx.ns), emit);
    }
};

}  // namespace

connectivity_info fixed_indegree() {
    connectivity_info c;
    c.name = "fixed_indegree";
    c.summary = "every target neuron gets exactly `indegree` sources, drawn uniformly";
    c.keys = {"indegree"};
    // Its parameter checks are validate()'s (core/src/scenario_validate.cpp), run before any build.
    c.expected_synapses = [](const projection_context& cx) { return static_cast<double>(cx.spec->indegree) * static_cast<double>(cx.nt); };
    c.create = [](const projection_context&) { return std::make_unique<const rule>(); };
    return c;
}

}  // namespace memspike::connectivity_rules
