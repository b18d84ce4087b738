// SPDX-License-Identifier: MIT
// fixed_outdegree: every source neuron draws exactly `outdegree` targets. Source-driven: the
// streams are keyed by source (see build.cpp for how the choices reach the target partitions).
#include "plan.hpp"
#include "rules.hpp"

namespace memspike::connectivity_rules {

namespace {

class rule final : public connection_rule {
public:
    bool source_driven() const override { return true; }
    std::uint64_t count_from(const projection_context& cx, std::uint64_t) const override {
        return cx.spec->outdegree;
    }
    void targets_of(const projection_context& cx, std::uint64_t s, random_stream& conn, sampler& smp,
                    std::vector<std::uint32_t>& out) const override {
        const auto push = [&](std::uint64_t t) { out.push_back(static_cast<std::uint32_t>(t)); };
        if (cx.spec->allow_multapses)
            smp.with_replacement(conn, cx.nt, cx.spec->outdegree, cx.skip(s, cx.nt), push);
        else
            smp.distinct(conn, cx.nt, cx.spec->outdegree, cx.skip(s, cx.nt), push);
    }
};

}  // namespace

connectivity_info fixed_outdegree() {
    connectivity_info c;
    c.name = "fixed_outdegree";
    c.summary = "every source neuron gets exactly `outdegree` targets, drawn uniformly";
    c.keys = {"outdegree"};
    // Its parameter checks are validate()'s (core/src/scenario_validate.cpp), run before any build.
    c.expected_synapses = [](const projection_context& cx) { return static_cast<double>(cx.spec->outdegree) * static_cast<double>(cx.ns); };
    c.create = [](const projection_context&) { return std::make_unique<const rule>(); };
    c.source_driven = true;
    return c;
}

}  // namespace memspike::connectivity_rules
