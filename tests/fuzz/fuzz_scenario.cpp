// SPDX-License-Identifier: MIT
// Fuzzes the scenario reader the CLI uses: TOML text, then --set overrides, then validation
// (parse_scenario = read + apply overrides + validate + complete; load_scenario only adds the
// file checks in front).
//
// Input: the TOML text, optionally followed by a line "%%set" and then one override per line,
// exactly as after `--set` on the command line (each goes through parse_override, like the CLI's).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    constexpr std::string_view marker = "\n%%set\n";
    const auto cut = input.find(marker);
    const std::string toml(input.substr(0, cut));
    std::vector<std::string> sets;
    if (cut != std::string_view::npos) {
        std::string_view rest = input.substr(cut + marker.size());
        while (!rest.empty()) {
            const auto nl = rest.find('\n');
            sets.emplace_back(rest.substr(0, nl));
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        }
    }
    memspike::fuzz::expect_clean([&] {
        std::vector<memspike::override_entry> overrides;
        for (const auto& s : sets) overrides.push_back(memspike::parse_override(s));
        (void)memspike::parse_scenario(toml, "fuzz.toml", memspike::builtin_registry(), overrides);
    });
    return 0;
}
