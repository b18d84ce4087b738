// SPDX-License-Identifier: MIT
// Core's extension points, exercised by a plug-in written here and nowhere else: a backend that
// declares its own ledger counter and random stream through its registry entry, touching no core
// file. The counter must reach the ledger, the HDF5 file, the file's reader and the energy
// presets by name; the registry must refuse a plug-in that takes another's stream or counter.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include <unistd.h>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/backend.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/recorder.hpp"
#include "support.hpp"

using namespace memspike;

namespace {

/// Delivers through the digital backend and counts what it delivered in its own counter.
class counting final : public synaptic_backend {
public:
    explicit counting(std::unique_ptr<synaptic_backend> inner) : inner_(std::move(inner)) {}
    std::uint64_t deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part, input_buffer& in) override {
        const std::uint64_t n = inner_->deliver(t, arrivals, part, in);
        delivered_ += n;
        return n;
    }
    void add_events(std::span<std::uint64_t> mine) const override { mine[1] += delivered_; }  // slot 1: counting_delivered

private:
    std::unique_ptr<synaptic_backend> inner_;
    std::uint64_t delivered_ = 0;
};

backend_info counting_backend(stream_purpose stream = stream_purpose{4242}, std::string counter = "counting_delivered") {
    backend_info info;
    info.name = "counting";
    info.summary = "digital delivery, counted again by the plug-in";
    info.counters = {{"counting_unused", "events", "never incremented"}, {std::move(counter), "events", "synaptic events it delivered"}};
    info.streams = {{"counting", stream, "none drawn"}};
    info.create = [](const backend_context& cx) {
        auto inner = digital_backend().create(cx);
        std::vector<std::unique_ptr<synaptic_backend>> out;
        for (auto& b : inner) out.push_back(std::make_unique<counting>(std::move(b)));
        return out;
    };
    return info;
}

} // namespace

TEST_CASE("a backend's own ledger counter reaches events(), the HDF5 file and its reader by name", "[unit][extension]") {
    model_registry registry = builtin_registry();
    registry.add_backend(counting_backend());
    scenario sc = test::brunel(1000, 100, 5.0, 2.0, 30.0, 2, 1.0);
    sc.backend.kind = "counting";
    const std::string path = (std::filesystem::temp_directory_path() / ("memspike_ext_" + std::to_string(::getpid()) + ".h5")).string();
    simulation sim(sc, registry, 2);
    auto rec = recorder::open_hdf5(path, run_info::of(sc, 2, "test"));
    sim.attach(*rec);
    sim.run(sc.duration_ticks());
    rec->close(true, 0.0, sim.now());

    const event_counts e = sim.events();
    // The engine's counters first, then the plug-in's, in its declaration order.
    std::vector<std::string> expected_names = event_counts().names();
    expected_names.push_back("counting_unused");
    expected_names.push_back("counting_delivered");
    CHECK(e.names() == expected_names);
    REQUIRE(e[event_kind::synaptic_events] > 1000);
    CHECK(e.at("counting_delivered") == e[event_kind::synaptic_events]);  // a slot mix-up breaks this
    CHECK(e.at("counting_unused") == 0);
    CHECK_THROWS_WITH(e.at("crossbar_tiles_woken"), Catch::Contains("ledger category") && Catch::Contains("counting_delivered"));

    const recorded_ledger ledger = read_energy_ledger(path);
    CHECK(ledger.totals == e);
    std::filesystem::remove(path);

    // The same spikes as the digital backend it wraps: the plug-in changed what is counted only.
    scenario dsc = sc;
    dsc.backend.kind = "digital";
    simulation digital(dsc, registry, 1);
    digital.run(dsc.duration_ticks());
    for (std::size_t p = 0; p < sc.populations.size(); ++p) {
        CHECK(digital.spikes()[p].ids == sim.spikes()[p].ids);
        CHECK(digital.spikes()[p].ticks == sim.spikes()[p].ticks);
    }
}

TEST_CASE("an energy preset may price a backend's counter only when it names that backend", "[unit][extension][energy]") {
    model_registry registry = builtin_registry();
    registry.add_backend(counting_backend());
    const std::string head = "[model]\nname = \"c\"\nkind = \"event\"\ndescription = \"d\"\n";
    const std::string cost = "[cost.counting_delivered]\nenergy = \"2 pJ\"\nsource = \"made up for the test\"\n";
    CHECK_THROWS_WITH(parse_energy_model(head + cost, "c.toml", registry),
                      Catch::Contains("c.toml:5") && Catch::Contains("unknown category") && Catch::Contains("idle_neuron_ticks"));
    CHECK_THROWS_WITH(parse_energy_model(head + "backend = \"nowhere\"\n" + cost, "c.toml", registry),
                      Catch::Contains("model.backend") && Catch::Contains("unknown backend 'nowhere'") && Catch::Contains("counting"));
    const energy_model m = parse_energy_model(head + "backend = \"counting\"\n" + cost, "c.toml", registry);
    event_counts c(std::vector<std::string>{"spikes", "synaptic_events", "stimulus_events", "neuron_updates", "trace_updates",
                                            "weight_updates", "counting_unused", "counting_delivered"});
    c.at("counting_delivered") = 21;
    const energy_estimate est = estimate_energy(m, c, dense_profile{}, 10, 0.1);
    REQUIRE(est.lines.size() == 1);
    CHECK(est.lines[0].category == "counting_delivered");
    CHECK(est.total_pj == 42.0);
    // The shipped registry has no such backend: the same preset is refused there.
    CHECK_THROWS_WITH(parse_energy_model(head + "backend = \"counting\"\n" + cost, "c.toml", builtin_registry()),
                      Catch::Contains("unknown backend 'counting'"));
}

TEST_CASE("the registry refuses a plug-in that takes another's random stream or an engine counter", "[unit][extension]") {
    model_registry registry = builtin_registry();
    // 8 is the crossbar's device stream, 1 core's connectivity stream.
    CHECK_THROWS_WITH(registry.add_backend(counting_backend(stream_purpose{8})),
                      Catch::Contains("counting") && Catch::Contains("purpose number 8") && Catch::Contains("crossbar_device"));
    CHECK_THROWS_WITH(registry.add_backend(counting_backend(stream_purpose::connectivity)), Catch::Contains("'connectivity'"));
    CHECK_THROWS_WITH(registry.add_backend(counting_backend(stream_purpose{4242}, "spikes")), Catch::Contains("engine"));
    // Every stream the built-in plug-ins draw from is listed once, with core's first.
    const auto& streams = builtin_registry().streams();
    for (std::size_t a = 0; a < streams.size(); ++a)
        for (std::size_t b = a + 1; b < streams.size(); ++b) CHECK(streams[a].purpose != streams[b].purpose);
    for (const char* name : {"connectivity", "poisson_source", "crossbar_device", "crossbar_read", "crossbar_write"})
        CHECK(std::any_of(streams.begin(), streams.end(), [&](const stream_info& s) { return s.name == name; }));
}

TEST_CASE("a ledger read from a file must start with the engine's counters", "[unit][extension]") {
    CHECK_THROWS_WITH(event_counts(std::vector<std::string>{"synaptic_events", "spikes"}),
                      Catch::Contains("must start with the engine's") && Catch::Contains("synaptic_events, spikes"));
}
