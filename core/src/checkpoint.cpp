// SPDX-License-Identifier: MIT
// Checkpoints: simulation::save_state and load_state. A checkpoint is a 56-byte header (magic,
// version, byte-order mark, payload size, fingerprints of the scenario and of the network as
// built, checksum; state_io::header) and a payload with the complete dynamic state. The format
// is described in docs/python.md, "Checkpoints".
//
// Loading is all or nothing. Phase 1 checks the header, the checksum and the fingerprints, then
// parses the whole payload into temporaries, checking every length and index against this
// simulation; the state of the components (neuron groups, plasticity rules, backends), which only
// they can read, is cut out as length-framed byte ranges. Phase 2 loads those components, undoing
// them from a snapshot if one refuses its bytes, and only then swaps the temporaries in.
// Saving writes a temporary file beside the target and renames it over the target.
#include "simulation_impl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <filesystem>
#include <new>
#include <sstream>

#include "memspike/core/state_io.hpp"

namespace memspike {
namespace {

namespace hdr = state_io::header;
using drive_heap = std::vector<std::pair<tick_t, std::uint32_t>>;

/// A fingerprint of the scenario: populations, projections (rules, plasticity), backend, stimuli,
/// resolution and seed. The synapses as built have their own (simulation::impl::fingerprint_of).
std::uint64_t scenario_print(const scenario& sc) {
    state_io::hash64 h;
    auto str = [&](const std::string& x) {
        h.update(x.data(), x.size());
        h.update("", 1);
    };
    auto num = [&](const auto& x) { h.update(&x, sizeof x); };
    num(sc.simulation.resolution_ms);
    num(sc.simulation.seed);
    for (const auto& p : sc.populations) {
        str(p.name);
        str(p.model);
        num(p.size);
        for (const auto& [k, v] : p.params) {
            str(k);
            num(v);
        }
    }
    for (const auto& p : sc.projections) {
        str(p.name);
        str(p.rule);
        str(p.plasticity.rule);
        for (const auto& [k, v] : p.plasticity.params) {
            str(k);
            num(v);
        }
    }
    str(sc.backend.kind);  // a checkpoint holds the backend's state (device conductances...)
    for (const auto& [k, v] : sc.backend.params) {
        str(k);
        num(v);
    }
    for (const auto& st : sc.stimuli) {
        str(st.name);
        str(st.kind);
        for (const double x : {st.rate_hz, st.weight, st.amplitude_pa, st.start_ms, st.stop_ms}) num(x);
    }
    return h.value();
}

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

/// Writes the payload to a file descriptor or to memory, hashing it on the way (the checksum).
class payload_sink : public std::streambuf {
public:
    explicit payload_sink(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
    explicit payload_sink(std::vector<std::byte>& out) : out_(&out) { setp(buf_, buf_ + sizeof buf_); }
    const state_io::hash64& hash() const { return hash_; }
    std::uint64_t bytes() const { return bytes_; }
    int error() const { return err_; }

protected:
    int_type overflow(int_type c) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    int sync() override { return drain() ? 0 : -1; }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        if (n < static_cast<std::streamsize>(sizeof buf_)) return std::streambuf::xsputn(s, n);
        // Large vectors (weights, conductances) go straight through, not via the buffer.
        return drain() && emit(s, static_cast<std::size_t>(n)) ? n : 0;
    }

private:
    bool drain() {
        const auto n = static_cast<std::size_t>(pptr() - pbase());
        setp(buf_, buf_ + sizeof buf_);
        return n == 0 || emit(buf_, n);
    }
    bool emit(const char* p, std::size_t n) {
        if (err_) return false;
        hash_.update(p, n);
        bytes_ += n;
        if (out_) {
            const auto* b = reinterpret_cast<const std::byte*>(p);
            out_->insert(out_->end(), b, b + n);
            return true;
        }
        while (n > 0) {
            const ssize_t w = ::write(fd_, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                err_ = w < 0 ? errno : EIO;
                return false;
            }
            p += w;
            n -= static_cast<std::size_t>(w);
        }
        return true;
    }
    int fd_ = -1;
    std::vector<std::byte>* out_ = nullptr;
    state_io::hash64 hash_;
    std::uint64_t bytes_ = 0;
    int err_ = 0;
    char buf_[1 << 16];
};

/// The header for a payload written through `sink`.
std::array<std::byte, hdr::size> make_header(const payload_sink& sink, std::uint64_t scenario, std::uint64_t network) {
    std::array<std::byte, hdr::size> h{};
    auto at = [&](std::size_t off, const auto& v) { std::memcpy(h.data() + off, &v, sizeof v); };
    std::memcpy(h.data(), hdr::magic, sizeof hdr::magic);
    at(16, hdr::version);
    at(20, hdr::byte_order_mark);
    at(hdr::payload_bytes_at, sink.bytes());
    at(hdr::scenario_print_at, scenario);
    at(hdr::network_print_at, network);
    state_io::hash64 sum = sink.hash();  // the payload's, continued over the header
    sum.update(h.data(), hdr::checksum_at);
    at(hdr::checksum_at, sum.value());
    return h;
}

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
    if (std::memcmp(b.data(), hdr::magic, m) != 0)
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

// ---- fingerprint of the network as built --------------------------------------------------------

std::uint64_t simulation::impl::fingerprint_of(const synapse_store& store) {
    state_io::hash64 h;
    auto num = [&](const auto& x) { h.update(&x, sizeof x); };
    auto vec = [&](const auto& v) {
        num(static_cast<std::uint64_t>(v.size()));
        h.update(v.data(), v.size() * sizeof v[0]);
    };
    num(store.max_delay);
    num(static_cast<std::uint64_t>(store.partitions.size()));
    for (const auto& r : store.partitions) {
        num(r.population);
        num(r.first);
        num(r.count);
    }
    for (const auto& blocks : store.blocks) {
        num(static_cast<std::uint64_t>(blocks.size()));
        for (const auto& b : blocks) {
            for (const std::uint32_t x : {b.projection, b.source_population, b.port}) num(x);
            num(b.source_count);
            num(b.delay_min);
            num(b.delay_count);
            vec(b.offsets);  // with delay_min/count: which synapse has which source and delay
            vec(b.targets);
            num(static_cast<std::uint8_t>(b.homogeneous));
            num(b.weight_value);
            vec(b.weights);
        }
    }
    return h.value();
}

// ---- saving ---------------------------------------------------------------------------------------

void simulation::impl::write_state(std::ostream& os) const {
    using namespace state_io;
    std::ostringstream frame;
    // A component's state goes out framed by its length, so that a reader can check it in place.
    auto framed = [&](auto&& save) {
        frame.str("");
        save(frame);
        const std::string s = frame.str();
        put(os, static_cast<std::uint64_t>(s.size()));
        os.write(s.data(), static_cast<std::streamsize>(s.size()));
    };
    put(os, now);
    put(os, counters);
    put(os, static_cast<std::uint64_t>(ring.size()));
    for (const auto& slot : ring) put_vector(os, slot);
    put(os, static_cast<std::uint64_t>(next_current_event));
    put(os, static_cast<std::uint64_t>(next_modulator_event));
    for (std::size_t p = 0; p < parts.size(); ++p) {
        const auto& part = parts[p];
        framed([&](std::ostream& o) { part.group->save_state(o); });
        for (const auto& d : part.drives) {
            put_vector(os, d.rng);
            put_vector(os, d.next_ms);
            auto heap = d.heap;
            std::vector<tick_t> ticks;
            std::vector<std::uint32_t> ids;
            for (const auto& [t, i] : container_of(heap)) {  // as stored: in heap order
                ticks.push_back(t);
                ids.push_back(i);
            }
            put_vector(os, ticks);
            put_vector(os, ids);
        }
        for (std::size_t b = 0; b < store.blocks[p].size(); ++b) {
            const auto& block = store.blocks[p][b];
            put(os, static_cast<std::uint8_t>(block.homogeneous));
            put(os, block.weight_value);
            put_vector(os, block.weights);
            if (part.plastic[b]) framed([&](std::ostream& o) { part.plastic[b]->save_state(o); });
        }
        framed([&](std::ostream& o) { part.backend->save_state(o); });
    }
}

std::vector<std::byte> simulation::save_state_to_bytes() const {
    std::vector<std::byte> out(hdr::size);
    payload_sink sink(out);
    std::ostream os(&sink);
    impl_->write_state(os);
    os.flush();
    const auto h = make_header(sink, scenario_print(impl_->sc), impl_->network_print);
    std::copy(h.begin(), h.end(), out.begin());
    return out;
}

void simulation::save_state(const std::string& path) const {
    // Written beside the target under a name of its own, then renamed over it: a crash at any
    // moment leaves the old checkpoint (or none) or the complete new one, never a partial file.
    static std::atomic<unsigned> serial{0};
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) throw io_error("cannot write checkpoint '" + path + "': " + std::strerror(errno) + " (creating '" + tmp + "')");
    auto fail = [&](const std::string& what, int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw io_error("writing checkpoint '" + path + "' failed: " + what + ": " + std::strerror(err) +
                       " (an existing checkpoint there is unchanged)");
    };
    if (::lseek(fd, static_cast<off_t>(hdr::size), SEEK_SET) < 0) fail("seek", errno);
    payload_sink sink(fd);
    std::ostream os(&sink);
    try {
        impl_->write_state(os);
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (!os.flush()) fail("write", sink.error() ? sink.error() : EIO);
    const auto h = make_header(sink, scenario_print(impl_->sc), impl_->network_print);
    if (::pwrite(fd, h.data(), h.size(), 0) != static_cast<ssize_t>(h.size())) fail("write", errno ? errno : EIO);
    if (::fsync(fd) != 0) fail("fsync", errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw io_error("writing checkpoint '" + path + "' failed: close: " + std::strerror(err));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw io_error("cannot write checkpoint '" + path + "': " + std::strerror(err) + " (renaming '" + tmp + "' to it)");
    }
    // Make the rename itself durable; a failure here changes nothing that was written.
    const std::string dir = std::filesystem::path(path).parent_path().string();
    const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

// ---- loading --------------------------------------------------------------------------------------

namespace {

/// Phase 1: the payload into temporaries, every length and index checked against `im`.
/// Long because it follows the payload's layout field by field; each check names the part.
/// (A template only because simulation::impl is private: `Impl` is always that.)
template <class Impl>
parsed_state parse_payload(const Impl& im, std::span<const std::byte> payload) {
    reader r{payload};
    parsed_state st;
    st.now = r.get<tick_t>("the time");
    if (st.now < 0) throw fault("its time is " + std::to_string(st.now) + " ticks (must be >= 0)");
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
            r.vec(o.rng, d.rng.size(), d.rng.size(), what + " (random streams)");
            r.vec(o.next_ms, d.next_ms.size(), d.next_ms.size(), what + " (next event times)");
            for (const double x : o.next_ms)
                if (std::isnan(x) || x == -std::numeric_limits<double>::infinity())
                    throw fault(what + " has an event time of " + std::to_string(x) + " ms");
            std::vector<tick_t> ticks;
            std::vector<std::uint32_t> ids;
            const std::size_t streams = std::min({d.rng.size(), d.next_ms.size(), d.shared ? d.rng.size() : d.targets.size()});
            r.vec(ticks, 0, streams, what + " (pending events)");
            r.vec(ids, ticks.size(), ticks.size(), what + " (pending event streams)");
            for (std::size_t j = 0; j < ticks.size(); ++j) {
                if (ids[j] >= streams) throw fault(what + " has a pending event of stream " + std::to_string(ids[j]) + " of " + std::to_string(streams));
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
/// the checked temporaries swapped in.
void simulation::impl::read_state(std::span<const std::byte> bytes, const std::string& name) {
    const std::string unchanged = "; the simulation is unchanged";
    parsed_state st;
    try {
        check_header(bytes, scenario_print(sc), network_print);
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
    counters = st.counters;
    ring.swap(st.ring);
    next_current_event = static_cast<std::size_t>(st.next_current);
    next_modulator_event = static_cast<std::size_t>(st.next_modulator);
    for (std::size_t p = 0; p < parts.size(); ++p) {
        for (std::size_t d = 0; d < parts[p].drives.size(); ++d) {
            auto& drive = parts[p].drives[d];
            auto& o = st.parts[p].drives[d];
            drive.rng.swap(o.rng);
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
