// SPDX-License-Identifier: MIT
// The in-memory recorder and the run driver: a run recorded in memory holds exactly what the
// HDF5 file of the same run holds (read back with the HDF5 C API, so that the comparison does not
// go through our own reader); recording across runs continues as one run would; the driver
// closes the file complete or not, and prices the run into /energy/models.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/hdf5_layout.hpp"
#include "memspike/core/memory_recorder.hpp"
#include "memspike/core/run_driver.hpp"
#include "support.hpp"

using namespace memspike;

namespace {

// A small Brunel network with everything a recorder receives: spikes of both populations, a
// trace, plastic weights snapshotted every 5 ms, and ledger bins of 7 ms (not dividing the run).
scenario recorded_network(double duration_ms = 60.0) {
    auto sc = test::brunel(400, 40, 5.0, 2.0, duration_ms, 11, 0.2);
    sc.projections[0].plasticity.rule = "stdp";
    sc.projections[0].plasticity.params = {{"lambda", 0.01}, {"w_max", 2.0}};
    sc.recording.weights.push_back({sc.projections[0].name, 5.0, {}});
    sc.recording.traces.push_back({"E", {"v"}, {0, 3, 17}, 0.5, {}});
    sc.recording.energy_bin_ms = 7.0;
    return sc;
}

std::string temp_file(const std::string& tag) {
    return (std::filesystem::temp_directory_path() / ("memspike_memrec_" + tag + "_" + std::to_string(::getpid()) + ".h5"))
        .string();
}

// Minimal read side of the HDF5 C API.
struct h5file {
    hid_t id;
    explicit h5file(const std::string& path) : id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) { REQUIRE(id >= 0); }
    ~h5file() { H5Fclose(id); }
    h5file(const h5file&) = delete;
    h5file& operator=(const h5file&) = delete;
};

template <class T>
std::vector<T> read_dataset(hid_t file, const std::string& path, hid_t mem_type) {
    INFO("dataset " << path);
    const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
    REQUIRE(d >= 0);
    const hid_t space = H5Dget_space(d);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    std::vector<T> out(static_cast<std::size_t>(n));
    if (n > 0) REQUIRE(H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
    H5Sclose(space);
    H5Dclose(d);
    return out;
}

template <class T>
T read_attr(hid_t file, const std::string& object, const std::string& name, hid_t mem_type) {
    INFO("attribute " << object << " " << name);
    const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(a >= 0);
    T v{};
    REQUIRE(H5Aread(a, mem_type, &v) >= 0);
    H5Aclose(a);
    return v;
}

bool exists(hid_t file, const std::string& path) { return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0; }

namespace L = hdf5_layout;

/// Everything `d` holds equals what the file at `path` holds.
void check_equal_to_file(const run_data& d, const std::string& path) {
    const h5file f(path);
    CHECK(d.complete == (read_attr<std::int8_t>(f.id, "/", L::attr_complete, H5T_NATIVE_INT8) != 0));
    CHECK(d.ticks_simulated == read_attr<std::int64_t>(f.id, "/", L::attr_ticks_simulated, H5T_NATIVE_INT64));
    REQUIRE(d.spikes.size() == 2);
    for (const auto& s : d.spikes) {
        INFO("population " << s.name);
        CHECK(s.ids == read_dataset<std::uint32_t>(f.id, L::path(L::group_spikes, s.name, L::dataset_ids), H5T_NATIVE_UINT32));
        CHECK(s.ticks == read_dataset<tick_t>(f.id, L::path(L::group_spikes, s.name, L::dataset_ticks), H5T_NATIVE_INT64));
        CHECK(s.size == read_attr<std::uint64_t>(f.id, L::path(L::group_spikes, s.name), L::attr_size, H5T_NATIVE_UINT64));
        CHECK(!s.ids.empty());
    }
    REQUIRE(d.traces.size() == 1);
    const auto& t = d.traces[0];
    const std::string tp = L::path(L::group_traces, t.population, t.variable);
    CHECK(t.neurons == read_dataset<std::uint64_t>(f.id, tp + "/" + L::dataset_neurons, H5T_NATIVE_UINT64));
    CHECK(t.ticks == read_dataset<tick_t>(f.id, tp + "/" + L::dataset_ticks, H5T_NATIVE_INT64));
    CHECK(t.values == read_dataset<double>(f.id, tp + "/" + L::dataset_values, H5T_NATIVE_DOUBLE));
    CHECK(t.interval_ticks == read_attr<std::int64_t>(f.id, tp, L::attr_interval_ticks, H5T_NATIVE_INT64));
    REQUIRE(d.weights.size() == 1);
    const auto& w = d.weights[0];
    const std::string wp = L::path(L::group_weights, w.projection);
    CHECK(w.sources == read_dataset<std::uint32_t>(f.id, wp + "/" + L::dataset_sources, H5T_NATIVE_UINT32));
    CHECK(w.targets == read_dataset<std::uint32_t>(f.id, wp + "/" + L::dataset_targets, H5T_NATIVE_UINT32));
    CHECK(w.delays == read_dataset<std::int32_t>(f.id, wp + "/" + L::dataset_delays, H5T_NATIVE_INT32));
    CHECK(w.ticks == read_dataset<tick_t>(f.id, wp + "/" + L::dataset_ticks, H5T_NATIVE_INT64));
    CHECK(w.values == read_dataset<float>(f.id, wp + "/" + L::dataset_values, H5T_NATIVE_FLOAT));
    CHECK(w.weight_updates == read_attr<std::uint64_t>(f.id, wp, L::attr_weight_updates, H5T_NATIVE_UINT64));
    CHECK(w.hits_max == read_attr<std::uint64_t>(f.id, wp, L::attr_hits_max, H5T_NATIVE_UINT64));
    CHECK(w.weight_updates > 0);
    REQUIRE(d.energy.declared);
    const std::string ep = L::path(L::group_energy);
    CHECK(d.energy.ticks == read_dataset<tick_t>(f.id, ep + "/" + L::dataset_ticks, H5T_NATIVE_INT64));
    CHECK(d.energy.counts == read_dataset<std::uint64_t>(f.id, ep + "/" + L::dataset_counts, H5T_NATIVE_UINT64));
    CHECK(d.energy.dense_weights == read_attr<std::uint64_t>(f.id, ep, L::attr_dense_weights, H5T_NATIVE_UINT64));
    CHECK(d.energy.bin_ticks == read_attr<std::int64_t>(f.id, ep, L::attr_bin_ticks, H5T_NATIVE_INT64));
}

} // namespace

