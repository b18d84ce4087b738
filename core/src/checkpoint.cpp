// SPDX-License-Identifier: MIT
// Checkpoints: simulation::save_state and load_state, a binary file of the complete dynamic state
// guarded by a magic string, a version and a fingerprint of the scenario.
#include "simulation_impl.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "memspike/core/state_io.hpp"

namespace memspike {
namespace {

constexpr char state_magic[16] = "MEMSPIKE-STATE\0";
constexpr std::uint32_t state_version = 1;

/// A fingerprint of everything that shapes the state: a checkpoint only fits a simulation built
/// from the same scenario.
std::uint64_t fingerprint(const scenario& sc, const synapse_store& store) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&](const void* data, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(data);
        for (std::size_t k = 0; k < n; ++k) {
            h ^= b[k];
            h *= 0x100000001b3ULL;
        }
    };
    auto mix_str = [&](const std::string& x) { mix(x.data(), x.size()); mix("\0", 1); };
    auto mix_num = [&](double x) { mix(&x, sizeof x); };
    mix_num(sc.simulation.resolution_ms);
    mix(&sc.simulation.seed, sizeof sc.simulation.seed);
    for (const auto& p : sc.populations) {
        mix_str(p.name);
        mix_str(p.model);
        mix(&p.size, sizeof p.size);
        for (const auto& [k, v] : p.params) {
            mix_str(k);
            mix_num(v);
        }
    }
    for (const auto& p : sc.projections) {
        mix_str(p.name);
        mix_str(p.rule);
        mix_str(p.plasticity.rule);
        for (const auto& [k, v] : p.plasticity.params) {
            mix_str(k);
            mix_num(v);
        }
    }
    mix_str(sc.backend.kind);  // a checkpoint holds the backend's state (device conductances...)
    for (const auto& [k, v] : sc.backend.params) {
        mix_str(k);
        mix_num(v);
    }
    for (const auto& st : sc.stimuli) {
        mix_str(st.name);
        mix_str(st.kind);
        for (const double x : {st.rate_hz, st.weight, st.amplitude_pa, st.start_ms, st.stop_ms}) mix_num(x);
    }
    for (const auto& blocks : store.blocks)
        for (const auto& b : blocks) {
            const std::uint64_t n = b.size();
            mix(&n, sizeof n);
            mix(&b.delay_min, sizeof b.delay_min);
            mix(&b.delay_count, sizeof b.delay_count);
        }
    return h;
}

} // namespace

void simulation::save_state(const std::string& path) const {
    using namespace state_io;
    const auto& im = *impl_;
    std::ofstream os(path, std::ios::binary | std::ios::trunc);
    if (!os) throw io_error("cannot write checkpoint '" + path + "': " + std::strerror(errno));
    os.write(state_magic, sizeof state_magic);
    put(os, state_version);
    put(os, fingerprint(im.sc, im.store));
    put(os, im.now);
    put(os, im.counters);
    put(os, static_cast<std::uint64_t>(im.ring.size()));
    for (const auto& slot : im.ring) put_vector(os, slot);
    put(os, static_cast<std::uint64_t>(im.next_current_event));
    put(os, static_cast<std::uint64_t>(im.next_modulator_event));
    for (std::size_t p = 0; p < im.parts.size(); ++p) {
        const auto& part = im.parts[p];
        part.group->save_state(os);
        for (const auto& d : part.drives) {
            put_vector(os, d.rng);
            put_vector(os, d.next_ms);
            auto heap = d.heap;
            const auto& c = container_of(heap);
            std::vector<tick_t> ticks;
            std::vector<std::uint32_t> ids;
            for (const auto& [t, i] : c) {
                ticks.push_back(t);
                ids.push_back(i);
            }
            put_vector(os, ticks);
            put_vector(os, ids);
        }
        for (std::size_t b = 0; b < im.store.blocks[p].size(); ++b) {
            const auto& block = im.store.blocks[p][b];
            put(os, static_cast<std::uint8_t>(block.homogeneous));
            put(os, block.weight_value);
            put_vector(os, block.weights);
            if (part.plastic[b]) part.plastic[b]->save_state(os);
        }
        part.backend->save_state(os);
    }
    if (!os.flush()) throw io_error("writing checkpoint '" + path + "' failed: " + std::strerror(errno));
}

void simulation::load_state(const std::string& path) {
    using namespace state_io;
    auto& im = *impl_;
    std::ifstream is(path, std::ios::binary);
    if (!is) throw io_error("cannot read checkpoint '" + path + "': " + std::strerror(errno));
    char magic[sizeof state_magic];
    std::uint32_t version = 0;
    std::uint64_t print = 0;
    if (!is.read(magic, sizeof magic) || std::memcmp(magic, state_magic, sizeof magic) != 0)
        throw io_error("'" + path + "' is not a memspike checkpoint");
    get(is, version);
    if (version != state_version)
        throw io_error("checkpoint '" + path + "' has version " + std::to_string(version) + "; this memspike reads version " +
                       std::to_string(state_version));
    get(is, print);
    if (print != fingerprint(im.sc, im.store))
        throw io_error("checkpoint '" + path + "' was written by a simulation of another scenario (populations, "
                       "parameters, projections, stimuli or seed differ)");
    try {
        get(is, im.now);
        get(is, im.counters);
        std::uint64_t slots = 0;
        get(is, slots);
        if (slots != im.ring.size()) throw io_error("checkpoint: ring size does not match this network");
        for (auto& slot : im.ring) get_vector(is, slot);
        std::uint64_t next_current = 0, next_modulator = 0;
        get(is, next_current);
        get(is, next_modulator);
        if (next_current > im.current_events.size() || next_modulator > im.modulator_events.size())
            throw io_error("checkpoint: stimulus positions do not match this network");
        im.next_current_event = next_current;
        im.next_modulator_event = next_modulator;
        for (std::size_t p = 0; p < im.parts.size(); ++p) {
            auto& part = im.parts[p];
            part.group->load_state(is);
            for (auto& d : part.drives) {
                get_exact(is, d.rng, d.rng.size());
                get_exact(is, d.next_ms, d.next_ms.size());
                std::vector<tick_t> ticks;
                std::vector<std::uint32_t> ids;
                get_vector(is, ticks);
                get_exact(is, ids, ticks.size());
                auto& c = container_of(d.heap);
                c.clear();
                for (std::size_t k = 0; k < ticks.size(); ++k) c.emplace_back(ticks[k], ids[k]);
            }
            for (std::size_t b = 0; b < im.store.blocks[p].size(); ++b) {
                auto& block = im.store.blocks[p][b];
                std::uint8_t homogeneous = 0;
                get(is, homogeneous);
                block.homogeneous = homogeneous != 0;
                get(is, block.weight_value);
                get_vector(is, block.weights, block.size());
                if (!block.homogeneous && block.weights.size() != block.size())
                    throw io_error("checkpoint: weights do not match this network");
                if (part.plastic[b]) part.plastic[b]->load_state(is);
            }
            part.backend->load_state(is);
        }
    } catch (const io_error& e) {
        throw io_error(std::string(e.what()) + " (file '" + path + "'; the simulation is now in an undefined state)");
    }
}

} // namespace memspike
