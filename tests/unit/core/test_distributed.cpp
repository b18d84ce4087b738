// SPDX-License-Identifier: MIT
// One network over several ranks (docs/mpi.md), without MPI: the ranks are threads of this process
// and the communicator an in-process one (a barrier and shared buffers), so the distributed
// simulation code (core/src/distributed.cpp) runs in every build, under ASan and TSan too. The
// result of rank 0 must equal the one-process result exactly: spikes, traces, weight snapshots,
// plasticity counters and every ledger bin. tests/mpi/test_mpi.py does the same through mpirun.
// What it catches: a partition built on no rank or two, a spike filed late, twice or out of order,
// a collective called by some ranks only (a hang: the barrier waits), a ledger summed wrongly.
#include <catch2/catch.hpp>

#include <barrier>
#include <cstring>
#include <thread>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/backend.hpp"
#include "memspike/core/communicator.hpp"
#include "memspike/core/memory_recorder.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"

using namespace memspike;

namespace {

/// What the ranks of one in-process world share.
struct world_state {
    explicit world_state(int n) : size(n), sync(n), parts(static_cast<std::size_t>(n)), numbers(static_cast<std::size_t>(n)) {}
    int size;
    std::barrier<> sync;
    std::vector<std::vector<std::byte>> parts;
    std::vector<std::vector<std::int64_t>> numbers;
};

/// A communicator over threads: each collective publishes this rank's part, waits for every rank,
/// reads, and waits again before anyone may publish the next part.
class thread_communicator final : public communicator {
public:
    thread_communicator(world_state& w, int rank) : w_(w), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return w_.size; }
    std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<std::size_t>& counts) override {
        return gather(mine, counts, true);
    }
    std::vector<std::byte> gather_to_root(std::span<const std::byte> mine, std::vector<std::size_t>& counts) override {
        return gather(mine, counts, rank_ == 0);
    }
    void sum(std::span<std::uint64_t> values) override {
        reduce(values, [](std::int64_t a, std::int64_t b) {
            return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
        });
    }
    void min(std::span<std::int64_t> values) override {
        reduce(values, [](std::int64_t a, std::int64_t b) { return std::min(a, b); });
    }
    [[noreturn]] void abort(int) override { std::abort(); }

private:
    std::vector<std::byte> gather(std::span<const std::byte> mine, std::vector<std::size_t>& counts, bool receives) {
        w_.parts[static_cast<std::size_t>(rank_)].assign(mine.begin(), mine.end());
        w_.sync.arrive_and_wait();
        std::vector<std::byte> out;
        counts.clear();
        if (receives)
            for (const auto& p : w_.parts) {
                out.insert(out.end(), p.begin(), p.end());
                counts.push_back(p.size());
            }
        w_.sync.arrive_and_wait();
        return out;
    }
    template <class T, class Op>
    void reduce(std::span<T> values, Op op) {
        auto& mine = w_.numbers[static_cast<std::size_t>(rank_)];
        mine.resize(values.size());
        for (std::size_t k = 0; k < values.size(); ++k) std::memcpy(&mine[k], &values[k], sizeof(T));
        w_.sync.arrive_and_wait();
        for (std::size_t k = 0; k < values.size(); ++k) {
            std::int64_t acc = w_.numbers[0][k];
            for (std::size_t r = 1; r < w_.numbers.size(); ++r) acc = op(acc, w_.numbers[r][k]);
            std::memcpy(&values[k], &acc, sizeof(T));
        }
        w_.sync.arrive_and_wait();
    }

    world_state& w_;
    int rank_;
};

constexpr tick_t ticks = 700;  // 70 ms of tests/mpi/mixed.toml: every stimulus and plasticity at work

run_data one_process(const scenario& sc) {
    simulation sim(sc, builtin_registry(), 1);
    memory_recorder rec(run_info::of(sc, 1, "one process"));
    sim.attach(rec);
    sim.run(ticks / 2);  // in two runs, as over_ranks does (a run snapshots weights at its ends)
    sim.run(ticks - ticks / 2);
    return rec.take();
}

/// Rank 0's recording of the run over `ranks` in-process ranks of `threads` threads each. Every
/// rank records into a memory recorder of its own; only rank 0's holds the whole run.
run_data over_ranks(const scenario& sc, int ranks, unsigned threads) {
    world_state world(ranks);
    std::vector<run_data> out(static_cast<std::size_t>(ranks));
    std::vector<std::thread> workers;
    for (int r = 0; r < ranks; ++r)
        workers.emplace_back([&, r] {
            thread_communicator comm(world, r);
            simulation sim(sc, builtin_registry(), threads, &comm);
            memory_recorder rec(run_info::of(sc, threads, "rank"));
            sim.attach(rec);
            sim.run(ticks / 2);  // two runs: the end-of-run exchange, then going on from it
            sim.run(ticks - ticks / 2);
            out[static_cast<std::size_t>(r)] = rec.take();
        });
    for (auto& w : workers) w.join();
    return std::move(out[0]);
}

