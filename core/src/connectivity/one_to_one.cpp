// SPDX-License-Identifier: MIT
// one_to_one: neuron i of the source drives neuron i of the target (populations of equal size).
#include "plan.hpp"
#include "rules.hpp"

namespace memspike::connectivity_rules {

namespace {

class rule final : public connection_rule {
public:
    void sources_of(const projection_context& cx, std::uint64_t t, random_stream&, sampler&,
                    chosen_sources& out) const override {
        if (cx.skip(t, cx.ns) != t) out.source.push_back(t);
    }
};

}  // namespace

connectivity_info one_to_one() {
    connectivity_info c;
    c.name = "one_to_one";
    c.summary = "source neuron i to target neuron i; the populations must have equal sizes";
    // Its parameter checks are validate()'s (core/src/scenario_validate.cpp), run before any build.
    c.expected_synapses = [](const projection_context& cx) { return static_cast<double>(cx.nt) - (cx.exclude_autapses ? static_cast<double>(cx.nt) : 0.0); };
    c.create = [](const projection_context&) { return std::make_unique<const rule>(); };
    return c;
}

}  // namespace memspike::connectivity_rules
