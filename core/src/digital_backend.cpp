// SPDX-License-Identifier: MIT
// The digital backend: exact float weights, delivered event by event. The reference every other
// backend is compared with, and the fast path of the event-driven engine.
#include "memspike/core/backend.hpp"

#include <algorithm>

namespace memspike {
namespace {

class digital final : public synaptic_backend {
public:
    std::uint64_t deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                          input_buffer& in) override {
        if (part.any_plastic) return deliver_in_order(t, arrivals, part, in);
        return deliver_staged(arrivals, part, in);
    }

private:
    /// One (source, delay) range of one block, found in stage 1 and read in stages 2 and 3.
    struct range {
        const synapse_block* block;
        std::uint64_t lo, hi;  // stage 1 stores the CSR index k in lo
    };
    std::vector<range> ranges_;  // reused from tick to tick

    /// visit(target, weight) for the synapses [lo, hi) of `block`, in order; the block's one weight
    /// is read once when it is homogeneous (no weights array).
    template <class Visit>
    static void for_each_synapse(const synapse_block& block, std::uint64_t lo, std::uint64_t hi, Visit&& visit) {
        const std::uint32_t* target = block.targets.data();
        if (block.homogeneous) {
            const double w = block.weight_value;
            for (std::uint64_t j = lo; j < hi; ++j) visit(target[j], w);
        } else {
            const float* weight = block.weights.data();
            for (std::uint64_t j = lo; j < hi; ++j) visit(target[j], static_cast<double>(weight[j]));
        }
    }

    /// Scatter-adds one range: sum[target] += weight, listing each target the first time.
    static void add_range(const synapse_block& block, std::uint64_t lo, std::uint64_t hi, input_buffer& in) {
        double* sum = in.sum[block.port].data();
        std::uint8_t* flag = in.flag.data();
        for_each_synapse(block, lo, hi, [&](std::uint32_t i, double w) {
            sum[i] += w;
            if (!flag[i]) {
                flag[i] = 1;
                in.touched.push_back(i);
            }
        });
    }

    /// Plastic partitions: each range's on_pre must run just before the range is read.
    std::uint64_t deliver_in_order(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                                   input_buffer& in) {
        std::uint64_t delivered = 0;
        part.for_each_range(t, arrivals, [&](std::uint32_t, std::size_t, synapse_block& block, std::uint64_t lo,
                                             std::uint64_t hi, const spike_arrival&) {
            add_range(block, lo, hi, in);
            delivered += hi - lo;
        });
        return delivered;
    }

    /// Static partitions, in three stages over the tick's ranges so that their cache misses
    /// overlap instead of queueing behind each other (PD14: ~1,000 ranges of a few synapses per
    /// partition and tick, each range a miss on its CSR offsets and one on its targets):
    ///   1. find the (block, k) of every range (block metadata only, no miss);
    ///   2. read every range's [lo, hi): independent loads, which the core issues in parallel;
    ///      then the empty ones (PD14 full scale: 32 %, the source has no synapse of that
    ///      delay in that block) are dropped, so that stage 3 neither visits nor prefetches them;
    ///   3. scatter-add the ranges in the same order as for_each_range, prefetching the first
    ///      and last lines of the targets (and weights) of the range `ahead` places on.
    /// The additions into each sum happen in exactly the order of for_each_range, so the sums
    /// and the touched list are bit for bit those of the single-pass loop.
    std::uint64_t deliver_staged(std::span<const spike_arrival> arrivals, const partition_view& part, input_buffer& in) {
        ranges_.clear();
        for (const spike_arrival& a : arrivals)
            for (const std::uint32_t b : part.blocks_by_source[a.population]) {
                std::size_t k = 0;
                if (part.range_of(b, a, k)) ranges_.push_back({&part.blocks[b], k, 0});
            }
        // The offsets are read in place; the empty ranges are dropped in a second pass, in place
        // and without a branch (whether a range is empty is data the predictor cannot guess):
        // each is written, and the count moves on if non-empty. Not in the loop that reads the
        // offsets: there each store's address would wait for the previous range's miss (8 %
        // more CPU time on PD14, docs/benchmarks.md).
        std::uint64_t delivered = 0;
        for (range& r : ranges_) {
            const std::uint64_t* off = r.block->offsets.data() + r.lo;
            r.lo = off[0];
            r.hi = off[1];
            delivered += r.hi - r.lo;
        }
        std::size_t kept = 0;
        for (const range& r : ranges_) {
            ranges_[kept] = r;
            kept += r.hi > r.lo;
        }
        ranges_.resize(kept);
        // Stage 3 lists a target the first time it gets input without a branch either (after
        // the drive, "first input?" is true for ~20 % of PD14's events, at random): the entry is
        // written always and kept only when new, so touched needs room for one entry past the
        // last kept one, at most one per event and never more than the partition's neurons.
        std::size_t listed = in.touched.size();
        in.touched.resize(std::min<std::uint64_t>(listed + delivered + 1, in.flag.size() + 1));
        constexpr std::size_t ahead = 8;
        for (std::size_t i = 0; i < kept; ++i) {
            if (i + ahead < kept) {
                const range& f = ranges_[i + ahead];
                // The first and the last line of the range (they differ for ~40 % of PD14's
                // ranges, which the hardware's adjacent-line prefetch does not always cover).
                __builtin_prefetch(f.block->targets.data() + f.lo);
                __builtin_prefetch(f.block->targets.data() + f.hi - 1);
                if (!f.block->homogeneous) {
                    __builtin_prefetch(f.block->weights.data() + f.lo);
                    __builtin_prefetch(f.block->weights.data() + f.hi - 1);
                }
            }
            const range& r = ranges_[i];
            listed = add_range_listing(*r.block, r.lo, r.hi, in, listed);
        }
        in.touched.resize(listed);
        return delivered;
    }

    /// add_range without the branch on "first input?": sum[target] += weight, touched[listed] =
    /// target always, and listed moves on only when the target had no input yet. Returns listed.
    static std::size_t add_range_listing(const synapse_block& block, std::uint64_t lo, std::uint64_t hi, input_buffer& in,
                                         std::size_t listed) {
        double* sum = in.sum[block.port].data();
        std::uint8_t* flag = in.flag.data();
        std::uint32_t* touched = in.touched.data();
        for_each_synapse(block, lo, hi, [&](std::uint32_t i, double w) {
            sum[i] += w;
            touched[listed] = i;
            listed += flag[i] ^ 1;
            flag[i] = 1;
        });
        return listed;
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
