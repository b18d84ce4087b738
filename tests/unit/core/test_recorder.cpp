// SPDX-License-Identifier: MIT
// The HDF5 recorder, read back with the HDF5 C API alone (no memspike code on the read side), so
// that the test pins the on-disk schema of docs/hdf5-schema.md rather than our own reader.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/core/recorder.hpp"
#include "memspike/core/scenario.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using memspike::tick_t;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
struct temp_dir {
    fs::path path;
    explicit temp_dir(const std::string& tag)
        : path(fs::temp_directory_path() /
               ("memspike_test_recorder_" + tag + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

// Minimal RAII for the read side.
struct h5 {
    hid_t id;
    herr_t (*close)(hid_t);
    h5(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) { REQUIRE(id >= 0); }
    ~h5() { close(id); }
    h5(const h5&) = delete;
    h5& operator=(const h5&) = delete;
};

h5 open_file(const std::string& path) { return {H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose}; }
h5 open_object(hid_t file, const std::string& name) {
    return {H5Oopen(file, name.c_str(), H5P_DEFAULT), H5Oclose};
}

bool has_attr(hid_t obj, const std::string& name) { return H5Aexists(obj, name.c_str()) > 0; }

// Reads a scalar attribute, also checking its stored type class and size.
template <class T>
T attr(hid_t obj, const std::string& name, hid_t mem_type, H5T_class_t cls) {
    INFO("attribute " << name);
    h5 a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    h5 type(H5Aget_type(a.id), H5Tclose);
    CHECK(H5Tget_class(type.id) == cls);
    CHECK(H5Tget_size(type.id) == sizeof(T));
    h5 space(H5Aget_space(a.id), H5Sclose);
    CHECK(H5Sget_simple_extent_type(space.id) == H5S_SCALAR);
    T value{};
    REQUIRE(H5Aread(a.id, mem_type, &value) >= 0);
    return value;
}
double attr_f64(hid_t obj, const std::string& name) {
    return attr<double>(obj, name, H5T_NATIVE_DOUBLE, H5T_FLOAT);
}
std::int64_t attr_i64(hid_t obj, const std::string& name) {
    return attr<std::int64_t>(obj, name, H5T_NATIVE_INT64, H5T_INTEGER);
}
std::uint64_t attr_u64(hid_t obj, const std::string& name) {
    return attr<std::uint64_t>(obj, name, H5T_NATIVE_UINT64, H5T_INTEGER);
}
int attr_i8(hid_t obj, const std::string& name) {
    return attr<std::int8_t>(obj, name, H5T_NATIVE_INT8, H5T_INTEGER);
}

// Variable-length UTF-8 string attribute (what h5py reads as str).
std::string attr_str(hid_t obj, const std::string& name) {
    INFO("attribute " << name);
    h5 a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    h5 type(H5Aget_type(a.id), H5Tclose);
    REQUIRE(H5Tget_class(type.id) == H5T_STRING);
    REQUIRE(H5Tis_variable_str(type.id) > 0);
    CHECK(H5Tget_cset(type.id) == H5T_CSET_UTF8);
    h5 mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Tset_cset(mem.id, H5T_CSET_UTF8);
    char* text = nullptr;
    REQUIRE(H5Aread(a.id, mem.id, &text) >= 0);
    std::string out = text != nullptr ? text : "";
    H5free_memory(text);
    return out;
}

// Reads a whole dataset into a flat vector; `dims` receives its shape.
template <class T>
std::vector<T> read_all(hid_t file, const std::string& name, hid_t mem_type, std::vector<hsize_t>* dims = nullptr) {
    INFO("dataset " << name);
    h5 d(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
    h5 space(H5Dget_space(d.id), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.id);
    std::vector<hsize_t> shape(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.id, shape.data(), nullptr);
    hsize_t n = 1;
    for (auto s : shape) n *= s;
    std::vector<T> out(n);
    if (n > 0) REQUIRE(H5Dread(d.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
    if (dims != nullptr) *dims = shape;
    return out;
}

// The storage layout promised by the schema: extendible in dim 0, chunked, shuffle + deflate.
void check_extendible_compressed(hid_t file, const std::string& name, int rank) {
    INFO("dataset " << name);
    h5 d(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
    h5 space(H5Dget_space(d.id), H5Sclose);
    REQUIRE(H5Sget_simple_extent_ndims(space.id) == rank);
    hsize_t dims[2], max_dims[2];
    H5Sget_simple_extent_dims(space.id, dims, max_dims);
    CHECK(max_dims[0] == H5S_UNLIMITED);
    h5 dcpl(H5Dget_create_plist(d.id), H5Pclose);
    CHECK(H5Pget_layout(dcpl.id) == H5D_CHUNKED);
    const int nfilters = H5Pget_nfilters(dcpl.id);
    REQUIRE(nfilters == 2);
    unsigned flags = 0;
    unsigned cd[8] = {};
    std::size_t nelem = 8;
    CHECK(H5Pget_filter2(dcpl.id, 0, &flags, &nelem, cd, 0, nullptr, nullptr) == H5Z_FILTER_SHUFFLE);
    nelem = 8;
    CHECK(H5Pget_filter2(dcpl.id, 1, &flags, &nelem, cd, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE);
    REQUIRE(nelem == 1);
    CHECK(cd[0] == 4);  // deflate level
}

memspike::run_info sample_info() {
    memspike::run_info info;
    info.memspike_version = "0.1.0-test";
    info.scenario_file = "brunel.toml";
    info.scenario_text = "[simulation]\nduration_ms = 1000.0\n# \xc2\xb5s and \xce\xbc, UTF-8 survives\n";
    info.seed = 0xFEDCBA9876543210ULL;  // above 2^63: must survive as unsigned
    info.resolution_ms = 0.1;
    info.duration_ms = 1000.0;
    info.threads = 2;
    info.backend = "digital";
    info.command_line = "memspike run brunel.toml -o out.h5";
    // A quote, a backslash and a newline in a value: the stored TOML text must escape them.
    info.scenario_overrides = {{"simulation.scale", "0.1"}, {"population.E.name", R"("a\"b\nc")"}, {"x", "\"\"\"l1\nl2\"\"\""}};
    return info;
}

// Deterministic spikes: tick = i / 7 (non-decreasing), id = (i * 37) % size.
void make_spikes(std::size_t begin, std::size_t end, std::uint32_t size, std::vector<std::uint32_t>& ids,
                 std::vector<tick_t>& ticks) {
    ids.clear();
    ticks.clear();
    for (std::size_t i = begin; i < end; ++i) {
        ids.push_back(static_cast<std::uint32_t>((i * 37) % size));
        ticks.push_back(static_cast<tick_t>(i / 7));
    }
}

double trace_value(std::size_t row, std::size_t col) { return -65.0 + 0.25 * static_cast<double>(row) + 1e-3 * col; }

} // namespace

TEST_CASE("recorder: provenance, spikes and traces read back equal", "[unit]") {
    temp_dir dir("full");
    const std::string path = dir.file("run.h5");
    const auto info = sample_info();

    // Population "exc" gets 150001 spikes in uneven appends (three chunks of 65536 and then some,
    // with a flush in the middle that leaves a partial chunk); "inh" gets 1000 in a few appends.
    const std::size_t n_exc = 150001, n_inh = 1000;
    const std::uint32_t size_exc = 800, size_inh = 200;
    const std::vector<std::uint64_t> vm_neurons{0, 5, 799};
    const std::vector<std::uint64_t> g_neurons{3, 4};
    const std::vector<std::uint64_t> inh_neurons{199};
    const std::size_t n_samples = 37;
    {
        auto rec = memspike::recorder::open_hdf5(path, info);
        const auto exc = rec->add_spike_population("exc", size_exc);
        const auto inh = rec->add_spike_population("inh", size_inh);
        const auto vm = rec->add_trace("exc", "v_m", "mV", vm_neurons, 10);
        const auto g = rec->add_trace("exc", "g_ex", "nS", g_neurons, 5);
        const auto vi = rec->add_trace("inh", "v_m", "mV", inh_neurons, 10);

        std::vector<std::uint32_t> ids;
        std::vector<tick_t> ticks;
        std::size_t done = 0, step = 9973, k = 0;
        while (done < n_exc) {
            const std::size_t end = std::min(n_exc, done + step);
            make_spikes(done, end, size_exc, ids, ticks);
            rec->append_spikes(exc, ids, ticks);
            done = end;
            if (++k == 4) rec->flush();
        }
        for (std::size_t b = 0; b < n_inh; b += 300) {
            make_spikes(b, std::min(n_inh, b + 300), size_inh, ids, ticks);
            rec->append_spikes(inh, ids, ticks);
        }
        rec->append_spikes(inh, {}, {});  // an empty append is fine

        for (std::size_t r = 0; r < n_samples; ++r) {
            std::vector<double> row;
            for (std::size_t c = 0; c < vm_neurons.size(); ++c) row.push_back(trace_value(r, c));
            rec->append_trace(vm, static_cast<tick_t>(10 * r), row);
            row.clear();
            for (std::size_t c = 0; c < g_neurons.size(); ++c) row.push_back(-trace_value(r, c));
            rec->append_trace(g, static_cast<tick_t>(5 * r), row);
            rec->append_trace(vi, static_cast<tick_t>(10 * r), std::vector<double>{trace_value(r, 9)});
            if (r == 20) rec->flush();
        }
        rec->close(true, 1.25, 10000);
        rec->close(false, 99.0, 1);  // idempotent: the first close wins
    }

    h5 file = open_file(path);
    h5 root = open_object(file.id, "/");
    CHECK(attr_str(root.id, "memspike_version") == info.memspike_version);
    CHECK(attr<std::int32_t>(root.id, "schema_version", H5T_NATIVE_INT32, H5T_INTEGER) == 1);
    CHECK(attr_str(root.id, "scenario_file") == info.scenario_file);
    CHECK(attr_str(root.id, "scenario") == info.scenario_text);
    CHECK(attr_u64(root.id, "seed") == info.seed);
    CHECK(attr_f64(root.id, "resolution_ms") == info.resolution_ms);
    CHECK(attr_f64(root.id, "duration_ms") == info.duration_ms);
    CHECK(attr<std::uint32_t>(root.id, "threads", H5T_NATIVE_UINT32, H5T_INTEGER) == 2u);
    CHECK(attr_str(root.id, "backend") == "digital");
    CHECK(attr_str(root.id, "command_line") == info.command_line);
    const std::string overrides = attr_str(root.id, "scenario_overrides");
    CHECK(overrides == "overrides = [\n  [\"simulation.scale\", \"0.1\"],\n" R"(  ["population.E.name", "\"a\\\"b\\nc\""],)" "\n"
                       R"(  ["x", "\"\"\"l1\u000al2\"\"\""],)" "\n]\n");
    const auto back = memspike::parse_overrides_text(overrides, "test");
    REQUIRE(back.size() == info.scenario_overrides.size());
    for (std::size_t i = 0; i < back.size(); ++i)
        CHECK((back[i].key == info.scenario_overrides[i].first && back[i].value == info.scenario_overrides[i].second));
    const std::string created = attr_str(root.id, "created");
    CHECK(created.size() == 20);  // YYYY-MM-DDTHH:MM:SSZ
    CHECK(created[10] == 'T');
    CHECK(created.back() == 'Z');
    CHECK(attr_i8(root.id, "complete") == 1);
    CHECK(attr_f64(root.id, "wall_time_s") == 1.25);
    CHECK(attr_i64(root.id, "ticks_simulated") == 10000);
    CHECK(attr_f64(root.id, "simulated_ms") == Approx(1000.0).epsilon(1e-12));

    // Spikes.
    const struct {
        std::string name;
        std::size_t n;
        std::uint32_t size;
    } pops[] = {{"exc", n_exc, size_exc}, {"inh", n_inh, size_inh}};
    for (const auto& p : pops) {
        INFO("population " << p.name);
        const std::string g = "/spikes/" + p.name;
        h5 group = open_object(file.id, g);
        CHECK(attr_u64(group.id, "size") == p.size);
        CHECK(attr_f64(group.id, "resolution_ms") == 0.1);
        h5 ticks_ds = open_object(file.id, g + "/ticks");
        CHECK(attr_str(ticks_ds.id, "unit") == "tick");
        check_extendible_compressed(file.id, g + "/ids", 1);
        check_extendible_compressed(file.id, g + "/ticks", 1);

        std::vector<std::uint32_t> want_ids;
        std::vector<tick_t> want_ticks;
        make_spikes(0, p.n, p.size, want_ids, want_ticks);
        const auto ids = read_all<std::uint32_t>(file.id, g + "/ids", H5T_NATIVE_UINT32);
        const auto ticks = read_all<std::int64_t>(file.id, g + "/ticks", H5T_NATIVE_INT64);
        REQUIRE(ids.size() == p.n);
        REQUIRE(ticks.size() == p.n);
        CHECK(ids == want_ids);
        CHECK(ticks == want_ticks);
    }

    // Traces: two variables share /traces/exc; one more population.
    const struct {
        std::string where, unit;
        tick_t interval;
        std::vector<std::uint64_t> neurons;
        double sign;
        std::size_t col_offset;
    } traces[] = {{"/traces/exc/v_m", "mV", 10, vm_neurons, 1.0, 0},
                  {"/traces/exc/g_ex", "nS", 5, g_neurons, -1.0, 0},
                  {"/traces/inh/v_m", "mV", 10, inh_neurons, 1.0, 9}};
    for (const auto& t : traces) {
        INFO("trace " << t.where);
        h5 group = open_object(file.id, t.where);
        CHECK(attr_str(group.id, "unit") == t.unit);
        CHECK(attr_i64(group.id, "interval_ticks") == t.interval);
        check_extendible_compressed(file.id, t.where + "/values", 2);
        check_extendible_compressed(file.id, t.where + "/ticks", 1);
        CHECK(read_all<std::uint64_t>(file.id, t.where + "/neurons", H5T_NATIVE_UINT64) == t.neurons);
        std::vector<hsize_t> dims;
        const auto values = read_all<double>(file.id, t.where + "/values", H5T_NATIVE_DOUBLE, &dims);
        REQUIRE(dims == std::vector<hsize_t>{n_samples, t.neurons.size()});
        const auto ticks = read_all<std::int64_t>(file.id, t.where + "/ticks", H5T_NATIVE_INT64);
        REQUIRE(ticks.size() == n_samples);
        for (std::size_t r = 0; r < n_samples; ++r) {
            CHECK(ticks[r] == static_cast<tick_t>(t.interval) * static_cast<tick_t>(r));
            for (std::size_t c = 0; c < t.neurons.size(); ++c)
                CHECK(values[r * t.neurons.size() + c] == t.sign * trace_value(r, c + t.col_offset));
        }
    }
}

TEST_CASE("recorder: destroyed without close leaves complete = 0 and the flushed spikes", "[unit]") {
    temp_dir dir("interrupted");
    const std::string path = dir.file("interrupted.h5");
    {
        auto rec = memspike::recorder::open_hdf5(path, sample_info());
        const auto exc = rec->add_spike_population("exc", 10);
        rec->append_spikes(exc, std::vector<std::uint32_t>{1, 2, 3}, std::vector<tick_t>{4, 4, 9});
        rec->flush();
        rec->append_spikes(exc, std::vector<std::uint32_t>{7}, std::vector<tick_t>{12});
        // No close(): as when an exception unwinds through the simulation.
    }
    h5 file = open_file(path);
    h5 root = open_object(file.id, "/");
    CHECK(attr_i8(root.id, "complete") == 0);
    CHECK(has_attr(root.id, "wall_time_s"));
    CHECK_FALSE(has_attr(root.id, "ticks_simulated"));  // unknown, so left absent
    CHECK_FALSE(has_attr(root.id, "simulated_ms"));
    // The destructor still writes what was buffered.
    CHECK(read_all<std::uint32_t>(file.id, "/spikes/exc/ids", H5T_NATIVE_UINT32) ==
          std::vector<std::uint32_t>{1, 2, 3, 7});
    CHECK(read_all<std::int64_t>(file.id, "/spikes/exc/ticks", H5T_NATIVE_INT64) ==
          std::vector<std::int64_t>{4, 4, 9, 12});
}

TEST_CASE("recorder: a killed process leaves a readable file with what was flushed", "[unit]") {
    temp_dir dir("killed");
    const std::string path = dir.file("killed.h5");
    const std::size_t flushed = 70000;  // more than one chunk
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child must not return into Catch: any failure is an exit code.
        try {
            auto rec = memspike::recorder::open_hdf5(path, sample_info());
            const auto p = rec->add_spike_population("exc", 100);
            std::vector<std::uint32_t> ids;
            std::vector<tick_t> ticks;
            make_spikes(0, flushed, 100, ids, ticks);
            rec->append_spikes(p, ids, ticks);
            rec->flush();
            make_spikes(flushed, flushed + 100, 100, ids, ticks);
            rec->append_spikes(p, ids, ticks);  // buffered, never flushed
            ::_exit(0);                          // no destructor, no close, no atexit: a kill
        } catch (...) {
            ::_exit(3);
        }
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);

    // The output is renamed into place only at close: a killed writer leaves its partial file.
    CHECK_FALSE(fs::exists(path));
    h5 file = open_file(path + ".partial-" + std::to_string(child));
    h5 root = open_object(file.id, "/");
    CHECK(attr_i8(root.id, "complete") == 0);
    CHECK_FALSE(has_attr(root.id, "wall_time_s"));
    std::vector<std::uint32_t> want_ids;
    std::vector<tick_t> want_ticks;
    make_spikes(0, flushed, 100, want_ids, want_ticks);
    CHECK(read_all<std::uint32_t>(file.id, "/spikes/exc/ids", H5T_NATIVE_UINT32) == want_ids);
    CHECK(read_all<std::int64_t>(file.id, "/spikes/exc/ticks", H5T_NATIVE_INT64) == want_ticks);
}

TEST_CASE("recorder: close(false) marks the run incomplete but keeps the final attributes", "[unit]") {
    temp_dir dir("incomplete");
    const std::string path = dir.file("stopped.h5");
    {
        auto rec = memspike::recorder::open_hdf5(path, sample_info());
        rec->close(false, 0.5, 42);
        rec->close(true, 1.0, 100);  // idempotent: does not turn the file complete
        REQUIRE_THROWS_AS(rec->add_spike_population("late", 1), memspike::io_error);
        REQUIRE_THROWS_WITH(rec->flush(), Contains(path));
    }
    h5 file = open_file(path);
    h5 root = open_object(file.id, "/");
    CHECK(attr_i8(root.id, "complete") == 0);
    CHECK(attr_f64(root.id, "wall_time_s") == 0.5);
    CHECK(attr_i64(root.id, "ticks_simulated") == 42);
    CHECK(attr_f64(root.id, "simulated_ms") == Approx(4.2).epsilon(1e-12));
    // Empty groups exist even without any population declared.
    CHECK(H5Lexists(file.id, "spikes", H5P_DEFAULT) > 0);
    CHECK(H5Lexists(file.id, "traces", H5P_DEFAULT) > 0);
}

TEST_CASE("recorder: a path in a nonexistent directory throws io_error naming the path", "[unit]") {
    const std::string path =
        (fs::temp_directory_path() / "memspike_no_such_dir_4242" / "sub" / "out.h5").string();
    REQUIRE_FALSE(fs::exists(fs::path(path).parent_path()));
    REQUIRE_THROWS_AS(memspike::recorder::open_hdf5(path, sample_info()), memspike::io_error);
    REQUIRE_THROWS_WITH(memspike::recorder::open_hdf5(path, sample_info()),
                        Contains(path) && Contains("does not exist"));
}

TEST_CASE("recorder: bad appends and declarations are rejected with the value and the rule", "[unit]") {
    temp_dir dir("bad");
    auto rec = memspike::recorder::open_hdf5(dir.file("bad.h5"), sample_info());
    const auto p = rec->add_spike_population("exc", 10);
    using memspike::invalid_parameter;

    REQUIRE_THROWS_AS(rec->add_spike_population("exc", 5), invalid_parameter);
    REQUIRE_THROWS_WITH(rec->add_spike_population("a/b", 5), Contains("'a/b'"));
    REQUIRE_THROWS_AS(rec->add_spike_population("", 5), invalid_parameter);
    REQUIRE_THROWS_WITH(rec->append_spikes(p, std::vector<std::uint32_t>{1, 2}, std::vector<tick_t>{1}),
                        Contains("2/1"));
    REQUIRE_THROWS_WITH(rec->append_spikes(p, std::vector<std::uint32_t>{10}, std::vector<tick_t>{1}),
                        Contains("spike id = 10") && Contains("< 10"));
    REQUIRE_THROWS_AS(rec->append_spikes(7, std::vector<std::uint32_t>{1}, std::vector<tick_t>{1}),
                      invalid_parameter);
    rec->append_spikes(p, std::vector<std::uint32_t>{1}, std::vector<tick_t>{5});
    REQUIRE_THROWS_WITH(rec->append_spikes(p, std::vector<std::uint32_t>{1}, std::vector<tick_t>{4}),
                        Contains("spike tick = 4") && Contains("previous spike tick 5"));

    const std::vector<std::uint64_t> neurons{0, 1};
    REQUIRE_THROWS_AS(rec->add_trace("exc", "v_m", "mV", {}, 10), invalid_parameter);
    REQUIRE_THROWS_WITH(rec->add_trace("exc", "v_m", "mV", neurons, 0), Contains("interval_ticks = 0"));
    const auto t = rec->add_trace("exc", "v_m", "mV", neurons, 10);
    REQUIRE_THROWS_AS(rec->add_trace("exc", "v_m", "mV", neurons, 10), invalid_parameter);
    REQUIRE_THROWS_WITH(rec->append_trace(t, 0, std::vector<double>{1.0}), Contains("sample length = 1"));
    rec->append_trace(t, 10, std::vector<double>{1.0, 2.0});
    REQUIRE_THROWS_AS(rec->append_trace(t, 0, std::vector<double>{1.0, 2.0}), invalid_parameter);
    rec->close(true, 0.0, 20);
}