void require_same(const run_data& want, const run_data& got) {
    REQUIRE(got.ticks_simulated == want.ticks_simulated);
    REQUIRE(got.spikes.size() == want.spikes.size());
    std::size_t spikes = 0;
    for (std::size_t p = 0; p < want.spikes.size(); ++p) {
        INFO("population " << want.spikes[p].name);
        CHECK(got.spikes[p].ids == want.spikes[p].ids);
        CHECK(got.spikes[p].ticks == want.spikes[p].ticks);
        spikes += want.spikes[p].ids.size();
    }
    REQUIRE(spikes > 1000);  // the comparison is not vacuous
    REQUIRE(got.traces.size() == want.traces.size());
    for (std::size_t k = 0; k < want.traces.size(); ++k) {
        INFO("trace " << want.traces[k].population << "." << want.traces[k].variable);
        CHECK(got.traces[k].ticks == want.traces[k].ticks);
        CHECK(got.traces[k].values == want.traces[k].values);
    }
    REQUIRE(got.weights.size() == want.weights.size());
    for (std::size_t k = 0; k < want.weights.size(); ++k) {
        const auto &g = got.weights[k], &w = want.weights[k];
        INFO("weights " << w.projection);
        CHECK(g.sources == w.sources);
        CHECK(g.targets == w.targets);
        CHECK(g.delays == w.delays);
        CHECK(g.ticks == w.ticks);
        CHECK(g.values == w.values);
        CHECK(g.weight_updates == w.weight_updates);
        CHECK(g.trace_updates == w.trace_updates);
        CHECK(w.weight_updates > 0);
    }
    CHECK(got.energy.synapses == want.energy.synapses);
    CHECK(got.energy.ticks == want.energy.ticks);
    CHECK(got.energy.counts == want.energy.counts);
}

} // namespace

TEST_CASE("distributed: 2 and 3 in-process ranks x 1 and 2 threads record what one process records", "[unit][distributed]") {
    const scenario sc = load_scenario(std::string(MEMSPIKE_SOURCE_DIR) + "/tests/mpi/mixed.toml", builtin_registry());
    const run_data want = one_process(sc);
    for (const auto& [ranks, threads] : {std::pair{2, 1u}, std::pair{3, 2u}}) {
        INFO(ranks << " ranks x " << threads << " threads, seed " << sc.simulation.seed);
        require_same(want, over_ranks(sc, ranks, threads));
    }
}

TEST_CASE("distributed: the crossbar over 2 in-process ranks records what one process records", "[unit][distributed]") {
    // Read noise, write noise and device-to-device variation on: the streams keyed by the
    // partition's network-wide index (rank 1 holds partitions 1.. of A as its 0..), and AA's
    // drawn weights, whose largest |w| differs between the ranks' blocks (the conductance scale).
    scenario sc = load_scenario(std::string(MEMSPIKE_SOURCE_DIR) + "/tests/mpi/mixed.toml", builtin_registry());
    sc.backend.kind = "crossbar";
    sc.backend.params["sigma_d2d"] = 0.1;
    sc.backend.params["tile_rows"] = 16;  // small tiles: few empty cells to draw devices for (seconds, not a minute)
    sc.backend.params["tile_cols"] = 16;
    const run_data want = one_process(sc);
    INFO("crossbar, 2 ranks x 1 thread, seed " << sc.simulation.seed);
    require_same(want, over_ranks(sc, 2, 1));
}

TEST_CASE("distributed: a backend that is not ranks_safe is refused over several ranks", "[unit][distributed]") {
    model_registry registry = builtin_registry();
    backend_info unsafe = digital_backend();
    unsafe.name = "unsafe";
    unsafe.ranks_safe = false;
    registry.add_backend(unsafe);
    scenario sc = load_scenario(std::string(MEMSPIKE_SOURCE_DIR) + "/tests/mpi/mixed.toml", registry);
    sc.backend.kind = "unsafe";
    REQUIRE_THROWS_WITH(check_distributable(sc, registry), Catch::Contains("cannot run over several MPI ranks"));
    for (const char* safe : {"dense", "crossbar", "digital"}) {
        sc.backend.kind = safe;
        REQUIRE_NOTHROW(check_distributable(sc, registry));
    }
}

TEST_CASE("distributed: a checkpoint per rank resumes the run over the same ranks", "[unit][distributed]") {
    const scenario sc = load_scenario(std::string(MEMSPIKE_SOURCE_DIR) + "/tests/mpi/mixed.toml", builtin_registry());
    // One process: the first half unrecorded, the second recorded.
    run_data want;
    {
        simulation sim(sc, builtin_registry(), 1);
        sim.run(ticks / 2);
        memory_recorder rec(run_info::of(sc, 1, "one process"));
        sim.attach(rec);
        sim.run(ticks - ticks / 2);
        want = rec.take();
    }
    // 3 ranks: the first half, a checkpoint per rank, then fresh simulations load them and go on.
    constexpr int ranks = 3;
    world_state world(ranks);
    std::vector<run_data> out(ranks);
    std::vector<std::thread> workers;
    for (int r = 0; r < ranks; ++r)
        workers.emplace_back([&, r] {
            thread_communicator comm(world, r);
            std::vector<std::byte> saved;
            {
                simulation sim(sc, builtin_registry(), 1, &comm);
                sim.run(ticks / 2);
                saved = sim.save_state_to_bytes();
            }
            simulation sim(sc, builtin_registry(), 1, &comm);
            sim.load_state_from_bytes(saved, "rank checkpoint");
            memory_recorder rec(run_info::of(sc, 1, "rank"));
            sim.attach(rec);
            sim.run(ticks - ticks / 2);
            out[static_cast<std::size_t>(r)] = rec.take();
        });
    for (auto& w : workers) w.join();
    require_same(want, out[0]);
}
