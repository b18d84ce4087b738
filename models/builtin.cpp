// SPDX-License-Identifier: MIT
// THE list of built-in models: adding a model is a new file in neurons/ and one line here.
#include "memspike/models/builtin.hpp"

#include "neurons/lif_cond_exp.hpp"
#include "neurons/lif_delta.hpp"
#include "neurons/lif_exp.hpp"
#include "neurons/integrators.hpp"
#include "neurons/sources.hpp"
#include "neurons/stepped_models.hpp"
#include "synapses/stdp.hpp"

#include "memspike/core/backend.hpp"

namespace memspike {

const model_registry& builtin_models() {
    static const model_registry registry = [] {
        model_registry r;
        r.add(lif::lif_delta_model());
        r.add(lif::lif_exp_model());
        r.add(lif::lif_cond_exp_model());
        r.add(sources::poisson_source_model());
        r.add(sources::spike_source_model());
        r.add(integrators::if_delta_model());  // NIR IF, LI, I (docs/nir.md)
        r.add(integrators::li_delta_model());
        r.add(integrators::i_delta_model());
        r.add(integrators::threshold_delta_model());
        r.add(stepped::lif_alpha_model());  // stepped every tick (stepped.hpp)
        r.add(stepped::adex_model());
        r.add(stepped::izhikevich_model());
        r.add_plasticity(plasticity::stdp_rule());
        r.add_plasticity(plasticity::stdp_power_law_rule());
        r.add_plasticity(plasticity::stdp_triplet_rule());
        r.add_plasticity(plasticity::stdp_reward_rule());
        r.add_backend(digital_backend());
        // Connectivity rules: core's own are already in r (model_registry's constructor, model.hpp).
        return r;
    }();
    return registry;
}

} // namespace memspike
