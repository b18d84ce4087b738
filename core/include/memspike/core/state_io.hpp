// SPDX-License-Identifier: MIT
// Binary state streams for checkpoints (simulation::save_state / load_state): plain values and
// vectors of trivially copyable types, in the machine's byte order, with a check on every read.
// A checkpoint is meant to be resumed by the same build on the same kind of machine.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <queue>
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

template <class T>
void get_vector(std::istream& is, std::vector<T>& v, std::uint64_t max = ~0ULL) {
    std::uint64_t n = 0;
    get(is, n);
    if (n > max) throw io_error("checkpoint: a stored length does not match this network");
    v.resize(n);
    if (n && !is.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T))))
        throw io_error("checkpoint: unexpected end of data");
}

/// Reads a vector that must have exactly `n` elements (state of a fixed-size network part).
template <class T>
void get_exact(std::istream& is, std::vector<T>& v, std::uint64_t n) {
    get_vector(is, v, n);
    if (v.size() != n) throw io_error("checkpoint: a stored length does not match this network");
}

/// The container of a std::priority_queue, for saving and restoring it as it is.
template <class T, class C, class Cmp>
C& container_of(std::priority_queue<T, C, Cmp>& q) {
    struct access : std::priority_queue<T, C, Cmp> {
        static C& of(std::priority_queue<T, C, Cmp>& q) { return q.*(&access::c); }
    };
    return access::of(q);
}

} // namespace memspike::state_io
