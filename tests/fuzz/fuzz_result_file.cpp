// SPDX-License-Identifier: MIT
// Fuzzes the result-file reader: what `memspike report` does with an HDF5 file (read_energy_ledger,
// then price_energy with every shipped preset and the per-inference division). HDF5 opens files by
// name, so each file is written on tmpfs first (fuzz_support.hpp).
//
// By default the input chooses the content of a well-formed HDF5 file (result_file_builder.hpp):
// that reaches memspike's reader. With MEMSPIKE_FUZZ_RAW_HDF5=1 the input is the file itself
// (seeds: corpus/result_file): that mostly exercises libhdf5's own parsing, which crashes on
// some corrupted files in HDF5 1.10.8 (docs/fuzzing.md), so it is not part of the CI run.
//
// MEMSPIKE_FUZZ_WRITE_SEEDS=<dir>: writes small result files (runs of the examples, cut short) to
// <dir> and exits; scripts/fuzz.sh --seeds refreshes tests/fuzz/corpus/result_file with it.
#include <cstddef>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "result_file_builder.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/run_driver.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/core/spec.hpp"

#ifndef MEMSPIKE_SOURCE_DIR
#error "MEMSPIKE_SOURCE_DIR comes from tests/fuzz/CMakeLists.txt"
#endif

namespace {

std::vector<memspike::energy_model>& presets() {
    static std::vector<memspike::energy_model> all;
    return all;
}
bool raw_mode = false;

/// Short runs of examples that record an energy ledger (digital and crossbar backends).
void write_seeds(const std::string& dir) {
    const auto& reg = memspike::builtin_registry();
    const std::vector<std::pair<std::string, std::string>> runs = {
        {"single_neuron", "simulation.duration=\"5 ms\""},
        {"cuba", "simulation.duration=\"2 ms\""},
        {"crossbar_brunel", "simulation.duration=\"2 ms\""},
    };
    for (const auto& [name, duration] : runs) {
        const auto sc = memspike::load_scenario(MEMSPIKE_SOURCE_DIR "/examples/" + name + ".toml", reg,
                                                {memspike::parse_override(duration), memspike::parse_override("recording.energy_bin=\"1 ms\"")});
        memspike::simulation sim(sc, reg, 1);
        memspike::drive_options opt;
        opt.output = dir + "/" + name + ".h5";
        opt.info = memspike::run_info::of(sc, 1, "fuzz seeds");
        memspike::drive_run(sim, reg, sc.duration_ticks(), opt);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("MEMSPIKE_FUZZ_WRITE_SEEDS")) {
        write_seeds(dir);
        std::exit(0);
    }
    raw_mode = std::getenv("MEMSPIKE_FUZZ_RAW_HDF5") != nullptr;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // the builder's refused calls are not news
    for (const auto& name : memspike::builtin_energy_models())
        presets().push_back(memspike::find_energy_model(name, memspike::builtin_registry()));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    static memspike::fuzz::input_file file(".h5");
    if (raw_mode) {
        file.write(data, size);
    } else {
        FuzzedDataProvider in(data, size);
        if (!memspike::fuzz::result_file_builder(in, memspike::builtin_registry().counter_names()).write(file.path())) return 0;
    }
    const std::string& path = file.path();
    memspike::fuzz::expect_clean([&] {
        const auto ledger = memspike::read_energy_ledger(path);
        memspike::backend_spec backend;
        backend.kind = ledger.backend;
        backend.params = ledger.backend_params;
        for (const auto& model : presets()) {
            const auto priced = memspike::price_energy(model, backend, memspike::builtin_registry(), ledger.totals, ledger.profile,
                                                       ledger.ticks, ledger.resolution_ms);
            if (priced.applies())
                (void)memspike::energy_per_inference_pj(priced.estimate.total_pj, ledger.ticks, ledger.resolution_ms, ledger.inference_ms);
        }
    });
    return 0;
}
