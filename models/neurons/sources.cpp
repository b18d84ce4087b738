// SPDX-License-Identifier: MIT
// Spike sources: populations without membrane whose neurons emit spikes through projections like
// any neuron does.
//   poisson_source: each neuron an independent Poisson process of the given rate between start and
//     stop. Inter-spike intervals are drawn in continuous time from one stream per neuron (keyed by
//     seed, population and neuron index); a spike at time s falls on tick ceil(s / h), so the
//     count in every tick is exactly Poisson(rate h) (two spikes may share a tick; both are sent).
//   spike_source: each neuron emits at the ticks listed in the scenario (spike_times).
#include "neurons/sources.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

#include "memspike/core/errors.hpp"
#include "memspike/core/random.hpp"
#include "memspike/core/units.hpp"
#include "neurons/lif_base.hpp"

namespace memspike::sources {
namespace {

constexpr tick_t never = std::numeric_limits<tick_t>::max();
// At most this many expected spikes per neuron and tick, the limit a Poisson stimulus has too
// (core/src/stimuli/poisson.cpp): beyond it one tick draws spikes one by one for minutes or
// forever (1e308 Hz hung inside a tick, issue 11, defect 6), and nothing physical needs it.
constexpr double max_spikes_per_tick = 1e6;
// The poisson_source's random stream, per (population, neuron): the purpose number it had when
// core listed it, so seeds keep their results.
constexpr stream_purpose poisson_source_stream{6};

class source_group : public neuron_group {
public:
    void add_current(tick_t, std::span<const std::uint32_t>, double) override {
        throw invalid_parameter(model_, "current stimulus", "-", "a spike source has no membrane to inject current into");
    }
    double peek(tick_t, std::uint32_t, std::size_t) const override {
        throw internal_error(model_ + " has no state variables");
    }

protected:
    explicit source_group(std::string model) : model_(std::move(model)) {}
    std::string model_;
};

class poisson_source_group final : public source_group {
public:
    explicit poisson_source_group(const group_context& ctx) : source_group("poisson_source"), h_(ctx.resolution_ms) {
        const auto& p = ctx.spec.params;
        mean_isi_ms_ = 1000.0 / p.at("rate");
        stop_ms_ = p.at("stop");
        next_ms_.resize(ctx.count);
        rng_.reserve(ctx.count);
        for (std::uint32_t i = 0; i < ctx.count; ++i) {
            rng_.emplace_back(ctx.seed, poisson_source_stream, ctx.population_index, ctx.first + i);
            if (p.at("rate") > 0.0) {
                next_ms_[i] = p.at("start") + rng_[i].exponential(mean_isi_ms_);
                push(i);
            }
        }
    }