TEST_CASE("memory_recorder: a run recorded in memory equals the HDF5 file of the same run", "[unit]") {
    const auto sc = recorded_network();
    const std::string path = temp_file("same");
    // Two independent simulations of the same scenario: one into memory, one into a file.
    simulation in_memory(sc, builtin_models(), 2);
    memory_recorder mem(run_info::of(sc, 2, "test"));
    in_memory.attach(mem);
    const bool complete = in_memory.run(sc.duration_ticks());
    mem.close(complete, 0.0, in_memory.now());

    simulation to_file(sc, builtin_models(), 1);
    drive_options opt;
    opt.output = path;
    opt.info = run_info::of(sc, 1, "test");
    const drive_result r = drive_run(to_file, builtin_models(), sc.duration_ticks(), opt);
    CHECK(r.complete);
    CHECK(r.ticks == sc.duration_ticks());
    check_equal_to_file(mem.data(), path);
    CHECK(mem.data().energy.ticks.size() == 9);  // 600 ticks in 70-tick bins, the last one partial
    std::filesystem::remove(path);
}

TEST_CASE("drive_run: recording in memory across runs continues as one run would", "[unit]") {
    // Split at tick 350: a multiple of the 5 ms weight interval and of the 7 ms ledger bin, so a
    // run in two pieces must record exactly what one run records: no repeated snapshot at the
    // seam, no bin split in two, traces and spikes continuing.
    const auto sc = recorded_network();
    const std::string path = temp_file("pieces");
    simulation pieces(sc, builtin_models(), 1);
    memory_recorder mem(run_info::of(sc, 1, "test"));
    pieces.attach(mem);  // stays attached across the runs
    drive_options opt;
    opt.attached = &mem;
    CHECK(drive_run(pieces, builtin_models(), 350, opt).complete);
    CHECK(drive_run(pieces, builtin_models(), sc.duration_ticks() - 350, opt).complete);
    CHECK(mem.data().ticks_simulated == sc.duration_ticks());
    // A zero-length run with an output file records into the recorder through the file's tee and
    // attaches it again: the repeated weight snapshot and the empty ledger bin at the seam must
    // merge into what is there instead of adding rows.
    const std::string zero = temp_file("zero");
    opt.output = zero;
    opt.info = run_info::of(sc, 1, "test");
    CHECK(drive_run(pieces, builtin_models(), 0, opt).complete);
    std::filesystem::remove(zero);

    simulation whole(sc, builtin_models(), 1);
    opt.attached = nullptr;
    opt.output = path;
    opt.info = run_info::of(sc, 1, "test");
    drive_run(whole, builtin_models(), sc.duration_ticks(), opt);
    check_equal_to_file(mem.data(), path);
    std::filesystem::remove(path);
}

