// SPDX-License-Identifier: MIT
// Generation of synapses from projection rules, in parallel (oneTBB) and deterministic for a seed,
// whatever the thread count: every random choice comes from a stream keyed by (seed, projection,
// neuron), never by thread.
//
// Connectivity rules are registered like models (model_registry::add_connectivity). A rule says
// which partners each neuron gets (connection_rule); core does everything else: the streams, the
// weights and delays, their checks, and the CSR blocks of the store. See
// core/src/connectivity/README.md for how a rule is added.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "memspike/core/model.hpp"
#include "memspike/core/random.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/synapses.hpp"

namespace memspike {

/// How populations are cut into partitions: contiguous slices of at most `max_partition_size`
/// neurons (the same cut for every thread count, so results cannot depend on it).
std::vector<partition_range> make_partitions(const scenario& sc, std::uint64_t max_partition_size = 4096);

/// Builds every projection of a validated scenario (validate() in scenario.hpp: references, rule
/// parameters, constant weights and delays) into the store. Resolution and seed come from
/// sc.simulation. Checks what only building can see (throwing scenario_error located at the
/// projection's key): drawn weights and delays (finite, >= 1 tick), explicit CSV files readable
/// and in range.
/// The projection's rule is looked up in `models` (find_connectivity).
synapse_store build_synapses(const scenario& sc, const model_registry& models,
                             const std::vector<partition_range>& partitions);

/// The expected number of synapses of projection `projection` of a validated scenario, from its
/// rule's `expected_synapses` (NaN when the rule does not say); nothing is built.
double expected_synapses(const scenario& sc, const model_registry& models, std::size_t projection);

/// Global neuron id of the first neuron of each population (populations are concatenated in
/// scenario order); one extra entry holds the total.
std::vector<std::uint64_t> population_offsets(const scenario& sc);

// ---------------------------------------------------------------------------------------------
// The connectivity-rule interface

/// Random choices of neuron indices in [0, n), optionally excluding one index `skip` (n: none).
/// Holds a bitmap for sampling without replacement; all bits are clear between calls. Each build
/// task owns one and passes it to the rule, so rules sample without allocating per neuron.
class sampler {
public:
    /// k draws with replacement.
    template <class Emit>
    void with_replacement(random_stream& rng, std::uint64_t n, std::uint64_t k, std::uint64_t skip, Emit&& emit) {
        const std::uint64_t avail = n - (skip < n ? 1 : 0);
        for (std::uint64_t i = 0; i < k; ++i) emit(one(rng, avail, skip));
    }

    /// k distinct values (k <= available, checked by the caller). For k up to half of the available
    /// values: rejection against the bitmap, emitted in draw order. Above: the complement is drawn
    /// by rejection and the rest emitted in increasing order. Expected cost O(min(k, n - k)) draws
    /// plus O(n) for the complement case.
    template <class Emit>
    void distinct(random_stream& rng, std::uint64_t n, std::uint64_t k, std::uint64_t skip, Emit&& emit) {
        const std::uint64_t avail = n - (skip < n ? 1 : 0);
        if (k == 0) return;
        const std::size_t words = (n + 63) / 64;
        if (bits_.size() < words) bits_.resize(words, 0);
        if (2 * k <= avail) {
            while (picked_.size() < k) {
                const std::uint64_t v = one(rng, avail, skip);
                if (test_and_set(v)) continue;
                picked_.push_back(v);
                emit(v);
            }
        } else {
            const std::uint64_t excluded = avail - k;
            while (picked_.size() < excluded) {
                const std::uint64_t v = one(rng, avail, skip);
                if (!test_and_set(v)) picked_.push_back(v);
            }
            for (std::uint64_t v = 0; v < n; ++v)
                if (v != skip && !(bits_[v >> 6] >> (v & 63) & 1)) emit(v);
        }
        for (const auto v : picked_) bits_[v >> 6] &= ~(std::uint64_t{1} << (v & 63));
        picked_.clear();
    }

private:
    static std::uint64_t one(random_stream& rng, std::uint64_t avail, std::uint64_t skip) {
        std::uint64_t v = rng.below(avail);
        if (v >= skip) ++v;  // skip the excluded index (skip == n: never)
        return v;
    }
    bool test_and_set(std::uint64_t v) {
        std::uint64_t& w = bits_[v >> 6];
        const std::uint64_t m = std::uint64_t{1} << (v & 63);
        const bool was = (w & m) != 0;
        w |= m;
        return was;
    }
    std::vector<std::uint64_t> bits_;
    std::vector<std::uint64_t> picked_;
};

/// A projection resolved against the scenario and the models: what a rule may read. Built by core
/// before the rule is validated; outlives every call the rule receives.
struct projection_context {
    const scenario* sc = nullptr;
    const projection_spec* spec = nullptr;
    std::uint32_t index = 0;  // position of the projection in the scenario (keys its streams)
    const population_spec* source = nullptr;
    const population_spec* target = nullptr;
    std::uint64_t ns = 0, nt = 0;   // population sizes
    bool exclude_autapses = false;  // same population and allow_autapses == false
    std::uint64_t seed = 0;
    double resolution_ms = 0.1;
    dimension weight_dim = dimension::voltage;  // of the target port
    std::string port_desc;                      // "port 'ex' of model 'lif_cond_exp'", for messages

