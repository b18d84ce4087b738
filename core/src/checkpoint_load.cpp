// SPDX-License-Identifier: MIT
// Loading checkpoints (format and phases: checkpoint.cpp). Everything here serves one promise: a
// load either succeeds completely or leaves the simulation exactly as it was, on any input.
#include "simulation_impl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <new>
#include <sstream>

#include "memspike/core/state_io.hpp"

namespace memspike {
namespace {

namespace hdr = state_io::header;
using drive_heap = std::vector<std::pair<tick_t, std::uint32_t>>;

/// What is wrong with a checkpoint's contents; load_state adds the file name.
struct fault : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string hex(std::uint64_t x) {
    char s[19];
    std::snprintf(s, sizeof s, "0x%016llx", static_cast<unsigned long long>(x));
    return s;
}

/// Reads the payload: every length is checked against the bounds given and against the bytes
/// left before anything is allocated.
struct reader {
    std::span<const std::byte> data;
    std::size_t pos = 0;

    std::size_t left() const { return data.size() - pos; }
    void need(std::uint64_t n, const std::string& what) const {
        if (n > left()) throw fault("its data end inside " + what + " (payload byte " + std::to_string(pos) + ")");
    }
    template <class T>
    T get(const std::string& what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, data.data() + pos, sizeof v);
        pos += sizeof v;
        return v;
    }
    /// A stored length: within [lo, hi], and that many elements of `elem` bytes must follow.
    std::uint64_t count(std::uint64_t lo, std::uint64_t hi, std::size_t elem, const std::string& what) {
        const auto n = get<std::uint64_t>(what);
        if (n < lo || n > hi)
            throw fault(what + " has " + std::to_string(n) + " entries where this network has " +
                        (lo == hi ? std::to_string(lo) : "at most " + std::to_string(hi)));
        if (n > left() / elem) throw fault("its data end inside " + what + " (payload byte " + std::to_string(pos) + ")");
        return n;
    }
    template <class T>
    void vec(std::vector<T>& v, std::uint64_t lo, std::uint64_t hi, const std::string& what) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto n = count(lo, hi, sizeof(T), what);
        v.resize(static_cast<std::size_t>(n));
        if (n) std::memcpy(v.data(), data.data() + pos, n * sizeof(T));
        pos += n * sizeof(T);
    }
    /// The length-framed state of one component.
    std::span<const std::byte> blob(const std::string& what) {
        const auto n = count(0, ~0ULL, 1, what);
        const auto b = data.subspan(pos, n);
        pos += n;
        return b;
    }
};
template <class T>
T field(std::span<const std::byte> b, std::size_t off) {
    T v;
    std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}

