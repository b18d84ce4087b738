// SPDX-License-Identifier: MIT
// Question: what does the dense Poisson drive cost per neuron and tick, and how much of it is the
// count lookup?
//
// Brunel's drive gives every neuron Poisson(lambda = 2) events per tick (eta = 2, 0.1 ms), drawn in
// poisson_drive::apply (dense mode, core/src/poisson_dense.cpp): one xoshiro256++ stream per neuron, one
// uniform u, and the count k found in the tabulated CDF, then input_buffer::add when k > 0. This
// reproduces that loop on one 4,096-neuron partition and compares ways of finding k that give the
// same k for the same u (so the same spikes):
//   linear      the scheduler's loop: while (u >= cdf[k] && k < last) ++k  (data-dependent branch)
//   count       k = number of j < last with u >= cdf[j]                     (no branch, vectorises)
//   bisect      branch-free binary search over the CDF
//   guide       a 256-entry guide table (Chen & Asau 1974): guide[m] = first k with cdf[k] > m / 256,
//               then the same linear search from there (almost always zero or one step)
// and, as a reference that would change the random numbers, one stream per partition (`shared_rng`).
// items_per_second counts neuron-ticks.
#include <cmath>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "memspike/core/model.hpp"
#include "memspike/core/random.hpp"

namespace {

using memspike::input_buffer;
using memspike::random_stream;

constexpr std::uint32_t n = 4096;

std::vector<double> poisson_cdf(double lambda) {  // as stimuli.cpp builds it
    std::vector<double> cdf;
    double pk = std::exp(-lambda), total = pk;
    cdf.push_back(total);
    for (int k = 1; 1.0 - total > 1e-17 && k < 10000; ++k) {
        pk *= lambda / k;
        total += pk;
        cdf.push_back(total);
    }
    cdf.back() = 1.0;
    return cdf;
}

enum class lookup { linear, count, bisect, guide };

template <lookup L, bool SharedRng>
void BM_poisson_drive(benchmark::State& state) {
    const double lambda = 2.0, weight = 0.1;
    const auto cdf = poisson_cdf(lambda);
    const double* c = cdf.data();
    const std::size_t last = cdf.size() - 1;
    std::size_t pow2 = 1;
    while (pow2 < cdf.size()) pow2 <<= 1;
    std::vector<double> padded(cdf);  // bisect: padded to a power of two with +inf
    padded.resize(pow2, HUGE_VAL);
    constexpr std::size_t guide_size = 256;
    std::vector<std::uint32_t> guide(guide_size);
    for (std::size_t m = 0, k = 0; m < guide_size; ++m) {
        while (k < last && c[k] <= static_cast<double>(m) / guide_size) ++k;
        guide[m] = static_cast<std::uint32_t>(k);
    }
    std::vector<random_stream> rng;
    for (std::uint32_t i = 0; i < n; ++i) rng.emplace_back(1, memspike::stream_purpose::poisson_stimulus, 0, i);
    random_stream one(1, memspike::stream_purpose::poisson_stimulus, 0, 0);
    std::vector<std::uint32_t> targets(n);
    for (std::uint32_t i = 0; i < n; ++i) targets[i] = i;
    input_buffer in;
    in.resize(1, n);
    std::uint64_t events = 0;
    for (auto _ : state) {
        for (std::uint32_t j = 0; j < n; ++j) {
            const double u = SharedRng ? one.uniform() : rng[j].uniform();
            std::size_t k = 0;
            if constexpr (L == lookup::linear) {
                while (u >= c[k] && k < last) ++k;
            } else if constexpr (L == lookup::count) {
                for (std::size_t m = 0; m < last; ++m) k += u >= c[m];
            } else if constexpr (L == lookup::guide) {
                k = guide[static_cast<std::size_t>(u * guide_size)];
                while (u >= c[k] && k < last) ++k;
            } else {
                for (std::size_t half = pow2 / 2; half > 0; half /= 2) k = padded[k + half - 1] <= u ? k + half : k;
                k = k < last ? k : last;
            }
            if (k) {
                in.add(0, targets[j], static_cast<double>(k) * weight);
                events += k;
            }
        }
        for (const std::uint32_t i : in.touched) {  // what advance() does with the buffer
            benchmark::DoNotOptimize(in.sum[0][i]);
            in.sum[0][i] = 0.0;
            in.flag[i] = 0;
        }
        in.touched.clear();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
    state.counters["events_per_neuron_tick"] =
        static_cast<double>(events) / (static_cast<double>(state.iterations()) * n);
}
BENCHMARK_TEMPLATE(BM_poisson_drive, lookup::linear, false)->Name("BM_poisson_drive/linear");
BENCHMARK_TEMPLATE(BM_poisson_drive, lookup::count, false)->Name("BM_poisson_drive/count");
BENCHMARK_TEMPLATE(BM_poisson_drive, lookup::bisect, false)->Name("BM_poisson_drive/bisect");
BENCHMARK_TEMPLATE(BM_poisson_drive, lookup::guide, false)->Name("BM_poisson_drive/guide");
BENCHMARK_TEMPLATE(BM_poisson_drive, lookup::linear, true)->Name("BM_poisson_drive/linear_shared_rng");
BENCHMARK_TEMPLATE(BM_poisson_drive, lookup::bisect, true)->Name("BM_poisson_drive/bisect_shared_rng");

} // namespace
