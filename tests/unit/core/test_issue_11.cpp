// SPDX-License-Identifier: MIT
// Regression tests of issue 11 (hardening) for the output file, the result reader, spike sources,
// trace timestamps and error messages. Each TEST_CASE names the defect it pins; the CLI's side
// (exit codes, signals, a full disk) is in tests/cli/test_exit_codes.sh and test_faults.sh.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/memory_recorder.hpp"
#include "memspike/core/recorder.hpp"
#include "memspike/core/run_driver.hpp"
#include "memspike/core/scenario.hpp"
#include "support.hpp"

using namespace memspike;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    explicit temp_dir(const std::string& tag)
        : path(fs::temp_directory_path() / ("memspike_issue11_" + tag + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read_text(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool has_partial(const temp_dir& dir) {
    for (const auto& e : fs::directory_iterator(dir.path))
        if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
    return false;
}

/// A small recorded run (spikes of 100 neurons, a ledger) written to `path`.
void write_run(const std::string& path) {
    auto sc = test::brunel(100, 10, 5.0, 2.0, 20.0, 3, 0.2);
    sc.recording.energy_bin_ms = 5.0;
    simulation sim(sc, builtin_models(), 1);
    drive_options opt;
    opt.output = path;
    opt.info = run_info::of(sc, 1, "test");
    REQUIRE(drive_run(sim, builtin_models(), sc.duration_ticks(), opt).complete);
}

/// Opens `path` read-write and lets `edit` damage it.
template <class F>
void edit_file(const std::string& path, F edit) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    edit(f);
    REQUIRE(H5Fclose(f) >= 0);
}

void set_double_attr(hid_t obj, const char* name, double v) {
    const hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    REQUIRE(a >= 0);
    REQUIRE(H5Awrite(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
}

} // namespace

TEST_CASE("issue 11, defect 10: an existing output is refused unless overwrite, and replaced only at close", "[regression]") {
    temp_dir dir("overwrite");
    const std::string out = dir.file("out.h5");
    { std::ofstream(out) << "previous"; }
    REQUIRE_THROWS_WITH(recorder::open_hdf5(out, run_info{}),
                        Contains("output file '" + out + "' already exists") && Contains("--overwrite") &&
                            Contains("overwrite=True"));
    CHECK(read_text(out) == "previous");
    {
        auto rec = recorder::open_hdf5(out, run_info{}, true);
        rec->add_spike_population("p", 3);
        rec->flush();
        CHECK(read_text(out) == "previous");  // still the old file while the new one is written
        CHECK(has_partial(dir));
        rec->close(true, 0.0, 0);
    }
    CHECK(read_text(out) != "previous");
    CHECK_FALSE(has_partial(dir));
    const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0);
    if (f >= 0) H5Fclose(f);
}

TEST_CASE("issue 11, defect 10: the scenario, a directory and a device are never an output", "[regression]") {
    temp_dir dir("never");
    const std::string scenario_file = dir.file("s.toml");
    { std::ofstream(scenario_file) << "[simulation]\n"; }
    for (const bool overwrite : {false, true}) {
        REQUIRE_THROWS_WITH(recorder::check_output_path(scenario_file, scenario_file, overwrite), Contains("is the scenario file"));
        REQUIRE_THROWS_WITH(recorder::check_output_path(dir.path.string(), "", overwrite), Contains("is a directory"));
        REQUIRE_THROWS_WITH(recorder::check_output_path("/dev/null", "", overwrite), Contains("is a device, pipe or socket"));
        REQUIRE_THROWS_WITH(recorder::check_output_path(dir.file("no/such/x.h5"), "", overwrite),
                            Contains("directory '" + dir.file("no/such") + "' does not exist"));
    }
    CHECK(read_text(scenario_file) == "[simulation]\n");
}

TEST_CASE("issue 11, defect 11: a killed writer leaves the previous output and a readable partial file", "[regression]") {
    temp_dir dir("killed");
    const std::string out = dir.file("out.h5");
    { std::ofstream(out) << "previous"; }
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        try {
            auto rec = recorder::open_hdf5(out, run_info{}, true);
            const auto p = rec->add_spike_population("exc", 10);
            rec->append_spikes(p, std::vector<std::uint32_t>{1, 2}, std::vector<tick_t>{3, 4});
            rec->flush();
            ::_exit(0);  // no close, no destructor, no atexit: as SIGKILL
        } catch (...) {
            ::_exit(3);
        }
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    CHECK(read_text(out) == "previous");
    const std::string partial = out + ".partial-" + std::to_string(child);
    REQUIRE(fs::exists(partial));
    const hid_t f = H5Fopen(partial.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    CHECK(H5Lexists(f, "/spikes/exc/ids", H5P_DEFAULT) > 0);
    H5Fclose(f);
}

TEST_CASE("issue 11, defect 13: the result reader refuses impossible values, naming file and dataset", "[regression]") {
    temp_dir dir("reader");
    const std::string good = dir.file("good.h5");
    write_run(good);
    REQUIRE_NOTHROW(read_energy_ledger(good));
    int n = 0;
    auto damaged = [&](auto edit) {
        const std::string path = dir.file("bad" + std::to_string(n++) + ".h5");
        fs::copy_file(good, path);
        edit_file(path, edit);
        return path;
    };
    for (const double res : {0.0, -0.1, std::nan("")}) {
        const std::string bad = damaged([&](hid_t f) { set_double_attr(f, "resolution_ms", res); });
        REQUIRE_THROWS_WITH(read_energy_ledger(bad), Contains("HDF5 file '" + bad + "': root attribute resolution_ms = ") &&
                                                         Contains("must be a finite time > 0 ms"));
    }
    const std::string inference = damaged([](hid_t f) {
        const hid_t g = H5Gopen2(f, "energy", H5P_DEFAULT);
        const double v = -25.0;
        const hid_t space = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(g, "inference_ms", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
        H5Aclose(a);
        H5Sclose(space);
        H5Gclose(g);
    });
    REQUIRE_THROWS_WITH(read_energy_ledger(inference), Contains("/energy attribute inference_ms = -25 is invalid"));
    const std::string id = damaged([](hid_t f) {
        const hid_t d = H5Dopen2(f, "spikes/E/ids", H5P_DEFAULT);
        const hsize_t start = 0, count = 1;
        const hid_t fs_ = H5Dget_space(d);
        H5Sselect_hyperslab(fs_, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
        const hid_t ms = H5Screate_simple(1, &count, nullptr);
        const std::uint32_t v = 1000;  // the population has 100 neurons
        REQUIRE(H5Dwrite(d, H5T_NATIVE_UINT32, ms, fs_, H5P_DEFAULT, &v) >= 0);
        H5Sclose(ms);
        H5Sclose(fs_);
        H5Dclose(d);
    });
    REQUIRE_THROWS_WITH(read_energy_ledger(id), Contains("/spikes/E/ids[0] = 1000 is invalid (must be < 100"));
    const std::string lengths = damaged([](hid_t f) {
        const hid_t d = H5Dopen2(f, "spikes/E/ticks", H5P_DEFAULT);
        const hid_t s = H5Dget_space(d);
        hsize_t len = 0;
        H5Sget_simple_extent_dims(s, &len, nullptr);
        const hsize_t more = len + 7;
        REQUIRE(H5Dset_extent(d, &more) >= 0);
        H5Sclose(s);
        H5Dclose(d);
    });
    REQUIRE_THROWS_WITH(read_energy_ledger(lengths), Contains("/spikes/E/ids length = ") &&
                                                         Contains("must equal the length of /spikes/E/ticks"));
}

TEST_CASE("issue 11, defect 16: a trace sample labelled tick k is the state at k * resolution, after tick k", "[regression]") {
    // No input: V relaxes from V0 = -65 mV to E_L = -70 mV with tau_m = 10 ms. The sample at tick
    // 0 must be V0 itself (it was one tick of relaxation before), and the sample at tick k the
    // closed form at t = k * 0.1 ms, for a lazily advanced neuron (lif_delta, lif_exp at rest)
    // and for one stepped every tick (lif_exp with an initial synaptic current).
    const param_map membrane{{"tau_m", 10.0}, {"c_m", 250.0}, {"e_l", -70.0}, {"v_th", -50.0}, {"v_reset", -70.0}, {"t_ref", 2.0}};
    struct model_case {
        const char* model;
        double i0_pa;  // initial i_ex (lif_exp): makes the neuron active from tick 0
    };
    for (const model_case mc : {model_case{"lif_delta", 0.0}, model_case{"lif_exp", 0.0}, model_case{"lif_exp", 100.0}}) {
        INFO(mc.model << " with i_ex(0) = " << mc.i0_pa << " pA");
        auto sc = test::make_scenario(5.0, 0.1);
        auto params = membrane;
        if (std::string(mc.model) == "lif_exp") params["tau_syn_ex"] = 2.0;
        auto& pop = test::add_population(sc, "n", mc.model, 1, params);
        distribution v0;
        v0.value = -65.0;
        pop.init["v"] = v0;
        if (mc.i0_pa != 0.0) {
            distribution i0;
            i0.value = mc.i0_pa;
            pop.init["i_ex"] = i0;
        }
        sc.recording.traces.push_back({"n", {"v"}, {0}, 1.0, {}});
        simulation sim(sc, builtin_models(), 1);
        memory_recorder mem;
        sim.attach(mem);
        sim.run(sc.duration_ticks());
        const auto& t = mem.data().traces.at(0);
        REQUIRE(t.ticks == std::vector<tick_t>{0, 10, 20, 30, 40});
        CHECK(t.values[0] == -65.0);
        // With a current I0 e^{-t/tau_s}: V = E_L + A e^{-t/tau_s} + (V0 - E_L - A) e^{-t/tau_m},
        // A = I0 tau_m tau_s / (C (tau_s - tau_m)).
        const double a = mc.i0_pa * 10.0 * 2.0 / (250.0 * (2.0 - 10.0));
        for (std::size_t k = 1; k < t.ticks.size(); ++k) {
            const double ms = static_cast<double>(t.ticks[k]) * 0.1;
            const double want = -70.0 + a * std::exp(-ms / 2.0) + (5.0 - a) * std::exp(-ms / 10.0);
            INFO("sample at tick " << t.ticks[k]);
            CHECK(t.values[k] == Approx(want).epsilon(1e-9));
        }
    }
}

TEST_CASE("issue 11, defect 6: a poisson_source whose rate gives more than 1e6 spikes per tick is refused", "[regression]") {
    for (const double rate : {1e308, 2e10}) {
        auto sc = test::make_scenario(1.0, 0.1);
        test::add_population(sc, "src", "poisson_source", 1, {{"rate", rate}});
        REQUIRE_THROWS_WITH(validate(sc, builtin_models()),
                            Contains("poisson_source: rate = ") && Contains("must be <= 1e+10 Hz: at most 1e6 spikes per neuron and tick of 0.1 ms"));
    }
    auto inf = test::make_scenario(1.0, 0.1);
    test::add_population(inf, "src", "poisson_source", 1, {{"rate", std::numeric_limits<double>::infinity()}});
    REQUIRE_THROWS_WITH(validate(inf, builtin_models()), Contains("rate = inf Hz is invalid (must be finite"));
    auto ok = test::make_scenario(1.0, 0.1);
    test::add_population(ok, "src", "poisson_source", 1, {{"rate", 1e10}});
    CHECK_NOTHROW(validate(ok, builtin_models()));
}

TEST_CASE("issue 11, defect 14: echoed keys and values are cut to 80 characters with their length", "[regression]") {
    const std::string long_key(1'000'000, 'k');
    try {
        fail_at(source_location{"s.toml", 3, 1, long_key}, "unknown key '" + long_key + "' (accepted: a, b)");
        FAIL("fail_at returned");
    } catch (const scenario_error& e) {
        const std::string msg = static_cast<const std::exception&>(e).what();  // `what` is also a member
        CHECK(msg.size() < 400);
        CHECK_THAT(msg, Contains(std::string(80, 'k') + "... (1000000 characters)"));
        CHECK_THAT(msg, Contains("(accepted: a, b)"));  // prose and lists stay whole
    }
    try {  // a --set of a huge key with a huge value: the "file" names the key, the value is in "..."
        fail_at(source_location{"--set " + long_key, 0, 0, long_key}, "expected a time, got \"" + long_key + "\" (no number)");
        FAIL("fail_at returned");
    } catch (const scenario_error& e) {
        const std::string msg = static_cast<const std::exception&>(e).what();
        CHECK(msg.size() < 500);
        CHECK_THAT(msg, Contains("got \"" + std::string(80, 'k') + "... (1000000 characters)\" (no number)"));
    }
    const invalid_parameter e("lif", std::string(500, 'n'), std::string(300, 'v'), "must be > 0");
    CHECK_THAT(std::string(e.what()), Contains("... (500 characters) = ") && Contains("... (300 characters) is invalid (must be > 0)"));
    // Short input and apostrophes in prose are left alone.
    try {
        fail_at(source_location{"s.toml", 1, 1, "k"}, "the scenario's key 'x' is bad");
    } catch (const scenario_error& err) {
        CHECK(std::string(static_cast<const std::exception&>(err).what()) == "s.toml:1:1: key 'k': the scenario's key 'x' is bad");
    }
}