/// Checks everything the header vouches for: magic, byte order, version, size, checksum and the
/// two fingerprints. Throws a fault that reads after "checkpoint 'name' ".
void check_header(std::span<const std::byte> b, std::uint64_t scenario, std::uint64_t network) {
    const std::size_t n = b.size();
    const std::string bytes = std::to_string(n) + " bytes";
    const std::size_t m = std::min(n, sizeof hdr::magic);
    if (m > 0 && std::memcmp(b.data(), hdr::magic, m) != 0)  // an empty span's data() may be null
        throw fault("is not a memspike checkpoint (it does not start with \"MEMSPIKE-STATE\")");
    if (n < 24) throw fault("is truncated: " + bytes + ", shorter than its " + std::to_string(hdr::size) + "-byte header");
    const auto bom = field<std::uint32_t>(b, 20);
    const auto version = field<std::uint32_t>(b, 16);
    if (bom != hdr::byte_order_mark && version != 1)  // version 1 had no byte-order mark
        throw fault("was written on a machine of another byte order (or its header is damaged); it loads only where it was written");
    if (version != hdr::version)
        throw fault("has format version " + std::to_string(version) + "; this memspike reads version " +
                    std::to_string(hdr::version) + " only");
    if (n < hdr::size) throw fault("is truncated: " + bytes + ", shorter than its " + std::to_string(hdr::size) + "-byte header");
    const auto payload = field<std::uint64_t>(b, hdr::payload_bytes_at);
    const std::uint64_t have = n - hdr::size;
    if (have < payload)
        throw fault("is truncated: " + bytes + " where its header announces " + std::to_string(hdr::size) + " + " +
                    std::to_string(payload));
    if (have > payload)
        throw fault("has " + std::to_string(have - payload) + " bytes appended after its end (" + bytes +
                    " where its header announces " + std::to_string(hdr::size) + " + " + std::to_string(payload) + ")");
    const auto stored = field<std::uint64_t>(b, hdr::checksum_at), computed = state_io::checksum(b);
    if (stored != computed)
        throw fault("is damaged: its checksum " + hex(stored) + " does not match its contents (" + hex(computed) + ")");
    if (field<std::uint64_t>(b, hdr::scenario_print_at) != scenario)
        throw fault("was written by a simulation of another scenario (populations, parameters, projections, "
                    "plasticity, stimuli, backend, resolution or seed differ)");
    if (field<std::uint64_t>(b, hdr::network_print_at) != network)
        throw fault("was written by a simulation of another network: the scenario matches, but the synapses as "
                    "built (connections, delays or weights) differ");
}
/// A checkpoint's state, parsed and checked, waiting to be swapped in.
struct parsed_drive {
    std::vector<random_stream> rng;
    std::vector<double> next_ms;
    drive_heap heap;
};
struct parsed_block {
    bool homogeneous = false;
    float weight_value = 0.0f;
    std::vector<float> weights;
    std::span<const std::byte> plastic;
};
struct parsed_part {
    std::span<const std::byte> group, backend;
    std::vector<parsed_drive> drives;
    std::vector<parsed_block> blocks;
};
struct parsed_state {
    tick_t now = 0;
    run_counters counters;
    std::vector<std::vector<spike_arrival>> ring;
    std::uint64_t next_current = 0, next_modulator = 0;
    std::vector<parsed_part> parts;
};

/// Loads one component from its framed bytes, which it must read exactly.
template <class Component>
void load_component(Component& c, std::span<const std::byte> bytes, const std::string& what) {
    state_io::span_buffer buf(bytes);
    std::istream is(&buf);
    try {
        c.load_state(is);
    } catch (const std::exception& e) {
        std::string why = e.what();
        if (why.rfind("checkpoint: ", 0) == 0) why.erase(0, 12);
        throw fault("the state of " + what + " is refused: " + why);
    }
    if (!is) throw fault("the state of " + what + " ends early");
    if (buf.left() != 0) throw fault("the state of " + what + " has " + std::to_string(buf.left()) + " bytes its reader did not use");
}
} // namespace

