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
// them from a snapshot if one refuses its bytes, and only then swaps the temporaries in
// (checkpoint_load.cpp). Saving (here) writes a temporary file beside the target and renames it
// over the target.
#include "simulation_impl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <oneapi/tbb/parallel_for.h>

#include "memspike/core/state_io.hpp"

namespace memspike {
namespace {

namespace hdr = state_io::header;

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

} // namespace

// ---- fingerprints -------------------------------------------------------------------------------

std::uint64_t simulation::impl::fingerprint_of(const scenario& sc) {
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
        // Per-neuron parameters (none: the fingerprint of a scenario without them is unchanged):
        // the values given, or the distribution they are drawn from (the seed is hashed above).
        for (const auto& [k, pn] : p.per_neuron) {
            str(k);
            h.update(pn.values.data(), pn.values.size() * sizeof(double));
            if (pn.drawn())
                for (const double x : {double(pn.dist.k), pn.dist.value, pn.dist.low, pn.dist.high, pn.dist.mean, pn.dist.sd,
                                       pn.dist.min, pn.dist.max, double(pn.dist.policy)})
                    num(x);
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
        if (st.kind == "ac")  // appended for ac only: the fingerprints of existing checkpoints stay
            for (const double x : {st.frequency_hz, st.phase_deg, st.offset_pa}) num(x);
    }
    return h.value();
}
std::uint64_t simulation::impl::fingerprint_of(const synapse_store& store) {
    auto num = [](state_io::hash64& h, const auto& x) { h.update(&x, sizeof x); };
    auto vec = [&](state_io::hash64& h, const auto& v) {
        num(h, static_cast<std::uint64_t>(v.size()));
        h.update(v.data(), v.size() * sizeof v[0]);
    };
    // One hash per partition, in parallel (a large network has gigabytes of synapses), then
    // combined in partition order: the same value for any thread count.
    std::vector<std::uint64_t> per_part(store.blocks.size());
    tbb::parallel_for(std::size_t{0}, store.blocks.size(), [&](std::size_t p) {
        state_io::hash64 h;
        num(h, static_cast<std::uint64_t>(store.blocks[p].size()));
        for (const auto& b : store.blocks[p]) {
            for (const std::uint32_t x : {b.projection, b.source_population, b.port}) num(h, x);
            num(h, b.source_count);
            num(h, b.delay_min);
            num(h, b.delay_count);
            vec(h, b.offsets);  // with delay_min/count: which synapse has which source and delay
            vec(h, b.targets);
            num(h, static_cast<std::uint8_t>(b.homogeneous));
            num(h, b.weight_value);
            vec(h, b.weights);
        }
        per_part[p] = h.value();
    });
    state_io::hash64 h;
    num(h, store.max_delay);
    num(h, static_cast<std::uint64_t>(store.partitions.size()));
    for (const auto& r : store.partitions) {
        num(h, r.population);
        num(h, r.first);
        num(h, r.count);
    }
    vec(h, per_part);
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
            put_vector(os, d.streams());
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
    const auto h = make_header(sink, impl::fingerprint_of(impl_->sc), impl_->network_print);
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
    const auto h = make_header(sink, impl::fingerprint_of(impl_->sc), impl_->network_print);
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

} // namespace memspike
