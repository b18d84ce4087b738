// SPDX-License-Identifier: MIT
// Chip pricing at the end of a run (chip_capture.hpp).
#include "chip_capture.hpp"

#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/core/spec.hpp"

namespace memspike {

std::size_t chip_capture::add_spike_population(const std::string& name, std::uint64_t) {
    populations_.push_back(name);
    spikes_.push_back(0);
    return populations_.size() - 1;
}

void chip_capture::append_spikes(std::size_t population, std::span<const std::uint32_t> ids, std::span<const tick_t>) {
    if (population < spikes_.size()) spikes_[population] += ids.size();
}

void chip_capture::add_energy(std::span<const std::string_view> categories, std::uint64_t, std::uint64_t, std::uint64_t, tick_t) {
    categories_.assign(categories.begin(), categories.end());
}

void chip_capture::append_energy(tick_t end, std::span<const std::uint64_t> counts) {
    event_counts c(categories_);
    for (std::size_t k = 0; k < counts.size() && k < c.size(); ++k) c.values()[k] = counts[k];
    bins_.push_back(std::move(c));
    ends_.push_back(end);
}

chip_run_counts chip_capture::counts(const scenario& sc, double resolution_ms) const {
    chip_run_counts run;
    run.resolution_ms = resolution_ms;
    run.bins = bins_;
    for (std::size_t b = 0; b < ends_.size(); ++b) run.bin_ticks.push_back(ends_[b] - (b == 0 ? begin_ : ends_[b - 1]));
    // As read_chip_run_counts: spikes of the populations the file records, -1 for the others.
    run.population_spikes.assign(sc.populations.size(), -1.0);
    for (std::size_t i = 0; i < populations_.size(); ++i)
        for (std::size_t p = 0; p < sc.populations.size(); ++p)
            if (sc.populations[p].name == populations_[i]) run.population_spikes[p] = static_cast<double>(spikes_[i]);
    return run;
}

void store_chip_totals(const simulation& sim, const model_registry& models, const chip_capture& capture, recorder& out) {
    const scenario& sc = sim.spec();
    const chip_run_report r = price_counts_on_chips(sc, sc.backend, capture.counts(sc, sim.resolution_ms()), builtin_chip_models(), models);
    for (const auto& e : r.estimates) {
        const auto figures = chip_figures(e);
        out.add_chip_total(e.chip, e.chip_text, figures);
    }
    std::string not_priced;
    for (const auto& x : r.not_applicable) not_priced += x.chip + ": not applicable: " + x.reason + "\n";
    for (const auto& x : r.does_not_fit) not_priced += x.chip + ": does not fit: " + x.reason + "\n";
    out.set_chips_not_priced(not_priced);
}

} // namespace memspike