namespace {

/// Phase 1: the payload into temporaries, every length and index checked against `im`.
/// Long because it follows the payload's layout field by field; each check names the part.
/// (A template only because simulation::impl is private: `Impl` is always that.)
template <class Impl>
parsed_state parse_payload(const Impl& im, std::span<const std::byte> payload) {
    reader r{payload};
    parsed_state st;
    st.now = r.get<tick_t>("the time");
    // 2^62 ticks (1.5e10 years at 0.1 ms) is beyond any run, and leaves room for the tick sums
    // below: a time near the largest tick overflowed the ring arithmetic (found by fuzz_checkpoint).
    constexpr tick_t latest = tick_t{1} << 62;
    if (st.now < 0 || st.now > latest)
        throw fault("its time is " + std::to_string(st.now) + " ticks (must be in [0, " + std::to_string(latest) + "])");
    st.counters = r.get<run_counters>("the counters");
    const auto L = static_cast<tick_t>(im.ring.size());
    r.count(im.ring.size(), im.ring.size(), 8, "the spike ring");  // each slot starts with its 8-byte length
    st.ring.resize(im.ring.size());
    const auto& pops = im.sc.populations;
    const auto& so = im.store.source_delay_offsets;
    for (std::size_t s = 0; s < st.ring.size(); ++s) {
        const std::string what = "spike ring slot " + std::to_string(s);
        r.vec(st.ring[s], 0, ~0ULL, what);
        const tick_t arrival = st.now + ((static_cast<tick_t>(s) - st.now % L) % L + L) % L;  // the tick slot s holds
        for (const spike_arrival& a : st.ring[s]) {
            if (a.population >= pops.size() || a.source >= pops[a.population].size)
                throw fault(what + " holds a spike of neuron " + std::to_string(a.source) + " of population " +
                            std::to_string(a.population) + ", which this network does not have");
            const std::uint64_t g = im.pop_offset[a.population] + a.source;
            const auto first = im.store.source_delays.begin() + static_cast<std::ptrdiff_t>(so[g]);
            const auto last = im.store.source_delays.begin() + static_cast<std::ptrdiff_t>(so[g + 1]);
            const tick_t sent = arrival - a.delay;
            if (std::find(first, last, a.delay) == last || sent < 0 || sent >= st.now)
                throw fault(what + " holds a spike of neuron " + std::to_string(a.source) + " of '" + pops[a.population].name +
                            "' with delay " + std::to_string(a.delay) + " ticks, which does not fit its synapses or the time");
        }
    }
    st.next_current = r.get<std::uint64_t>("the stimulus position");
    st.next_modulator = r.get<std::uint64_t>("the modulator position");
    // Both positions follow from the time: the events before it have been applied.
    auto before = [&](const auto& events) {
        return static_cast<std::uint64_t>(std::partition_point(events.begin(), events.end(),
                                                               [&](const auto& e) { return e.tick < st.now; }) -
                                          events.begin());
    };
    if (st.next_current != before(im.current_events) || st.next_modulator != before(im.modulator_events))
        throw fault("its stimulus and modulator positions (" + std::to_string(st.next_current) + ", " +
                    std::to_string(st.next_modulator) + ") do not fit its time");
    st.parts.resize(im.parts.size());
    for (std::size_t p = 0; p < im.parts.size(); ++p) {
        const auto& part = im.parts[p];
        auto& out = st.parts[p];
        const std::string where = "partition " + std::to_string(p) + " ('" + pops[part.range.population].name + "')";
        out.group = r.blob("the neurons of " + where);
        out.drives.resize(part.drives.size());
        for (std::size_t k = 0; k < part.drives.size(); ++k) {
            const auto& d = part.drives[k];
            auto& o = out.drives[k];
            const std::string what = "Poisson drive " + std::to_string(k) + " of " + where;
            r.vec(o.rng, d.stream_count(), d.stream_count(), what + " (random streams)");
            for (const random_stream& g : o.rng)
                if (state_io::all_zero(g)) throw fault(what + " has a random stream in the all-zero state, which never changes");
            r.vec(o.next_ms, d.next_ms.size(), d.next_ms.size(), what + " (next event times)");
            for (const double x : o.next_ms)
                if (std::isnan(x) || x == -std::numeric_limits<double>::infinity())
                    throw fault(what + " has an event time of " + std::to_string(x) + " ms");
            std::vector<tick_t> ticks;
            std::vector<std::uint32_t> ids;
            const std::size_t streams = std::min({d.stream_count(), d.next_ms.size(), d.shared ? d.stream_count() : d.targets.size()});
            r.vec(ticks, 0, streams, what + " (pending events)");
            r.vec(ids, ticks.size(), ticks.size(), what + " (pending event streams)");
            // Each pending event is where poisson_drive::push put it: once per stream, at the tick
            // of its stream's next time, not before the checkpoint's time (unless at or after the
            // drive's stop, where it is never taken). Otherwise a stream far in the past would
            // draw events for ages in one tick.
            std::vector<std::uint8_t> seen(streams, 0);
            const double stop_ms = d.stop == Impl::never ? std::numeric_limits<double>::infinity() : static_cast<double>(d.stop) * d.h_ms;
            for (std::size_t j = 0; j < ticks.size(); ++j) {
                if (ids[j] >= streams || seen[ids[j]]++)
                    throw fault(what + " has a pending event of stream " + std::to_string(ids[j]) + " (of " + std::to_string(streams) + ") twice or out of range");
                const double at = o.next_ms[ids[j]] / d.h_ms;
                if (!(o.next_ms[ids[j]] < stop_ms) || !(std::abs(at) < 4e18) ||
                    ticks[j] != std::max<tick_t>(d.start, static_cast<tick_t>(std::ceil(at))) || (ticks[j] < st.now && ticks[j] < d.stop))
                    throw fault(what + " has a pending event at tick " + std::to_string(ticks[j]) + " that does not fit its stream's time or the checkpoint's");
                o.heap.emplace_back(ticks[j], ids[j]);
            }
            if (!std::is_heap(o.heap.begin(), o.heap.end(), std::greater<>{})) throw fault(what + " has its pending events out of order");
        }
        out.blocks.resize(im.store.blocks[p].size());
        for (std::size_t b = 0; b < out.blocks.size(); ++b) {
            const auto& block = im.store.blocks[p][b];
            auto& o = out.blocks[b];
            const std::string what = "the synapses of projection '" + im.sc.projections[block.projection].name + "' in " + where;
            const auto flag = r.get<std::uint8_t>(what);
            o.weight_value = r.get<float>(what);
            if (flag > 1 || (flag == 1 && part.plastic[b]) || !std::isfinite(o.weight_value))
                throw fault(what + ": its weight layout (" + std::to_string(flag) + ", " + std::to_string(o.weight_value) + ") is invalid");
            o.homogeneous = flag == 1;
            const std::uint64_t n = o.homogeneous ? 0 : block.size();  // a shared weight, or one per synapse
            r.vec(o.weights, n, n, what + " (weights)");
            for (std::size_t j = 0; j < o.weights.size(); ++j)
                if (!std::isfinite(o.weights[j])) throw fault(what + ": weight " + std::to_string(j) + " is not finite");
            if (part.plastic[b]) o.plastic = r.blob("the plasticity state of " + what);
        }
        out.backend = r.blob("the backend state of " + where);
    }
    if (r.left() != 0) throw fault("its payload has " + std::to_string(r.left()) + " bytes after the last partition");
    return st;
}

} // namespace

