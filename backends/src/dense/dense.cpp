// SPDX-License-Identifier: MIT
// The dense backend: the network as a clock-driven machine (CPU, GPU) runs it. Every tick, every
// projection's weight matrix multiplies the spike vector, one matrix per delay:
//     y = sum_d W_d^T s_d,   s_d[j] = 1 when source j's spike reaches its synapses of delay d now,
// N_pre x N_post multiply-accumulates per matrix and tick, whether anything spiked or not.
//
// It is also the project's correctness oracle. The matrices come from the same synapse store, and
// a neuron receives input in a tick exactly when a synapse of an arriving spike targets it (a
// presence bit per matrix entry keeps that apart from a zero weight). So on weights that are
// exactly representable, where the order of summation cannot matter, it reproduces the digital
// backend's spikes exactly: the scheduler, the lazy neuron update and the event-driven delivery
// are checked against a different algorithm (docs/decisions.md §13, design (a)).
#include "memspike/backends/dense/dense.hpp"

#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>
#include <string>

#include "memspike/core/errors.hpp"

namespace memspike::dense {
namespace {

constexpr const char* owner = "dense";

/// One synapse block as dense matrices: per delay, N_pre x n weights (row-major, sources in
/// rows) and presence bits.
struct dense_block {
    std::uint32_t sources = 0, targets = 0, delays = 0;
    std::uint32_t words = 0;                 // 64-bit words per presence row
    std::vector<float> w;                    // [delay][source][target]
    std::vector<std::uint64_t> present;      // [delay][source][word]
    std::vector<std::uint8_t> spiking;       // [delay][source]: s_d this tick
    std::vector<std::uint32_t> spiking_list; // (delay, source) pairs set this tick, as d * sources + j

    float* row(std::uint32_t d, std::uint32_t j) { return w.data() + (std::size_t{d} * sources + j) * targets; }
    std::uint64_t* bits(std::uint32_t d, std::uint32_t j) { return present.data() + (std::size_t{d} * sources + j) * words; }
};

class dense_partition final : public synaptic_backend {
public:
    explicit dense_partition(std::uint32_t targets) : y_(targets, 0.0), hit_((targets + 63) / 64, 0) {}

    void map_block(const synapse_block& b, std::uint32_t targets) {
        dense_block& m = blocks_.emplace_back();
        m.sources = static_cast<std::uint32_t>(b.source_count);
        m.targets = targets;
        m.delays = static_cast<std::uint32_t>(b.delay_count);
        m.words = (targets + 63) / 64;
        m.w.assign(std::size_t{m.delays} * m.sources * targets, 0.0f);
        m.present.assign(std::size_t{m.delays} * m.sources * m.words, 0);
        m.spiking.assign(std::size_t{m.delays} * m.sources, 0);
        for (std::uint32_t j = 0; j < m.sources; ++j)
            for (std::uint32_t d = 0; d < m.delays; ++d) load_range(m, b, j, d);
    }

    bool clock_driven() const override { return true; }

    std::uint64_t deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                          input_buffer& in) override {
        std::uint64_t delivered = 0;
        // The spike vectors s_d of every block; plastic ranges are brought up to date first.
        part.for_each_range(t, arrivals, [&](std::uint32_t b, std::size_t, synapse_block& block, std::uint64_t lo,
                                             std::uint64_t hi, const spike_arrival& a) {
            dense_block& m = blocks_[b];
            const auto d = static_cast<std::uint32_t>(a.delay - block.delay_min);
            if (part.plastic[b]) load_range(m, block, a.source, d);  // the rule has updated the range
            delivered += hi - lo;
            m.spiking[std::size_t{d} * m.sources + a.source] = 1;
            m.spiking_list.push_back(d * m.sources + a.source);
        });
        // y = sum_d W_d^T s_d over every source, per block and port; a neuron is touched when a
        // presence bit of a spiking row is set.
        for (std::size_t b = 0; b < blocks_.size(); ++b) {
            dense_block& m = blocks_[b];
            std::fill(y_.begin(), y_.end(), 0.0);
            for (std::uint32_t d = 0; d < m.delays; ++d)
                for (std::uint32_t j = 0; j < m.sources; ++j) {
                    const double s = m.spiking[std::size_t{d} * m.sources + j];
                    const float* wr = m.row(d, j);
                    for (std::uint32_t i = 0; i < m.targets; ++i) y_[i] += s * static_cast<double>(wr[i]);
                }
            macs_ += std::uint64_t{m.delays} * m.sources * m.targets;
            if (m.spiking_list.empty()) continue;
            for (const std::uint32_t ds : m.spiking_list) {
                const std::uint64_t* bits = m.bits(ds / m.sources, ds % m.sources);
                for (std::uint32_t q = 0; q < m.words; ++q) hit_[q] |= bits[q];
                m.spiking[ds] = 0;
            }
            m.spiking_list.clear();
            double* sum = in.sum[part.blocks[b].port].data();
            for (std::uint32_t q = 0; q < m.words; ++q) {
                for (std::uint64_t word = hit_[q]; word != 0; word &= word - 1) {
                    const std::uint32_t i = q * 64 + static_cast<std::uint32_t>(__builtin_ctzll(word));
                    sum[i] += y_[i];
                    if (!in.flag[i]) {
                        in.flag[i] = 1;
                        in.touched.push_back(i);
                    }
                }
                hit_[q] = 0;
            }
        }
        return delivered;
    }

