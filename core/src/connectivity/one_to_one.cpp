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
    c.validate = [](const projection_context& cx) {
        if (cx.ns != cx.nt)
            cx.fail(cx.at("rule"), "rule 'one_to_one' needs populations of equal size, but '" + cx.source->name +
                                       "' has " + std::to_string(cx.ns) + " neurons and '" + cx.target->name +
                                       "' has " + std::to_string(cx.nt));
    };
    c.create = [](const projection_context&) { return std::make_unique<const rule>(); };
    return c;
}

}  // namespace memspike::connectivity_rules
