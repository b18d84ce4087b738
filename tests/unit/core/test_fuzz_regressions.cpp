// SPDX-License-Identifier: MIT
// Regressions for what the fuzzers found (tests/fuzz, docs/fuzzing.md), each with its message
// pinned. The inputs that found them also sit in the fuzzers' seed corpus (tests/fuzz/corpus).
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <tuple>
#include <vector>
#include <filesystem>
#include <string>

#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/state_io.hpp"
#include "support.hpp"

using namespace memspike;

namespace {

std::string temp_h5(const char* tag) {
    return (std::filesystem::temp_directory_path() / ("memspike_fuzzreg_" + std::string(tag) + "_" + std::to_string(::getpid()) + ".h5"))
        .string();
}

/// An attribute of `values` elements of `type` (values from `data`) on `obj`.
void attr(hid_t obj, const char* name, hid_t type, hsize_t values, const void* data) {
    const hid_t space = values == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &values, nullptr);
    const hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(a >= 0);
    REQUIRE(H5Awrite(a, type, data) >= 0);
    H5Aclose(a);
    H5Sclose(space);
}

} // namespace

// fuzz_result_file, 2026-11-30: a numeric or text attribute holding two values was read with
// H5Aread into a single value: a stack buffer overflow (AddressSanitizer) in `memspike report`.
TEST_CASE("result file: an attribute with more than one value is refused, not read past its buffer", "[unit][fuzz]") {
    const std::string path = temp_h5("attr");
    const std::uint64_t two[2] = {3, 4};
    {
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        const hid_t energy = H5Gcreate2(file, "energy", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        attr(energy, "neurons", H5T_NATIVE_UINT64, 2, two);
        H5Gclose(energy);
        H5Fclose(file);
    }
    CHECK_THROWS_WITH(read_energy_ledger(path), Catch::Contains(path) && Catch::Contains("attribute 'neurons' must hold one value, it holds 2"));

    {  // a text attribute: two variable-length strings
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        const hid_t energy = H5Gcreate2(file, "energy", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const std::uint64_t one = 1;
        const double resolution = 0.1;
        const std::int8_t complete = 1;
        for (const char* name : {"neurons", "synapses", "dense_weights"}) attr(energy, name, H5T_NATIVE_UINT64, 1, &one);
        attr(file, "resolution_ms", H5T_NATIVE_DOUBLE, 1, &resolution);
        attr(file, "complete", H5T_NATIVE_INT8, 1, &complete);
        const hid_t text = H5Tcopy(H5T_C_S1);
        H5Tset_size(text, H5T_VARIABLE);
        const char* backends[2] = {"digital", "crossbar"};
        attr(file, "backend", text, 2, backends);
        H5Tclose(text);
        H5Gclose(energy);
        H5Fclose(file);
    }
    CHECK_THROWS_WITH(read_energy_ledger(path), Catch::Contains("attribute 'backend' must hold one value, it holds 2"));
    std::filesystem::remove(path);
}

TEST_CASE("checkpoint: a LIF neuron state no run produces is refused", "[unit][fuzz]") {
    // Found by fuzz_checkpoint (seed regress_lif_time): a neuron's last update at tick -9.2e18
    // overflowed t - last (undefined behaviour) at the next peek. One lif_delta population under a
    // DC current, so partition 0's neuron state starts with the 40-byte records (V, I_stim, last,
    // refractory end, wake) after its frame length and their count.
    auto sc = test::make_scenario(50.0, 0.1, 3);
    test::add_population(sc, "N", "lif_delta", 4, {{"tau_m", 20.0}, {"v_th", 20.0}, {"e_l", 0.0}, {"v_reset", 10.0}});
    test::add_dc(sc, "N", 1000.0);
    simulation a(sc, builtin_models(), 1);
    a.run(100);
    const std::vector<std::byte> image = a.save_state_to_bytes();
    auto u64 = [&](std::size_t at) {
        std::uint64_t v;
        std::memcpy(&v, image.data() + at, sizeof v);
        return v;
    };
    std::size_t at = state_io::header::size + sizeof(tick_t) + sizeof(run_counters);
    const auto slots = u64(at);
    at += 8;
    for (std::uint64_t s = 0; s < slots; ++s) at += 8 + 12 * u64(at);  // spikes in flight
    at += 16 + 8 + 8;  // stimulus and modulator positions, the frame length, the record count
    REQUIRE(u64(at - 8) == 4);
    for (const auto& [field, value, what] : {std::tuple{16, std::numeric_limits<tick_t>::min() + 10, "at tick -9223372036854775798"},
                                             std::tuple{24, tick_t{1} << 40, "refractory until 1099511627776"}}) {
        std::vector<std::byte> d = image;
        std::memcpy(d.data() + at + 40 + field, &value, sizeof value);  // neuron 1
        state_io::reseal(d);
        simulation victim(sc, builtin_models(), 1);
        const std::vector<std::byte> before = victim.save_state_to_bytes();
        CHECK_THROWS_WITH(victim.load_state_from_bytes(d, "ck.bin"),
                          Catch::Contains("the neurons of partition 0 is refused: a neuron state") && Catch::Contains(what) &&
                              Catch::Contains("is not one a run produces"));
        CHECK((victim.save_state_to_bytes() == before));  // refused: unchanged
    }
}

TEST_CASE("checkpoint: a time beyond 2^62 ticks is refused", "[unit][fuzz]") {
    // Found by fuzz_checkpoint (seed regress_time_near_max): a time of 2^63 - 4 ticks overflowed
    // the tick each spike-ring slot holds (undefined behaviour). The time is the payload's first field.
    auto sc = test::make_scenario(50.0, 0.1, 3);
    test::add_population(sc, "N", "lif_delta", 4, {{"tau_m", 20.0}, {"v_th", 20.0}, {"e_l", 0.0}, {"v_reset", 10.0}});
    simulation a(sc, builtin_models(), 1);
    a.run(10);
    std::vector<std::byte> d = a.save_state_to_bytes();
    const tick_t late = std::numeric_limits<tick_t>::max() - 3;
    std::memcpy(d.data() + state_io::header::size, &late, sizeof late);
    state_io::reseal(d);
    CHECK_THROWS_WITH(a.load_state_from_bytes(d, "ck.bin"),
                      Catch::Contains("checkpoint 'ck.bin' its time is 9223372036854775804 ticks (must be in [0, 4611686018427387904])"));
    CHECK(a.now() == 10);
}
