// SPDX-License-Identifier: MIT
// Question: what does one synaptic event cost in the delivery loop?
//
// A synapse_block shaped like one partition of Brunel scale 1 (4,096 targets, 10,000 sources, about
// 400 synapses per source into this partition, one delay, targets sorted within a source's range)
// is filled with random targets. Each iteration delivers the spikes of 64 random sources exactly as
// tick_loop.cpp's impl::deliver does (sum += weight, first touch flags the neuron and appends it to
// `touched`), then clears the buffer as a neuron model's advance() would. Throughput is in synaptic
// events per second (items_per_second). Two references bracket it: the bare scatter-add (no touch
// bookkeeping) and a sequential sum over the same weights (no indirection).
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "memspike/core/model.hpp"
#include "memspike/core/synapses.hpp"

namespace {

using memspike::input_buffer;
using memspike::synapse_block;

constexpr std::uint32_t sources = 10000;
constexpr std::uint32_t spikes_per_iteration = 64;

synapse_block make_block(std::uint32_t targets, std::uint32_t per_source) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<std::uint32_t> pick(0, targets - 1);
    synapse_block b;
    b.source_count = sources;
    b.offsets.resize(sources + 1);
    b.targets.reserve(std::size_t{sources} * per_source);
    b.weights.reserve(std::size_t{sources} * per_source);
    for (std::uint32_t s = 0; s < sources; ++s) {
        b.offsets[s] = b.targets.size();
        const auto first = b.targets.size();
        for (std::uint32_t k = 0; k < per_source; ++k) {
            b.targets.push_back(pick(rng));
            b.weights.push_back(s % 5 == 0 ? -0.5f : 0.1f);
        }
        std::sort(b.targets.begin() + static_cast<std::ptrdiff_t>(first), b.targets.end());
    }
    b.offsets[sources] = b.targets.size();
    return b;
}

std::vector<std::uint32_t> spike_sources(std::size_t n) {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::uint32_t> pick(0, sources - 1);
    std::vector<std::uint32_t> out(n);
    for (auto& s : out) s = pick(rng);
    return out;
}

/// The scheduler's loop: scatter-add plus first-touch bookkeeping, then the model-side clear.
void BM_deliver_csr(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const auto per_source = static_cast<std::uint32_t>(state.range(1));
    const synapse_block block = make_block(n, per_source);
    const auto spikes = spike_sources(1 << 16);
    input_buffer in;
    in.resize(1, n);
    std::size_t next = 0;
    std::uint64_t events = 0;
    for (auto _ : state) {
        double* sum = in.sum[0].data();
        std::uint8_t* flag = in.flag.data();
        const std::uint32_t* target = block.targets.data();
        const float* weight = block.weights.data();
        for (std::uint32_t k = 0; k < spikes_per_iteration; ++k) {
            const std::uint32_t s = spikes[next++ & 0xffff];
            const std::uint64_t lo = block.offsets[s], hi = block.offsets[s + 1];
            for (std::uint64_t j = lo; j < hi; ++j) {
                const std::uint32_t i = target[j];
                sum[i] += static_cast<double>(weight[j]);
                if (!flag[i]) {
                    flag[i] = 1;
                    in.touched.push_back(i);
                }
            }
            events += hi - lo;
        }
        for (const std::uint32_t i : in.touched) {  // what advance() does with the buffer
            benchmark::DoNotOptimize(sum[i]);
            sum[i] = 0.0;
            flag[i] = 0;
        }
        in.touched.clear();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(events));
    state.counters["time_per_event"] = benchmark::Counter(static_cast<double>(events),
                                                        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_deliver_csr)->Args({4096, 400})->Args({4096, 100})->Args({65536, 400});

/// The bare scatter-add (float weights into a double sum, no touch bookkeeping): the limit of the loop.
void BM_scatter_add_only(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const auto per_source = static_cast<std::uint32_t>(state.range(1));
    const synapse_block block = make_block(n, per_source);
    const auto spikes = spike_sources(1 << 16);
    std::vector<double> sum(n, 0.0);
    std::size_t next = 0;
    std::uint64_t events = 0;
    for (auto _ : state) {
        const std::uint32_t* target = block.targets.data();
        const float* weight = block.weights.data();
        for (std::uint32_t k = 0; k < spikes_per_iteration; ++k) {
            const std::uint32_t s = spikes[next++ & 0xffff];
            const std::uint64_t lo = block.offsets[s], hi = block.offsets[s + 1];
            for (std::uint64_t j = lo; j < hi; ++j) sum[target[j]] += static_cast<double>(weight[j]);
            events += hi - lo;
        }
        benchmark::DoNotOptimize(sum.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(events));
    state.counters["time_per_event"] = benchmark::Counter(static_cast<double>(events),
                                                        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_scatter_add_only)->Args({4096, 400})->Args({65536, 400});

/// Streaming the same (target, weight) ranges without the scatter: what memory bandwidth allows.
void BM_stream_weights(benchmark::State& state) {
    const synapse_block block = make_block(4096, 400);
    const auto spikes = spike_sources(1 << 16);
    std::size_t next = 0;
    std::uint64_t events = 0;
    double acc = 0.0;
    std::uint64_t tacc = 0;
    for (auto _ : state) {
        for (std::uint32_t k = 0; k < spikes_per_iteration; ++k) {
            const std::uint32_t s = spikes[next++ & 0xffff];
            const std::uint64_t lo = block.offsets[s], hi = block.offsets[s + 1];
            for (std::uint64_t j = lo; j < hi; ++j) {
                acc += static_cast<double>(block.weights[j]);
                tacc += block.targets[j];
            }
            events += hi - lo;
        }
        benchmark::DoNotOptimize(acc);
        benchmark::DoNotOptimize(tacc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(events));
    state.counters["time_per_event"] = benchmark::Counter(static_cast<double>(events),
                                                        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_stream_weights);

} // namespace