/// Phase 2: the components from their bytes (undone from a snapshot if one refuses them), then
/// the checked temporaries swapped in. (About 80 lines: the all-or-nothing sequence reads best in
/// one place.)
void simulation::impl::read_state(std::span<const std::byte> bytes, const std::string& name) {
    const std::string unchanged = "; the simulation is unchanged";
    parsed_state st;
    try {
        check_header(bytes, fingerprint_of(sc), network_print);
        st = parse_payload(*this, bytes.subspan(hdr::size));
    } catch (const fault& f) {
        throw io_error("checkpoint '" + name + "' " + f.what() + unchanged);
    } catch (const std::bad_alloc&) {
        throw io_error("checkpoint '" + name + "' does not fit in memory" + unchanged);
    }
    // Every component, in one order, for the snapshot, the load and the undo.
    struct slot {
        std::function<void(std::ostream&)> save;
        std::function<void(std::istream&)> load;
        std::span<const std::byte> bytes;
        std::string what;
    };
    std::vector<slot> slots;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        auto& part = parts[p];
        const std::string where = "partition " + std::to_string(p);
        slots.push_back({[&part](std::ostream& o) { part.group->save_state(o); },
                         [&part](std::istream& i) { part.group->load_state(i); }, st.parts[p].group, "the neurons of " + where});
        for (std::size_t b = 0; b < part.plastic.size(); ++b)
            if (part.plastic[b])
                slots.push_back({[&part, b](std::ostream& o) { part.plastic[b]->save_state(o); },
                                 [&part, b](std::istream& i) { part.plastic[b]->load_state(i); }, st.parts[p].blocks[b].plastic,
                                 "the plasticity of block " + std::to_string(b) + " of " + where});
        slots.push_back({[&part](std::ostream& o) { part.backend->save_state(o); },
                         [&part](std::istream& i) { part.backend->load_state(i); }, st.parts[p].backend, "the backend of " + where});
    }
    struct loader {
        const std::function<void(std::istream&)>& f;
        void load_state(std::istream& i) { f(i); }
    };
    std::vector<std::string> undo(slots.size());
    for (std::size_t k = 0; k < slots.size(); ++k) {
        std::ostringstream os;
        slots[k].save(os);
        undo[k] = os.str();
    }
    std::size_t k = 0;
    try {
        for (; k < slots.size(); ++k) {
            loader l{slots[k].load};
            load_component(l, slots[k].bytes, slots[k].what);
        }
        // A partition's components cannot see the checkpoint's time; check it here. Every tick
        // before it has run, so nothing can be due before it (next_event_tick of the tick before
        // is at least the time). A poisson_source whose spike time and pending tick were both
        // far in the past would otherwise draw spikes for ages within one tick.
        for (std::size_t p = 0; p < parts.size(); ++p)
            if (const tick_t due = parts[p].group->next_event_tick(st.now - 1); due < st.now)
                throw fault("the neurons of partition " + std::to_string(p) + " have an event due at tick " +
                            std::to_string(due) + ", before its time (" + std::to_string(st.now) + ")");
    } catch (const fault& f) {
        for (std::size_t u = 0; u <= k && u < slots.size(); ++u) {
            loader l{slots[u].load};
            try {
                load_component(l, std::as_bytes(std::span(undo[u])), slots[u].what);
            } catch (const fault& g) {
                throw internal_error(std::string("restoring the state after a refused checkpoint failed: ") + g.what());
            }
        }
        throw io_error("checkpoint '" + name + "' does not fit this simulation: " + f.what() + unchanged);
    }
    // Nothing below can fail.
    now = st.now;
    // Over ranks (docs/mpi.md): a checkpoint is taken between runs, when every spike is exchanged.
    if (comm) {
        pending_.clear();
        next_exchange = now + exchange_interval;
    }
    counters = st.counters;
    ring.swap(st.ring);
    next_current_event = static_cast<std::size_t>(st.next_current);
    next_modulator_event = static_cast<std::size_t>(st.next_modulator);
    for (std::size_t p = 0; p < parts.size(); ++p) {
        for (std::size_t d = 0; d < parts[p].drives.size(); ++d) {
            auto& drive = parts[p].drives[d];
            auto& o = st.parts[p].drives[d];
            drive.set_streams(std::move(o.rng));
            drive.next_ms.swap(o.next_ms);
            state_io::container_of(drive.heap).swap(o.heap);
        }
        for (std::size_t b = 0; b < store.blocks[p].size(); ++b) {
            auto& block = store.blocks[p][b];
            auto& o = st.parts[p].blocks[b];
            block.homogeneous = o.homogeneous;
            block.weight_value = o.weight_value;
            block.weights.swap(o.weights);
        }
    }
}