TEST_CASE("drive_run: the file is closed complete = 0 when the run is stopped, and priced when a ledger is kept", "[unit]") {
    const auto sc = recorded_network();
    const std::string path = temp_file("stop");
    simulation sim(sc, builtin_models(), 1);
    memory_recorder mem;
    const std::atomic<bool> stop{true};  // asked before the first tick: nothing is simulated
    drive_options opt;
    opt.output = path;
    opt.info = run_info::of(sc, 1, "test");
    opt.attached = &mem;
    opt.stop = &stop;
    const drive_result r = drive_run(sim, builtin_models(), sc.duration_ticks(), opt);
    CHECK_FALSE(r.complete);
    CHECK(r.ticks == 0);
    CHECK_FALSE(mem.data().complete);
    {
        const h5file f(path);
        CHECK(read_attr<std::int8_t>(f.id, "/", L::attr_complete, H5T_NATIVE_INT8) == 0);
    }

    // A finished run: every shipped model that applies to a digital run has its totals in the
    // file and in memory, equal to price_energy of the run's counts.
    simulation done(sc, builtin_models(), 1);
    memory_recorder priced;
    opt.stop = nullptr;
    opt.attached = &priced;
    opt.overwrite = true;  // the stopped run's file
    const drive_result ok = drive_run(done, builtin_models(), sc.duration_ticks(), opt);
    REQUIRE(ok.complete);
    REQUIRE_FALSE(priced.data().energy.models.empty());
    const h5file f(path);
    for (const auto& total : priced.data().energy.models) {
        INFO("energy model " << total.model);
        const auto p = price_energy(find_energy_model(total.model, builtin_registry()), sc.backend, builtin_models(), done.events(), done.dense(),
                                    done.now(), sc.simulation.resolution_ms);
        REQUIRE(p.applies());
        CHECK(total.total_j == Approx(p.estimate.total_pj * 1e-12));
        CHECK(total.total_j ==
              read_attr<double>(f.id, L::path(L::group_energy, L::group_energy_models, total.model), L::attr_total_j,
                                H5T_NATIVE_DOUBLE));
    }
    // Models that price another backend's counts are reported, not written.
    for (const auto& [model, why] : ok.not_applied) {
        INFO(model << ": " << why);
        CHECK(!exists(f.id, L::path(L::group_energy, L::group_energy_models, model)));
        CHECK(!why.empty());
    }
    CHECK(ok.not_applied.size() + priced.data().energy.models.size() == builtin_energy_models().size());
    std::filesystem::remove(path);
}

TEST_CASE("drive_run: a recorder that throws closes the file complete = 0 and leaves the caller's recorder attached",
          "[unit]") {
    const auto sc = recorded_network(10.0);
    // A recorder that fails on the first spike, like a full disk would.
    struct failing : recorder {
        std::size_t add_spike_population(const std::string&, std::uint64_t) override { return 0; }
        void append_spikes(std::size_t, std::span<const std::uint32_t>, std::span<const tick_t>) override {
            throw std::runtime_error("disk full");
        }
        std::size_t add_trace(const std::string&, const std::string&, const std::string&, std::span<const std::uint64_t>,
                              tick_t) override {
            ++declarations;
            return 0;
        }
        void append_trace(std::size_t, tick_t, std::span<const double>) override {}
        void flush() override {}
        void close(bool complete, double, tick_t) override { closed_complete = complete ? 1 : 0; }
        int closed_complete = -1;
        int declarations = 0;
    } bad;
    const std::string path = temp_file("throw");
    simulation sim(sc, builtin_models(), 1);
    sim.attach(bad);
    drive_options opt;
    opt.attached = &bad;
    opt.output = path;
    opt.info = run_info::of(sc, 1, "test");
    CHECK_THROWS_WITH(drive_run(sim, builtin_models(), sc.duration_ticks(), opt), "disk full");
    CHECK(bad.closed_complete == 0);
    CHECK(bad.declarations == 3);  // attached by the test, in the tee, and again after the run
    {
        const h5file f(path);
        CHECK(read_attr<std::int8_t>(f.id, "/", L::attr_complete, H5T_NATIVE_INT8) == 0);
        CHECK(H5Aexists(f.id, L::attr_wall_time_s) > 0);  // closed, not abandoned
    }
    std::filesystem::remove(path);
}
