// SPDX-License-Identifier: MIT
// Question: what does the spike ring buffer cost per spike (enqueue at t + d, read and clear at t)?
//
// The scheduler keeps pending spikes in a ring of max_delay + 1 slots, one std::vector of
// (source, population, delay) entries per slot (tick_loop.cpp: collect_spikes enqueues every
// distinct outgoing delay of each spike; deliver reads the slot of the current tick; run clears
// it). The ring is private to simulation::impl, so this benchmark reproduces the same structure and
// access pattern: per tick, `spikes` spikes are enqueued with `delays` distinct delays each
// (1..max), and the due slot is scanned and cleared. items_per_second counts ring entries.
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

namespace {

struct ring_entry {  // as in simulation_impl.hpp
    std::uint32_t source;
    std::uint32_t population;
    std::int32_t delay;
};

void BM_ring_enqueue_dequeue(benchmark::State& state) {
    const auto spikes_per_tick = static_cast<std::uint32_t>(state.range(0));
    const auto delays = static_cast<std::int32_t>(state.range(1));
    const std::int32_t max_delay = 15 + delays;  // Brunel: D = 1.5 ms = 15 ticks
    std::vector<std::vector<ring_entry>> ring(static_cast<std::size_t>(max_delay) + 1);
    const auto L = static_cast<std::int64_t>(ring.size());
    std::mt19937 rng(5);
    std::uniform_int_distribution<std::uint32_t> pick(0, 12499);
    std::vector<std::uint32_t> sources(1 << 16);
    for (auto& s : sources) s = pick(rng);
    std::size_t next = 0;
    std::int64_t t = 0;
    std::uint64_t entries = 0, checksum = 0;
    for (auto _ : state) {
        auto& slot = ring[static_cast<std::size_t>(t % L)];
        for (const ring_entry& e : slot) checksum += e.source + static_cast<std::uint32_t>(e.delay);  // dequeue
        slot.clear();
        for (std::uint32_t k = 0; k < spikes_per_tick; ++k, ++next) {  // enqueue
            const std::uint32_t s = sources[next & 0xffff];
            for (std::int32_t d = 16; d < 16 + delays; ++d) {
                ring[static_cast<std::size_t>((t + d) % L)].push_back({s, s >= 10000 ? 1u : 0u, d});
                ++entries;
            }
        }
        ++t;
    }
    benchmark::DoNotOptimize(checksum);
    state.SetItemsProcessed(static_cast<std::int64_t>(entries));
    state.counters["time_per_entry"] = benchmark::Counter(static_cast<double>(entries),
                                                        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
// Brunel scale 1 at ~30 Hz: 12,500 * 30 Hz * 0.1 ms = ~38 spikes per tick, one delay.
BENCHMARK(BM_ring_enqueue_dequeue)->Args({38, 1})->Args({400, 1})->Args({38, 8});

} // namespace
