// SPDX-License-Identifier: MIT
#include "memspike/core/run_driver.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "memspike/core/backend.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/spec.hpp"
#include "chip/chip_capture.hpp"
#include "tee_recorder.hpp"

namespace memspike {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

/// Attaches the run's file (alone or beside the caller's recorder) for one run, and gives the
/// simulation back its previous attachment (`restore`, or none) however the run ends: the file
/// dies with the run. Re-attaching resets the ledger's bin origin, so the caller's recorder is
/// only re-attached when a file run took its place.
struct file_attachment {
    file_attachment(simulation& sim, recorder* rec, recorder* restore) : sim_(sim), restore_(restore), active_(rec != nullptr) {
        if (!active_) return;
        try {
            sim.attach(*rec);
        } catch (...) {  // e.g. the file refused a declaration: the caller's recorder goes on
            give_back();
            throw;
        }
    }
    ~file_attachment() {
        if (active_) give_back();
    }
    file_attachment(const file_attachment&) = delete;
    file_attachment& operator=(const file_attachment&) = delete;

private:
    void give_back() noexcept {
        if (!restore_) {
            sim_.detach();
            return;
        }
        try {
            sim_.attach(*restore_);
        } catch (...) {  // declaring again does not fail for the in-memory recorder; never throw here
            sim_.detach();
        }
    }

    simulation& sim_;
    recorder* restore_;
    bool active_;
};

/// What the ranks other than 0 of a run over several ranks record into (drive_options::
/// discard_output): rank 0 receives their data through the simulation's collectives.
class discard_recorder final : public recorder {
public:
    std::size_t add_spike_population(const std::string&, std::uint64_t) override { return 0; }
    void append_spikes(std::size_t, std::span<const std::uint32_t>, std::span<const tick_t>) override {}
    std::size_t add_trace(const std::string&, const std::string&, const std::string&, std::span<const std::uint64_t>,
                          tick_t) override {
        return 0;
    }
    void append_trace(std::size_t, tick_t, std::span<const double>) override {}
    void flush() override {}
    void close(bool, double, tick_t) override {}
};

/// Prices the counts of this run (the difference since `before`) with every shipped model that
/// applies, into `rec`; returns the models left out.
std::vector<std::pair<std::string, std::string>> price_run(const simulation& sim, const model_registry& models,
                                                           const event_counts& before, tick_t ticks, recorder& rec) {
    event_counts counts = sim.events();
    for (std::size_t k = 0; k < counts.size(); ++k) counts.values()[k] -= before.values()[k];
    const dense_profile profile = sim.dense();
    std::vector<std::pair<std::string, std::string>> not_applied;
    for (const auto& name : builtin_energy_models()) {
        energy_model model;
        try {
            model = find_energy_model(name, models);
        } catch (const backend_unavailable& e) {  // prices a backend `models` lacks: no run of it can apply
            not_applied.emplace_back(name, "it prices the " + e.backend + " backend, which this registry does not have");
            continue;
        }
        // e.g. reram_crossbar on a digital run, or at another read voltage than it was derived at
        const priced_energy p = price_energy(model, sim.spec().backend, models, counts, profile, ticks, sim.resolution_ms());
        if (!p.applies()) {
            not_applied.emplace_back(model.name, p.mismatches.front());
            continue;
        }
        const energy_estimate& e = p.estimate;
        rec.add_energy_total(model.name, model.text, e.total_pj * 1e-12, e.compute_pj * 1e-12, e.memory_pj * 1e-12,
                             e.idle_pj * 1e-12);
    }
    return not_applied;
}

} // namespace

priced_energy price_energy(const energy_model& model, const backend_spec& backend, const model_registry& models,
                           const event_counts& counts, const dense_profile& profile, tick_t ticks, double resolution_ms) {
    priced_energy out;
    out.mismatches = energy_model_mismatches(model, backend, models.find_backend(backend.kind));
    if (out.applies()) out.estimate = estimate_energy(model, counts, profile, ticks, resolution_ms);
    return out;
}