void simulation::load_state_from_bytes(std::span<const std::byte> bytes, const std::string& name) {
    impl_->read_state(bytes, name);
}

void simulation::load_state(const std::string& path) {
    // O_NONBLOCK: a FIFO must not block the open; it is refused below as not a regular file.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw io_error("cannot read checkpoint '" + path + "': " + std::strerror(errno));
    std::vector<std::byte> bytes;
    try {
        struct stat st {};
        if (::fstat(fd, &st) != 0) throw io_error("cannot read checkpoint '" + path + "': " + std::strerror(errno));
        if (!S_ISREG(st.st_mode))
            throw io_error("cannot read checkpoint '" + path + "': " + (S_ISDIR(st.st_mode) ? "a directory" : "not a regular file"));
        try {
            bytes.resize(static_cast<std::size_t>(st.st_size));
        } catch (const std::bad_alloc&) {
            throw io_error("checkpoint '" + path + "' (" + std::to_string(st.st_size) + " bytes) does not fit in memory; the simulation is unchanged");
        }
        std::size_t got = 0;
        while (got < bytes.size()) {
            const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw io_error("cannot read checkpoint '" + path + "': " + std::strerror(errno));
            if (n == 0) break;  // shrank while being read: the size check will say so
            got += static_cast<std::size_t>(n);
        }
        bytes.resize(got);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    impl_->read_state(bytes, path);
}

} // namespace memspike
