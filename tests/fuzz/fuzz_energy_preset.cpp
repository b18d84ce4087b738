// SPDX-License-Identifier: MIT
// Fuzzes the energy preset reader (models/energy/*.toml, `memspike report --models my_chip.toml`).
#include <cstddef>
#include <string>

#include "fuzz_support.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/energy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    memspike::fuzz::expect_clean([&] { (void)memspike::parse_energy_model(text, "fuzz_preset.toml", memspike::builtin_registry()); });
    return 0;
}
