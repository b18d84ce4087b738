// SPDX-License-Identifier: MIT
// all_to_all: every source neuron drives every target neuron (without the autapse when excluded).
#include "plan.hpp"
#include "rules.hpp"

namespace memspike::connectivity_rules {

namespace {

class rule final : public connection_rule {
public:
    void sources_of(const projection_context& cx, std::uint64_t t, random_stream&, sampler&,
                    chosen_sources& out) const override {
        const std::uint64_t skip = cx.skip(t, cx.ns);
        for (std::uint64_t s = 0; s < cx.ns; ++s)
            if (s != skip) out.source.push_back(s);
    }
};

}  // namespace

connectivity_info all_to_all() {
    connectivity_info c;
    c.name = "all_to_all";
    c.summary = "every source neuron to every target neuron";
    c.expected_synapses = [](const projection_context& cx) { return cx.pairs(); };
    c.create = [](const projection_context&) { return std::make_unique<const rule>(); };
    return c;
}

}  // namespace memspike::connectivity_rules