    void weights_changed(tick_t t, const partition_view& part, std::size_t b) override {
        dense_block& m = blocks_[b];
        for (std::uint32_t j = 0; j < m.sources; ++j)
            for (std::uint32_t d = 0; d < m.delays; ++d) load_range(m, part.blocks[b], j, d);
    }

    void add_events(std::span<std::uint64_t> mine) const override { mine[0] += macs_; }  // dense_macs

    std::size_t memory_bytes() const override {
        std::size_t bytes = y_.capacity() * sizeof(double) + hit_.capacity() * 8;
        for (const auto& m : blocks_) bytes += m.w.capacity() * 4 + m.present.capacity() * 8 + m.spiking.capacity();
        return bytes;
    }

    void save_state(std::ostream& os) const override { os.write(reinterpret_cast<const char*>(&macs_), sizeof macs_); }
    void load_state(std::istream& is) override { is.read(reinterpret_cast<char*>(&macs_), sizeof macs_); }

private:
    /// Writes the synapses of (source j, delay index d) into the matrix: multapses add up.
    static void load_range(dense_block& m, const synapse_block& b, std::uint32_t j, std::uint32_t d) {
        const std::size_t k = std::size_t{j} * b.delay_count + d;
        float* wr = m.row(d, j);
        for (std::uint64_t q = b.offsets[k]; q < b.offsets[k + 1]; ++q) wr[b.targets[q]] = 0.0f;
        for (std::uint64_t q = b.offsets[k]; q < b.offsets[k + 1]; ++q) {
            wr[b.targets[q]] += b.weight(q);
            m.bits(d, j)[b.targets[q] / 64] |= std::uint64_t{1} << (b.targets[q] % 64);
        }
    }

    std::vector<dense_block> blocks_;  // parallel to the partition's synapse blocks
    std::vector<double> y_;
    std::vector<std::uint64_t> hit_;
    std::uint64_t macs_ = 0;
};

} // namespace

backend_info dense_backend() {
    backend_info info;
    info.name = "dense";
    info.summary = "clock-driven: every tick, each projection's dense weight matrix (one per delay) times the spike vector";
    info.ranks_safe = true;  // each partition's own dense matrices, no random streams
    info.params = {{"max_memory", dimension::dimensionless, 8.0, "largest size of the dense matrices, GiB (a guard)"}};
    info.counters = {{"dense_macs", "events", "multiply-accumulates of the clock-driven weight-matrix products"}};
    info.validate = [](const param_map& p) { require_positive(owner, p, "max_memory", dimension::dimensionless); };
    info.create = [](const backend_context& cx) {
        double bytes = 0.0;
        for (std::size_t p = 0; p < cx.store.partitions.size(); ++p)
            for (const auto& b : cx.store.blocks[p])
                bytes += static_cast<double>(b.source_count) * static_cast<double>(b.delay_count) *
                         static_cast<double>(cx.store.partitions[p].count) * (4.0 + 1.0 / 8.0);
        const double limit = cx.params.at("max_memory") * 1024.0 * 1024.0 * 1024.0;
        if (bytes > limit)
            throw invalid_parameter(owner, "max_memory", format_quantity(cx.params.at("max_memory"), dimension::dimensionless) + " GiB",
                                    "the dense matrices of this network need " + std::to_string(bytes / (1024.0 * 1024.0 * 1024.0)) +
                                        " GiB (N_pre x N_post x delays x 4.125 bytes); raise max_memory or use a smaller network");
        std::vector<std::unique_ptr<synaptic_backend>> out;
        for (std::size_t p = 0; p < cx.store.partitions.size(); ++p) {
            const auto n = static_cast<std::uint32_t>(cx.store.partitions[p].count);
            auto part = std::make_unique<dense_partition>(n);
            for (const auto& b : cx.store.blocks[p]) part->map_block(b, n);
            out.push_back(std::move(part));
        }
        return out;
    };
    // For the resource estimate: per block, a float weight and a presence bit per (delay, source,
    // target), a spike flag per (delay, source); per partition target, its sum (8) and hit bit.
    info.memory = [](const param_map&, const std::vector<block_shape>& shapes) {
        backend_memory m;
        for (const auto& b : shapes)
            m.steady_bytes += b.blocks * (b.delays * b.sources * (b.targets * (4.0 + 1.0 / 8.0) + 1.0) + 8.0 * b.targets);
        return m;
    };
    return info;
}

} // namespace memspike::dense
