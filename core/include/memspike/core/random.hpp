// SPDX-License-Identifier: MIT
// Random streams keyed by (seed, purpose, a, b), never by thread.
//
// Every consumer of randomness (one connectivity rule for one target neuron, one Poisson generator
// for one target, one initial-value draw per neuron...) owns its own stream, derived from the user
// seed and a key that names the consumer. Results therefore never depend on how work is split
// across threads (DESIGN.md §10; NEST #2119, #3217).
//
// Generator: xoshiro256++ (Blackman & Vigna 2019), seeded through splitmix64 from the key.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace memspike {

/// What a stream is used for; part of the key so that, say, connectivity and stimulus streams
/// with the same numeric ids never coincide. Core names only its own purposes; a plug-in (model,
/// backend) declares its own in its registry entry (`streams`, see stream_info), with a number
/// that the registry checks is used by nobody else.
enum class stream_purpose : std::uint64_t {
    connectivity = 1,
    weights = 2,
    delays = 3,
    initial_state = 4,
    poisson_stimulus = 5,
    user = 7,
    neuron_parameters = 11,
};

/// A random stream and what it is for. Core's are core_streams(); a plug-in's purpose number may
/// be any other (the built-in plug-ins keep 6 and 8-10, the numbers they had when core listed
/// them, so a seed still gives the same results); the registry refuses a number used twice.
struct stream_info {
    std::string name;
    stream_purpose purpose;
    std::string doc;
};

/// The purposes core itself uses.
inline const std::vector<stream_info>& core_streams() {
    static const std::vector<stream_info> s{
        {"connectivity", stream_purpose::connectivity, "connectivity rule draws, per projection and neuron"},
        {"weights", stream_purpose::weights, "drawn weights, per projection and neuron"},
        {"delays", stream_purpose::delays, "drawn delays, per projection and neuron"},
        {"initial_state", stream_purpose::initial_state, "initial values of state variables, per population and neuron"},
        {"poisson_stimulus", stream_purpose::poisson_stimulus, "Poisson stimuli, per stimulus and target"},
        {"user", stream_purpose::user, "free for tests and embedding code"},
        {"neuron_parameters", stream_purpose::neuron_parameters, "drawn per-neuron parameters, per population, parameter and neuron"},
    };
    return s;
}

/// FNV-1a: a hash of names that is the same on every platform (std::hash is not), for stream keys.
inline std::uint64_t stable_hash(std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

inline std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/// xoshiro256++ with helpers for the distributions the simulator needs.
class random_stream {
public:
    using result_type = std::uint64_t;

    random_stream() : random_stream(0, stream_purpose::user, 0, 0) {}
    random_stream(std::uint64_t seed, stream_purpose purpose, std::uint64_t a, std::uint64_t b = 0) {
        std::uint64_t x = seed;
        // Mix every key part through splitmix so that nearby keys give unrelated states.
        std::uint64_t h = splitmix64(x);
        x = h ^ (static_cast<std::uint64_t>(purpose) * 0xd1b54a32d192ed03ULL);
        h = splitmix64(x);
        x = h ^ (a * 0x8cb92ba72f3d8dd7ULL);
        h = splitmix64(x);
        x = h ^ (b * 0xabc98388fb8fac03ULL);
        for (auto& s : s_) s = splitmix64(x);
    }

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

    result_type operator()() {
        const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform in [0, 1), 53 random bits.
    double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
    /// Uniform in (0, 1]: safe for log().
    double uniform_open0() { return 1.0 - uniform(); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    /// Uniform integer in [0, n), unbiased (Lemire 2019).
    std::uint64_t below(std::uint64_t n) {
        std::uint64_t x = (*this)();
        __uint128_t m = static_cast<__uint128_t>(x) * n;
        auto l = static_cast<std::uint64_t>(m);
        if (l < n) {
            const std::uint64_t t = (0 - n) % n;
            while (l < t) {
                x = (*this)();
                m = static_cast<__uint128_t>(x) * n;
                l = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

    /// Standard normal (Marsaglia polar method; no cached second value, so the stream state alone
    /// determines the future).
    double normal() {
        double u, v, s;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        return u * std::sqrt(-2.0 * std::log(s) / s);
    }
    /// Two independent standard normals from one polar draw (half the cost of two normal()).
    void normal_pair(double& a, double& b) {
        double u, v, s;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        a = u * f;
        b = v * f;
    }
    double normal(double mean, double sd) { return mean + sd * normal(); }

    /// Exponential with the given mean.
    double exponential(double mean) { return -mean * std::log(uniform_open0()); }

    /// Poisson-distributed count with mean lambda (inversion for small lambda, PTRS of
    /// Hörmann 1993 for lambda >= 10).
    std::uint64_t poisson(double lambda) {
        if (lambda <= 0.0) return 0;
        if (lambda < 10.0) {
            const double l = std::exp(-lambda);
            std::uint64_t k = 0;
            double p = uniform_open0();
            while (p > l) {
                ++k;
                p *= uniform_open0();
            }
            return k;
        }
        const double slam = std::sqrt(lambda), loglam = std::log(lambda);
        const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
        const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        for (;;) {
            const double u = uniform() - 0.5, v = uniform();
            const double us = 0.5 - std::abs(u);
            const double k = std::floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
                -lambda + k * loglam - std::lgamma(k + 1))
                return static_cast<std::uint64_t>(k);
        }
    }

    /// Binomial(n, p) count; exact (sum of geometric skips for small n*p, else normal-free
    /// inversion through Poisson is not exact, so we use the waiting-time method in both cases).
    std::uint64_t binomial(std::uint64_t n, double p) {
        if (p <= 0.0 || n == 0) return 0;
        if (p >= 1.0) return n;
        if (p > 0.5) return n - binomial(n, 1.0 - p);
        // Waiting-time (geometric skip) method: expected cost O(n p + 1).
        const double log_q = std::log1p(-p);
        std::uint64_t count = 0;
        double pos = 0.0;
        for (;;) {
            pos += std::floor(std::log(uniform_open0()) / log_q) + 1.0;
            if (pos > static_cast<double>(n)) return count;
            ++count;
        }
    }

    /// The raw state, for checkpoints.
    const std::uint64_t* state() const { return s_; }
    void set_state(const std::uint64_t* s) {
        for (int k = 0; k < 4; ++k) s_[k] = s[k];
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

} // namespace memspike