    void advance(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) override {
        in.touched.clear();
        while (!heap_.empty() && heap_.top().first <= t) {
            const std::uint32_t i = heap_.top().second;
            heap_.pop();
            spikes.push_back(i);
            next_ms_[i] += rng_[i].exponential(mean_isi_ms_);
            push(i);
        }
    }
    tick_t next_event_tick(tick_t) const override { return heap_.empty() ? never : heap_.top().first; }
    std::size_t memory_bytes() const override {
        return next_ms_.capacity() * sizeof(double) + rng_.capacity() * sizeof(random_stream) +
               heap_.size() * sizeof(std::pair<tick_t, std::uint32_t>);
    }
    void save_state(std::ostream& os) const override {
        state_io::put_vector(os, next_ms_);
        state_io::put_vector(os, rng_);
        lif::save_heap(os, heap_);
    }
    void load_state(std::istream& is) override {
        state_io::get_exact(is, next_ms_, next_ms_.size());
        state_io::get_exact(is, rng_, rng_.size());
        for (const random_stream& g : rng_)  // all zero: every gap 0, advance() would never end
            if (state_io::all_zero(g)) throw io_error("checkpoint: a random stream of a poisson_source is in the all-zero state");
        lif::load_heap(is, heap_, static_cast<std::uint32_t>(next_ms_.size()));
        // Each pending spike is where push() put it, once per neuron: a time far before its
        // tick would make advance() draw spikes for ages in one tick.
        std::vector<std::uint8_t> seen(next_ms_.size(), 0);
        for (const auto& [t, i] : state_io::container_of(heap_)) {
            const double at = next_ms_[i] / h_;
            if (seen[i]++ || !(next_ms_[i] < stop_ms_) || !(std::abs(at) < 4e18) || t != static_cast<tick_t>(std::ceil(at)))
                throw io_error("checkpoint: a pending spike of a poisson_source does not fit its time");
        }
    }

private:
    void push(std::uint32_t i) {
        if (next_ms_[i] < stop_ms_) heap_.emplace(static_cast<tick_t>(std::ceil(next_ms_[i] / h_)), i);
    }
    double h_, mean_isi_ms_ = 0, stop_ms_ = 0;
    std::vector<double> next_ms_;
    std::vector<random_stream> rng_;
    std::priority_queue<std::pair<tick_t, std::uint32_t>, std::vector<std::pair<tick_t, std::uint32_t>>, std::greater<>>
        heap_;
};

class spike_source_group final : public source_group {
public:
    explicit spike_source_group(const group_context& ctx) : source_group("spike_source") {
        for (std::uint32_t i = 0; i < ctx.count; ++i) {
            const std::uint64_t j = ctx.first + i;
            if (j >= ctx.spec.spike_ticks.size()) continue;
            for (const tick_t t : ctx.spec.spike_ticks[j]) events_.emplace_back(t, i);
        }
        std::sort(events_.begin(), events_.end());
    }
    void advance(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) override {
        in.touched.clear();
        while (next_ < events_.size() && events_[next_].first <= t) spikes.push_back(events_[next_++].second);
    }
    tick_t next_event_tick(tick_t) const override { return next_ < events_.size() ? events_[next_].first : never; }
    void save_state(std::ostream& os) const override { state_io::put(os, static_cast<std::uint64_t>(next_)); }
    void load_state(std::istream& is) override {
        std::uint64_t n = 0;
        state_io::get(is, n);
        if (n > events_.size()) throw io_error("checkpoint: spike_source position does not match this network");
        next_ = n;
    }
    std::size_t memory_bytes() const override { return events_.capacity() * sizeof(events_[0]); }

private:
    std::vector<std::pair<tick_t, std::uint32_t>> events_;
    std::size_t next_ = 0;
};

} // namespace

model_info poisson_source_model() {
    model_info m;
    m.name = "poisson_source";
    m.summary = "independent Poisson spike trains, one per neuron";
    m.streams = {{"poisson_source", poisson_source_stream, "spike times, per population and neuron"}};
    m.params = {
        {"rate", dimension::frequency, std::numeric_limits<double>::quiet_NaN(), "firing rate of each neuron"},
        {"start", dimension::time, 0.0, "first time a spike may occur"},
        {"stop", dimension::time, std::numeric_limits<double>::infinity(), "no spike at or after this time"},
    };
    m.validate = [](const param_map& p) {
        require_non_negative("poisson_source", p, "rate", dimension::frequency);
        require_non_negative("poisson_source", p, "start", dimension::time);
        const double start = p.at("start"), stop = p.at("stop");
        if (std::isnan(stop) || stop < start)
            throw invalid_parameter("poisson_source", "stop", format_quantity(stop, dimension::time), "must be >= start");
    };
    m.validate_at_resolution = [](const param_map& p, double resolution_ms) {
        const double rate = p.at("rate");
        if (!(resolution_ms > 0)) return;  // refused by the simulation's own check
        if (!std::isfinite(rate) || rate * resolution_ms * 1e-3 > max_spikes_per_tick)
            throw invalid_parameter("poisson_source", "rate", format_quantity(rate, dimension::frequency),
                                    "must be <= " + format_quantity(max_spikes_per_tick / (resolution_ms * 1e-3), dimension::frequency) +
                                        ": at most 1e6 spikes per neuron and tick of " +
                                        format_quantity(resolution_ms, dimension::time));
    };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        return std::make_unique<poisson_source_group>(ctx);
    };
    // For the resource estimate: next time 8, stream 32, heap entry 16 bytes per neuron; the
    // expected spikes are rate x the part of [start, stop) within the run.
    m.state_bytes = [](const population_spec& pop) { return 56.0 * static_cast<double>(pop.size); };
    m.spikes = [](const population_spec& pop, double duration_ms, double) {
        const double on_ms = std::max(0.0, std::min(duration_ms, pop.params.at("stop")) - pop.params.at("start"));
        return spike_bound{pop.params.at("rate") * on_ms * 1e-3, true};
    };
    return m;
}

model_info spike_source_model() {
    model_info m;
    m.name = "spike_source";
    m.summary = "neurons that spike at listed times (spike_times)";
    m.spike_times = true;  // one neuron per spike-time list; the size is not scaled
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        return std::make_unique<spike_source_group>(ctx);
    };
    // For the resource estimate: a (tick, neuron) pair of 16 bytes per listed spike; every listed
    // spike is emitted (those after the run's end are counted too: a bound).
    const auto listed = [](const population_spec& pop) {
        double n = 0;
        for (const auto& list : pop.spike_ticks) n += static_cast<double>(list.size());
        return n;
    };
    m.state_bytes = [listed](const population_spec& pop) { return 16.0 * listed(pop); };
    m.spikes = [listed](const population_spec& pop, double, double) {
        return spike_bound{pop.size ? listed(pop) / static_cast<double>(pop.size) : 0.0, true};
    };
    return m;
}

} // namespace memspike::sources
