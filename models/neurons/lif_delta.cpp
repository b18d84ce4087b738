// SPDX-License-Identifier: MIT
// lif_delta: leaky integrate-and-fire neuron with delta (voltage-jump) synapses, as NEST's
// iaf_psc_delta and Brunel (2000) model A.
//
//   tau_m dV/dt = -(V - E_L) + tau_m (I_e + I_stim) / C_m,  and V += w at each synaptic event.
//
// Between events the solution is exact (lif_base.hpp), so the model is fully event-driven: a neuron
// costs nothing while nothing reaches it. The events of one tick are summed, added to V at that
// tick, and V is then compared with V_th. Input that arrives while the neuron is refractory is
// discarded (as NEST's iaf_psc_delta with refractory_input = false).
#include "neurons/lif_delta.hpp"

#include "neurons/lif_base.hpp"

namespace memspike::lif {
namespace {

template <bool Het>
class lif_delta_group final : public neuron_group {
public:
    explicit lif_delta_group(const group_context& ctx) : m_(make(ctx)) {
        const auto v0 = initial_values(ctx, "v", ctx.spec.params.at("e_l"));
        const bool v_given = ctx.spec.init.count("v") != 0 || ctx.spec.init_values.count("v") != 0;
        for (std::uint32_t i = 0; i < ctx.count; ++i) {
            if (v_given || !Het) m_.v(i) = v0[i];  // else V starts at the neuron's own E_L
            m_.schedule_crossing(i);
        }
    }

    void advance(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) override {
        // Neurons on the grid (bench4: every neuron, inputs in random order) have their records
        // prefetched some inputs ahead; without a grid (Brunel: the drive touches every neuron
        // in index order, and the hardware prefetcher streams the records) the loop is as before,
        // where the prefetches measured ~2 % slower.
        if (const auto loop = m_.plain_input(t); loop != membrane_t<Het>::plain_loop::none)
            m_.apply_plain_input(loop, t, in, spikes);  // no stimulus: one loop over locals (bench4, Brunel)
        else if (m_.grid_size() != 0)
            apply_input<true>(t, in, spikes);
        else
            apply_input<false>(t, in, spikes);
        in.touched.clear();
        m_.fire_due(t, due_, spikes);
    }

    tick_t next_event_tick(tick_t now) const override { return m_.next_wake(now); }

    void add_current(tick_t t, std::span<const std::uint32_t> neurons, double delta_pa) override {
        for (const std::uint32_t i : neurons) m_.add_current(i, t, delta_pa, true);
    }

    double peek(tick_t t, std::uint32_t i, std::size_t) const override { return m_.peek(i, t); }

    std::size_t memory_bytes() const override { return m_.memory_bytes() + due_.capacity() * sizeof(std::uint32_t); }
    void save_state(std::ostream& os) const override { m_.save_state(os); }
    void load_state(std::istream& is) override { m_.load_state(is); }

private:
    template <bool prefetch>
    void apply_input(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) {
        auto& sum = in.sum[0];
        const std::uint32_t* const touched = in.touched.data();
        const std::size_t n = in.touched.size();
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint32_t i = touched[k];
            if (prefetch && k + ahead < n) m_.prefetch(touched[k + ahead]);
            const double w = sum[i];
            sum[i] = 0.0;
            in.flag[i] = 0;
            if (m_.refractory(i, t)) continue;  // discarded, as documented
            double& v = m_.v(i);
            m_.bring_to(i, t);
            v += w;
            if (v >= m_.v_th(i)) {
                m_.fire(i, t);
                spikes.push_back(i);
            }
            m_.track(i, w > 0.0);  // no re-prediction per input: a bound, and the grid tests it (lif_base.hpp)
        }
    }
    static membrane_t<Het> make(const group_context& ctx) {
        if constexpr (Het) return membrane_t<Het>(read_membrane_columns(ctx), ctx.resolution_ms);
        else return membrane_t<Het>(read_membrane(ctx.spec.params), ctx.resolution_ms, ctx.count);
    }
    static constexpr std::size_t ahead = 8;  // inputs between a record's prefetch and its update
    membrane_t<Het> m_;
    std::vector<std::uint32_t> due_;
};

} // namespace

model_info lif_delta_model() {
    model_info m;
    m.name = "lif_delta";
    m.summary = "LIF with delta (voltage-jump) synapses; exact, event-driven (NEST iaf_psc_delta)";
    m.params = membrane_param_table();
    m.ports = {{"v", dimension::voltage}};
    m.state = {{"v", dimension::voltage}};
    m.validate = [](const param_map& p) { validate_membrane("lif_delta", p); };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        // Per-neuron parameters: the group with a record of constants per neuron (lif_base.hpp).
        if (!ctx.spec.per_neuron.empty()) return std::make_unique<lif_delta_group<true>>(ctx);
        return std::make_unique<lif_delta_group<false>>(ctx);
    };
    m.per_neuron_params = true;
    // For the resource estimate: membrane record 32 and stimulus current 8 (once a stimulus reaches the partition), wake-heap entry 16, grid bound 8 and its block minimum 1, due list 4 bytes per neuron (memory_bytes() at most).
    m.state_bytes = [](const population_spec& pop) {
        return (69.0 + membrane_constant_bytes(pop)) * static_cast<double>(pop.size);
    };
    m.spikes = membrane_spikes;
    return m;
}

} // namespace memspike::lif
