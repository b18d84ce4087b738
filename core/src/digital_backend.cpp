// SPDX-License-Identifier: MIT
// The digital backend: exact float weights, delivered event by event. The reference every other
// backend is compared with, and the fast path of the event-driven engine.
#include "memspike/core/backend.hpp"

namespace memspike {
namespace {

class digital final : public synaptic_backend {
public:
    std::uint64_t deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                          input_buffer& in) override {
        std::uint8_t* flag = in.flag.data();
        std::uint64_t delivered = 0;
        // (Software prefetch of the next range was tried and measured slower: the hardware
        // prefetcher already follows these contiguous ranges.)
        part.for_each_range(t, arrivals, [&](std::uint32_t, std::size_t, synapse_block& block, std::uint64_t lo, std::uint64_t hi,
                                             const spike_arrival&) {
            double* sum = in.sum[block.port].data();
            const std::uint32_t* target = block.targets.data();
            auto visit = [&](std::uint32_t i, double w) {
                sum[i] += w;
                if (!flag[i]) {
                    flag[i] = 1;
                    in.touched.push_back(i);
                }
            };
            if (block.homogeneous) {
                const double w = block.weight_value;
                for (std::uint64_t j = lo; j < hi; ++j) visit(target[j], w);
            } else {
                const float* weight = block.weights.data();
                for (std::uint64_t j = lo; j < hi; ++j) visit(target[j], static_cast<double>(weight[j]));
            }
            delivered += hi - lo;
        });
        return delivered;
    }
};

} // namespace

backend_info digital_backend() {
    backend_info info;
    info.name = "digital";
    info.summary = "exact float weights, delivered event by event (the reference)";
    info.ranks_safe = true;  // nothing but each partition's own blocks
    info.create = [](const backend_context& cx) {
        std::vector<std::unique_ptr<synaptic_backend>> out;
        for (std::size_t p = 0; p < cx.store.partitions.size(); ++p) out.push_back(std::make_unique<digital>());
        return out;
    };
    return info;
}

} // namespace memspike
