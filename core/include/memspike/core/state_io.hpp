// SPDX-License-Identifier: MIT
// Binary state streams for checkpoints (simulation::save_state / load_state): plain values and
// vectors of trivially copyable types, in the machine's byte order, with a check on every read;
// the 64-bit hash that checksums a checkpoint and fingerprints a network; and the layout of the
// checkpoint header (docs/python.md, "Checkpoints", describes the format).
// A checkpoint is meant to be resumed by the same build on the same kind of machine.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <istream>
#include <iterator>
#include <ostream>
#include <queue>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "memspike/core/errors.hpp"

namespace memspike::state_io {

template <class T>
void put(std::ostream& os, const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    os.write(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <class T>
void get(std::istream& is, T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!is.read(reinterpret_cast<char*>(&v), sizeof(T))) throw io_error("checkpoint: unexpected end of data");
}

template <class T>
void put_vector(std::ostream& os, const std::vector<T>& v) {
    put(os, static_cast<std::uint64_t>(v.size()));
    if (!v.empty()) os.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
}

/// Reads a length and that many elements. The vector grows only as data actually arrives (in
/// steps of at most 1 MiB), so a damaged length never allocates more than the stream holds.
/// `v` changes only when the whole vector has been read: load_state functions size their reads
/// by their own vectors (get_exact), so a vector cut short by a refused load would make the
/// undo, and every later load, refuse a valid checkpoint (found by fuzz_checkpoint).
template <class T>
void get_vector(std::istream& is, std::vector<T>& v, std::uint64_t max = ~0ULL, std::uint64_t min = 0) {
    std::uint64_t n = 0;
    get(is, n);
    if (n > max || n < min) throw io_error("checkpoint: a stored length does not match this network");
    std::vector<T> in;
    constexpr std::uint64_t step = std::max<std::uint64_t>(1, (std::uint64_t{1} << 20) / sizeof(T));
    for (std::uint64_t have = 0; have < n;) {
        const std::uint64_t take = std::min(step, n - have);
        in.resize(static_cast<std::size_t>(have + take));
        if (!is.read(reinterpret_cast<char*>(in.data() + have), static_cast<std::streamsize>(take * sizeof(T))))
            throw io_error("checkpoint: unexpected end of data");
        have += take;
    }
    v.assign(in.begin(), in.end());  // not swap: keeps v's buffer (and pointers into it) when it fits, as before
}

/// Reads a vector that must have exactly `n` elements (state of a fixed-size network part).
template <class T>
void get_exact(std::istream& is, std::vector<T>& v, std::uint64_t n) {
    get_vector(is, v, n, n);
}

/// True when every byte of `v` is zero. For random streams read from a checkpoint: xoshiro never
/// leaves the all-zero state (every draw is 0, so a normal deviate is never accepted and an
/// exponential gap is always 0: a hang), and only a damaged checkpoint can hold it.
template <class T>
bool all_zero(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof b);
    return std::all_of(std::begin(b), std::end(b), [](unsigned char c) { return c == 0; });
}

/// The container of a std::priority_queue, for saving and restoring it as it is.
template <class T, class C, class Cmp>
C& container_of(std::priority_queue<T, C, Cmp>& q) {
    struct access : std::priority_queue<T, C, Cmp> {
        static C& of(std::priority_queue<T, C, Cmp>& q) { return q.*(&access::c); }
    };
    return access::of(q);
}

/// A 64-bit streaming hash (written for memspike; not cryptographic). The stream is cut into
/// 8-byte words, dealt in turn to four lanes (so that four multiplications run at once), and each
/// lane takes its words through h = (h ^ w) * K; h ^= h >> 32. For a fixed w both steps are
/// bijections of h, and for a fixed h the step is injective in w; the lanes are combined by the
/// same step. So two streams of equal length that differ inside one word always end in different
/// values: every single-byte change is detected, not just with high probability. Other damage
/// goes undetected with probability about 2^-64. Bytes may arrive in pieces of any size; value()
/// pads the last block with zeros and mixes in the length.
class hash64 {
public:
    void update(const void* data, std::size_t n) {
        if (n == 0) return;  // an empty vector's data() may be null, which memcpy must not get
        const auto* p = static_cast<const unsigned char*>(data);
        bytes_ += n;
        if (fill_ > 0) {  // complete the block begun by an earlier piece
            const std::size_t take = std::min<std::size_t>(block - fill_, n);
            std::memcpy(partial_ + fill_, p, take);
            fill_ += take;
            p += take;
            n -= take;
            if (fill_ < block) return;
            mix_block(partial_);
            fill_ = 0;
        }
        for (; n >= block; n -= block, p += block) mix_block(p);
        std::memcpy(partial_, p, n);  // n < block
        fill_ = n;
    }
    void update(std::span<const std::byte> b) { update(b.data(), b.size()); }
    std::uint64_t value() const {
        hash64 f = *this;
        if (f.fill_ > 0) {
            std::memset(f.partial_ + f.fill_, 0, block - f.fill_);
            f.mix_block(f.partial_);
        }
        std::uint64_t h = f.lane_[0];
        for (int k = 1; k < 4; ++k) mix(h, f.lane_[k]);
        mix(h, bytes_);
        // Final avalanche, so that nearby streams do not give nearby values (xor-shifts and odd
        // multipliers: a bijection, it loses nothing).
        h ^= h >> 31;
        h *= 0xd6e8feb86659fd93ULL;
        h ^= h >> 29;
        h *= 0xa0761d6478bd642fULL;
        h ^= h >> 32;
        return h;
    }

private:
    static constexpr std::size_t block = 32;  // one word per lane
    static void mix(std::uint64_t& h, std::uint64_t w) {
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 32;
    }
    void mix_block(const unsigned char* p) {
        std::uint64_t w[4];
        std::memcpy(w, p, block);
        for (int k = 0; k < 4; ++k) mix(lane_[k], w[k]);
    }
    std::uint64_t lane_[4] = {0x6d656d7370696b65ULL, 0x636865636b706f69ULL, 0x6e74206c616e6533ULL, 0x2d34206c616e6573ULL};
    std::uint64_t bytes_ = 0;
    unsigned char partial_[block] = {};
    std::size_t fill_ = 0;  // bytes in partial_, < block
};

/// The checkpoint header: 56 bytes at the start of the file, then the payload (the state).
/// All fields in the machine's byte order.
namespace header {
constexpr char magic[16] = "MEMSPIKE-STATE\0";           // bytes 0-15 (as in version 1)
constexpr std::uint32_t version = 2;                       // bytes 16-19
constexpr std::uint32_t byte_order_mark = 0x01020304;      // bytes 20-23: reads 0x04030201 on the other byte order
constexpr std::size_t payload_bytes_at = 24;               // uint64: size of the payload
constexpr std::size_t scenario_print_at = 32;              // uint64: fingerprint of the scenario
constexpr std::size_t network_print_at = 40;               // uint64: fingerprint of the network as built
constexpr std::size_t checksum_at = 48;                    // uint64: hash64 of the payload, then of bytes 0-47
constexpr std::size_t size = 56;
} // namespace header

/// The checksum of a checkpoint image: hash64 over the payload (bytes from header::size on), then
/// over header bytes [0, checksum_at). `image` must hold at least the header.
inline std::uint64_t checksum(std::span<const std::byte> image) {
    hash64 h;
    h.update(image.subspan(header::size));
    h.update(image.first(header::checksum_at));
    return h.value();
}

/// Rewrites the payload size and checksum fields of a checkpoint image so that it passes those
/// two checks again: for tests and fuzz harnesses that craft a damaged payload to reach the
/// checks behind them. `image` must hold at least the header.
inline void reseal(std::span<std::byte> image) {
    if (image.size() < header::size) throw io_error("checkpoint image shorter than its header");
    const std::uint64_t payload = image.size() - header::size;
    std::memcpy(image.data() + header::payload_bytes_at, &payload, sizeof payload);
    const std::uint64_t sum = checksum(image);
    std::memcpy(image.data() + header::checksum_at, &sum, sizeof sum);
}

/// An input stream buffer over bytes in memory (no copy): components read their part of a
/// checkpoint through a std::istream on it.
class span_buffer : public std::streambuf {
public:
    explicit span_buffer(std::span<const std::byte> bytes) {
        // The get area is only read from; streambuf's interface wants char*.
        char* p = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
        setg(p, p, p + bytes.size());
    }
    /// Bytes not yet read.
    std::size_t left() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

} // namespace memspike::state_io