    /// The location of a field of the projection: its own location with ".<field>" appended to the key.
    source_location at(const std::string& field) const;
    /// Throws scenario_error located at `at`.
    [[noreturn]] static void fail(const source_location& at, const std::string& what);
    /// A weight in the port unit, checked (finite, >= 0 for conductances, fits a float).
    float weight_to_float(double w, const source_location& at) const;
    /// A delay in ms rounded to the nearest tick, checked (finite, at least one tick).
    tick_t delay_to_ticks(double ms, const source_location& at) const;
    /// The index a rule excludes for neuron `i` of the other side: i itself without autapses, else
    /// `n` (nothing), as sampler wants it.
    std::uint64_t skip(std::uint64_t i, std::uint64_t n) const { return exclude_autapses ? i : n; }
    /// The (source, target) pairs a synapse may join: ns x nt, less the self-pairs when excluded.
    double pairs() const {
        return static_cast<double>(ns) * static_cast<double>(nt) - (exclude_autapses ? static_cast<double>(nt) : 0.0);
    }
};

/// The sources a target-driven rule chose for one target, in generation order. Weights and delays
/// are drawn by core unless the rule gives them (explicit files).
struct chosen_sources {
    std::vector<std::uint64_t> source;
    std::vector<double> weight;    // empty, or one per source: a given weight (NaN: drawn)
    std::vector<double> delay_ms;  // empty, or one per source: a given delay [ms] (NaN: drawn)
    void clear() {
        source.clear();
        weight.clear();
        delay_ms.clear();
    }
};

/// One projection's rule, made by connectivity_info::create after the checks. Its methods are
/// const and called concurrently from build tasks, each with its own stream and sampler: a rule
/// must draw only from `conn` (the stream of that neuron) so that the synapses do not depend on
/// the thread count. Streams are keyed (seed, connectivity, projection, neuron).
class connection_rule {
public:
    virtual ~connection_rule() = default;

    /// false (the usual): core asks for the sources of each target (sources_of); the conn stream
    /// is the target's. true: core asks for the targets of each source (targets_of, count_from);
    /// the stream is the source's, and the choices are held in a temporary list per projection.
    virtual bool source_driven() const { return false; }
    /// true when sources_of gives a delay for some synapses: the projection's delays then vary.
    virtual bool gives_delays() const { return false; }
    /// true when sources_of may give a weight for some synapses (explicit files with a weight
    /// column): the builder then keeps one weight per synapse until it has seen them all.
    virtual bool gives_weights() const { return false; }

    /// Target-driven: appends the sources of target t (in [0, nt)) to `out` (cleared by core).
    virtual void sources_of(const projection_context& cx, std::uint64_t t, random_stream& conn, sampler& smp,
                            chosen_sources& out) const;
    /// Source-driven: the number of synapses source s makes, known before drawing them.
    virtual std::uint64_t count_from(const projection_context& cx, std::uint64_t s) const;
    /// Source-driven: appends the count_from(s) targets of source s, in generation order.
    virtual void targets_of(const projection_context& cx, std::uint64_t s, random_stream& conn, sampler& smp,
                            std::vector<std::uint32_t>& out) const;
};

/// A registered connectivity rule (model_registry::add_connectivity).
struct connectivity_info {
    std::string name;     // the value of a projection's `rule`
    std::string summary;  // one line, for docs and `memspike inspect`
    /// The projection keys this rule takes besides the common ones (e.g. "indegree"); a scenario
    /// giving one of them with another rule is an error.
    std::vector<std::string> keys;
    /// Feasibility checks against the population sizes (indegree <= available sources...); throw
    /// scenario_error located at the offending key (projection_context::fail). May be empty.
    std::function<void(const projection_context&)> validate;
    /// The expected number of synapses of the projection, before building (the memory estimate
    /// of `memspike inspect`); exact for deterministic rules. May read files. Empty: unknown.
    std::function<double(const projection_context&)> expected_synapses;
    /// Makes the rule for one projection, after every check of the projection passed. Expensive
    /// preparation (reading a file, drawing per-neuron counts) belongs here, done once.
    std::function<std::unique_ptr<const connection_rule>(const projection_context&)> create;
    /// The rule is source-driven (connection_rule::source_driven): the build then holds a
    /// temporary list of the projection's synapses (the resource estimate counts it).
    bool source_driven = false;
};

/// THE list of core's built-in rules (core/src/connectivity/builtin.cpp); model_registry's
/// constructor registers them.
std::vector<connectivity_info> builtin_connectivity();

} // namespace memspike
