// SPDX-License-Identifier: MIT
// Fuzzes the chip-description reader (models/chips/*.toml, `memspike report --chips my_chip.toml`,
// docs/chips.md) and, for a description it accepts, the mapping of a small fixed network onto it
// (`memspike inspect --chip`): an accepted description must map or refuse with a reason, never
// crash, divide by zero or loop (capacities, mesh sizes and cores per tile are the fuzzed input).
#include <cstddef>
#include <string>

#include "fuzz_support.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/chip.hpp"
#include "memspike/core/scenario.hpp"

namespace {

// Two populations with random, one-to-one and all-to-all projections and a Poisson input: each
// branch of the mapping's input count (docs/chips.md, "Mapping") is reached, in a few ms.
const char* const network = R"(
[simulation]
duration = "10 ms"
resolution = "0.1 ms"
[[population]]
name = "E"
model = "lif_delta"
size = 80
[[population]]
name = "I"
model = "lif_delta"
size = 20
[[projection]]
source = "E"
target = "I"
rule = "fixed_indegree"
indegree = 40
weight = "0.1 mV"
delay = "1 ms"
[[projection]]
source = "I"
target = "E"
rule = "all_to_all"
weight = "-0.5 mV"
delay = "1 ms"
[[projection]]
source = "E"
target = "E"
rule = "one_to_one"
weight = "0.2 mV"
delay = "1 ms"
[[stimulus]]
name = "ext"
kind = "poisson"
target = "E"
rate = "1 kHz"
weight = "0.1 mV"
)";

const memspike::scenario& fixed_network() {
    static const memspike::scenario sc = memspike::parse_scenario(network, "fuzz_chip_network.toml", memspike::builtin_registry());
    return sc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    memspike::fuzz::expect_clean([&] {
        const auto chip = memspike::parse_chip_model(text, "fuzz_chip.toml", memspike::builtin_registry());
        const auto m = memspike::map_network(fixed_network(), memspike::builtin_registry(), chip);
        (void)memspike::format_chip_mapping(chip, m);
    });
    return 0;
}
