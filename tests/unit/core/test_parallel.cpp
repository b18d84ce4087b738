// SPDX-License-Identifier: MIT
// threads = 2 really runs two partitions at the same moment. The thread-count tests
// (test_simulation.cpp, test_connectivity.cpp, test_crossbar.cpp) compare results across thread
// counts, and ThreadSanitizer runs them (scripts/sanitizers.sh); both would pass vacuously if the
// arena ran every partition on one thread. A backend plug-in written here makes the first
// delivery of each partition wait until another partition is inside its own delivery.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/backend.hpp"
#include "support.hpp"

using namespace memspike;

namespace {

/// Two deliveries meet: the first waits (up to a minute) for a second one to be running at the same time.
struct rendezvous {
    std::mutex m;
    std::condition_variable cv;
    int inside = 0;
    bool met = false;
    bool gave_up = false;

    void arrive() {
        std::unique_lock lock(m);
        if (met || gave_up) return;
        if (++inside >= 2) {
            met = true;
            cv.notify_all();
        } else if (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return met; })) {
            gave_up = true;  // a lone thread: fail the test instead of hanging it
        }
        --inside;
    }
};

class meeting final : public synaptic_backend {
public:
    meeting(std::unique_ptr<synaptic_backend> inner, rendezvous& r) : inner_(std::move(inner)), r_(r) {}
    bool clock_driven() const override { return true; }  // delivered every tick, with or without spikes
    std::uint64_t deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part, input_buffer& in) override {
        r_.arrive();
        return inner_->deliver(t, arrivals, part, in);
    }

private:
    std::unique_ptr<synaptic_backend> inner_;
    rendezvous& r_;
};

} // namespace

TEST_CASE("threads = 2 delivers two partitions at the same time", "[unit][threads]") {
    if (std::thread::hardware_concurrency() < 2) {
        WARN("one hardware thread: oneTBB runs no worker, nothing to check");
        return;
    }
    rendezvous r;
    model_registry registry = builtin_registry();
    backend_info info;
    info.name = "meeting";
    info.summary = "digital delivery; the first delivery waits for a concurrent one";
    info.create = [&r](const backend_context& cx) {
        auto inner = digital_backend().create(cx);
        std::vector<std::unique_ptr<synaptic_backend>> out;
        for (auto& b : inner) out.push_back(std::make_unique<meeting>(std::move(b), r));
        return out;
    };
    registry.add_backend(info);
    scenario sc = test::brunel(1000, 100, 5.0, 2.0, 5.0, 1, 1.0);  // two populations: two partitions
    sc.backend.kind = "meeting";
    simulation sim(sc, registry, 2);
    sim.run(10);
    CHECK(r.met);
    CHECK_FALSE(r.gave_up);
}