drive_result drive_run(simulation& sim, const model_registry& models, tick_t ticks, const drive_options& opt) {
    std::unique_ptr<recorder> file;
    if (!opt.output.empty()) file = recorder::open_hdf5(opt.output, opt.info, opt.overwrite);
    else if (opt.discard_output) file = std::make_unique<discard_recorder>();
    std::unique_ptr<tee_recorder> both;
    recorder* rec = file ? file.get() : opt.attached;
    if (file && opt.attached) {
        both = std::make_unique<tee_recorder>(*opt.attached, *file);
        rec = both.get();
    }
    // Closes what recorded the run; after a failure the first error is the one to report.
    auto close_all = [&](bool complete, double wall_s, bool quietly) {
        for (recorder* r : {opt.attached, file.get()}) {
            if (!r) continue;
            if (!quietly) {
                r->close(complete, wall_s, sim.now());
                continue;
            }
            try {
                r->close(false, wall_s, sim.now());
            } catch (...) {
            }
        }
    };

    // A file with a ledger also gets the run priced on the shipped chips (/energy/chips): the
    // capture sees what the file records, so the figures are those `report --chips` reads back.
    std::unique_ptr<chip_capture> capture;
    std::unique_ptr<tee_recorder> with_capture;
    if (file && opt.price_energy && sim.spec().recording.energy_bin_ms > 0) {
        capture = std::make_unique<chip_capture>(sim.now());
        with_capture = std::make_unique<tee_recorder>(*rec, *capture);
        rec = with_capture.get();
    }

    drive_result out;
    const tick_t begin = sim.now();
    const event_counts before = sim.events();
    const auto t0 = clock_type::now();
    try {
        const file_attachment attached(sim, file ? rec : nullptr, opt.attached);
        run_options ro;
        ro.stop = opt.stop;
        ro.progress = opt.progress;
        ro.keep_spikes = opt.keep_spikes;
        out.complete = sim.run(ticks, ro);
    } catch (...) {
        close_all(false, seconds_since(t0), true);
        throw;
    }
    out.wall_s = seconds_since(t0);
    out.ticks = sim.now() - begin;
    try {
        if (rec && opt.price_energy && sim.spec().recording.energy_bin_ms > 0)
            out.not_applied = price_run(sim, models, before, out.ticks, *rec);
        if (capture) store_chip_totals(sim, models, *capture, *file);
    } catch (...) {
        close_all(false, out.wall_s, true);
        throw;
    }
    close_all(out.complete, out.wall_s, false);
    return out;
}

std::vector<run_data> run_sweep(std::span<const scenario* const> specs, const model_registry& models, unsigned threads,
                                std::span<const std::string> command_lines, const std::function<bool()>& poll) {
    const std::size_t n = specs.size();
    if (command_lines.size() != n)
        throw invalid_parameter("sweep", "command_lines", std::to_string(command_lines.size()),
                                "must have one entry per point (" + std::to_string(n) + ")");
    std::vector<run_data> out(n);
    std::atomic<bool> stop{false};
    std::exception_ptr failure, poll_failure;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    // The points run on a worker thread so that this one stays free to poll (Python's Ctrl-C
    // can only be seen from the thread that holds the interpreter).
    std::thread worker([&] {
        try {
            run_points(n, threads, [&](std::size_t i) {
                const scenario& sc = *specs[i];
                simulation sim(sc, models, 1);
                memory_recorder rec(run_info::of(sc, 1, command_lines[i]));
                sim.attach(rec);
                drive_options opt;
                opt.attached = &rec;
                opt.stop = &stop;
                opt.keep_spikes = false;
                opt.price_energy = false;
                drive_run(sim, models, sc.duration_ticks(), opt);
                out[i] = rec.take();
            });
        } catch (...) {
            failure = std::current_exception();
        }
        {
            const std::lock_guard<std::mutex> lock(mu);
            done = true;
        }
        cv.notify_all();
    });
    {
        std::unique_lock<std::mutex> lock(mu);
        while (!done) {
            cv.wait_for(lock, std::chrono::milliseconds(50));
            if (done || !poll) continue;
            lock.unlock();
            try {
                if (!stop.load() && poll()) stop.store(true);
            } catch (...) {  // the worker must still be joined: stop it, report afterwards
                if (!poll_failure) poll_failure = std::current_exception();
                stop.store(true);
            }
            lock.lock();
        }
    }
    worker.join();
    if (poll_failure) std::rethrow_exception(poll_failure);
    if (failure) std::rethrow_exception(failure);
    return out;
}

} // namespace memspike
