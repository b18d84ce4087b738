// SPDX-License-Identifier: MIT
// The HDF5 writer: recorder::open_hdf5 returns an hdf5_recorder, which writes the layout documented
// in docs/hdf5-schema.md (schema_version 1; every name from hdf5_layout.hpp) with the HDF5 C API
// through handles.hpp. HDF5 stays private to core/src/hdf5/; the public header only knows
// `recorder`. The one reader of the layout is reader.cpp.
//
// Crash safety. The file is written as `<out>.partial-<pid>` and renamed onto `<out>` once closed
// (staging.hpp), so `<out>` is never a half-written file. Appends are buffered in memory and reach
// HDF5 in chunk-aligned pieces, so memory stays bounded; flush() writes every buffer and calls
// H5Fflush, after which the partial file on disk is consistent (what a killed run leaves). The file keeps the default (earliest) format bounds on purpose: superblock v0/v2
// has no "file is open for writing" flag, so a file left behind by a killed process opens without
// h5clear. `complete` is written as 0 at open and set to 1 only by close(true, ...).
//
// Not thread-safe: calls on one recorder must be serialized (HDF5's serial build is global anyway).
#include "memspike/core/recorder.hpp"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "handles.hpp"
#include "staging.hpp"
#include "summaries.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/hdf5_layout.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/version.hpp"

namespace memspike {
namespace {

using namespace h5;              // handles, checks and HDF5 primitives (handles.hpp)
namespace layout = hdf5_layout;  // every name of the layout comes from there
// Elements per chunk of the 1-D datasets (ids, ticks) and the target size of a trace chunk.
constexpr hsize_t chunk_elements = 65536;

/// A population or variable name becomes an HDF5 link name: it must be non-empty, without '/'.
void check_name(const std::string& kind, const std::string& name) {
    if (name.empty() || name == "." || name.find('/') != std::string::npos)
        throw invalid_parameter("recorder", kind, "'" + name + "'", "must be a non-empty name without '/'");
}

std::string iso8601_utc_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
}

// --- The recorder -------------------------------------------------------------------------------

class hdf5_recorder final : public recorder {
public:
    /// Creates `where.partial`; messages name `where.target`, the file the user asked for.
    hdf5_recorder(const staged_path& where, const run_info& info)
        : where_(where), path_(where.target), resolution_ms_(info.resolution_ms), inference_ms_(info.inference_ms),
          opened_(std::chrono::steady_clock::now()) {
        quiet_hdf5 quiet;
        try {
            create(info);
        } catch (...) {
            // E.g. the disk is full: every handle is closed here, while HDF5's printing is off, so
            // that no error stack reaches stderr and nothing is left open for HDF5's own close at
            // exit (which printed its stack and crashed, issue 11, defects 3 and 14).
            closed_ = true;
            release();
            throw;
        }
    }

    ~hdf5_recorder() override {
        if (closed_) return;
        try {
            close(false, seconds_since_open(), -1);
        } catch (...) {
            // Nothing can be reported from a destructor; the file keeps complete = 0.
        }
    }

private:
    /// The file with its provenance, complete = 0 and the empty groups, flushed.
    void create(const run_info& info) {
        // CLOSE_STRONG: closing the file also closes any object a failure path left open, so the
        // file is really released (and its handle freed) when the recorder goes.
        handle fapl = own_plist(H5Pcreate(H5P_FILE_ACCESS), path_, "creating the file");
        check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), path_, "creating the file");
        // The POSIX driver (HDF5's default, made explicit): release() relies on its handle being
        // the file descriptor.
        check(H5Pset_fapl_sec2(fapl.get()), path_, "creating the file");
        reserve_space(where_);
        file_ = own_file(H5Fcreate(where_.partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), path_,
                         "creating the file");
        const hid_t root = file_.get();
        write_attr(root, layout::attr_memspike_version, info.memspike_version.empty() ? memspike::version
                                                                          : info.memspike_version.c_str(),
                   path_);
        write_attr(root, layout::attr_schema_version, std::int32_t{layout::schema_version}, path_);
        write_attr(root, layout::attr_scenario_file, info.scenario_file, path_);
        write_attr(root, layout::attr_scenario, info.scenario_text, path_);
        write_attr(root, layout::attr_scenario_overrides, format_overrides(info.scenario_overrides), path_);
        write_attr(root, layout::attr_seed, std::uint64_t{info.seed}, path_);
        write_attr(root, layout::attr_resolution_ms, info.resolution_ms, path_);
        write_attr(root, layout::attr_duration_ms, info.duration_ms, path_);
        write_attr(root, layout::attr_threads, std::uint32_t{info.threads}, path_);
        write_attr(root, layout::attr_backend, info.backend, path_);
        for (const auto& [name, value] : info.backend_params) write_attr(root, layout::attr_backend_param_prefix + name, value, path_);
        write_attr(root, layout::attr_command_line, info.command_line, path_);
        write_attr(root, layout::attr_created, iso8601_utc_now(), path_);
        write_attr(root, layout::attr_complete, std::int8_t{0}, path_);
        spikes_ = open_or_create_group(root, layout::group_spikes, path_, layout::path(layout::group_spikes));
        traces_ = open_or_create_group(root, layout::group_traces, path_, layout::path(layout::group_traces));
        write_neuron_parameters(root, info.neuron_params, path_);
        // A run killed right after open still leaves a readable file with its provenance.
        check(H5Fflush(root, H5F_SCOPE_GLOBAL), path_, "flushing the file");
    }

public:

    hdf5_recorder(const hdf5_recorder&) = delete;
    hdf5_recorder& operator=(const hdf5_recorder&) = delete;

    std::size_t add_spike_population(const std::string& name, std::uint64_t size) override {
        check_open("declaring spike population '" + name + "'");
        check_name("population", name);
        for (const auto& p : spike_pops_)
            if (p.name == name)
                throw invalid_parameter("recorder", "population", "'" + name + "'",
                                        "already declared under /spikes");
        quiet_hdf5 quiet;
        const std::string where = layout::path(layout::group_spikes, name);
        spike_population pop;
        pop.name = name;
        pop.size = size;
        pop.group = own_group(H5Gcreate2(spikes_.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              path_, "creating group '" + where + "'");
        write_attr(pop.group.get(), layout::attr_size, std::uint64_t{size}, path_);
        write_attr(pop.group.get(), layout::attr_resolution_ms, resolution_ms_, path_);
        pop.ids = create_extendible(pop.group.get(), layout::dataset_ids, h5_type<std::uint32_t>::file(), 1, 0,
                                    &chunk_elements, path_, where + "/" + layout::dataset_ids);
        pop.ticks = create_extendible(pop.group.get(), layout::dataset_ticks, h5_type<tick_t>::file(), 1, 0, &chunk_elements,
                                      path_, where + "/" + layout::dataset_ticks);
        write_attr(pop.ticks.get(), layout::attr_unit, layout::unit_tick, path_);
        spike_pops_.push_back(std::move(pop));
        return spike_pops_.size() - 1;
    }

    void append_spikes(std::size_t population, std::span<const std::uint32_t> ids,
                       std::span<const tick_t> ticks) override {
        check_open("appending spikes");
        if (population >= spike_pops_.size())
            throw invalid_parameter("recorder", "spike population handle", std::to_string(population),
                                    "must be one returned by add_spike_population (" +
                                        std::to_string(spike_pops_.size()) + " declared)");
        auto& pop = spike_pops_[population];
        if (ids.size() != ticks.size())
            throw invalid_parameter("recorder", "spike ids/ticks lengths",
                                    std::to_string(ids.size()) + "/" + std::to_string(ticks.size()),
                                    "must be equal (population '" + pop.name + "')");
        // Checked before anything is buffered, so a rejected call leaves the recorder unchanged.
        tick_t last = pop.last_tick;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (ids[i] >= pop.size)
                throw invalid_parameter("recorder", "spike id", std::to_string(ids[i]),
                                        "must be < " + std::to_string(pop.size) + ", the size of population '" +
                                            pop.name + "'");
            if (ticks[i] < last)
                throw invalid_parameter("recorder", "spike tick", std::to_string(ticks[i]),
                                        "must not precede the previous spike tick " + std::to_string(last) +
                                            " of population '" + pop.name + "'");
            last = ticks[i];
        }
        pop.last_tick = last;
        pop.ids_buf.insert(pop.ids_buf.end(), ids.begin(), ids.end());
        pop.ticks_buf.insert(pop.ticks_buf.end(), ticks.begin(), ticks.end());
        // Write whole chunks as soon as they are complete; keep the chunk-aligned remainder.
        const hsize_t to_boundary = chunk_elements - pop.written % chunk_elements;
        if (pop.ids_buf.size() >= to_boundary) {
            quiet_hdf5 quiet;
            const hsize_t n = to_boundary + (pop.ids_buf.size() - to_boundary) / chunk_elements * chunk_elements;
            write_spikes(pop, n);
        }
    }

    std::size_t add_trace(const std::string& population, const std::string& variable, const std::string& unit,
                          std::span<const std::uint64_t> neurons, tick_t interval_ticks) override {
        check_open("declaring trace '" + population + "/" + variable + "'");
        check_name("population", population);
        check_name("variable", variable);
        if (neurons.empty())
            throw invalid_parameter("recorder", "neurons", "[] for trace '" + population + "/" + variable + "'",
                                    "must name at least one neuron");
        if (interval_ticks <= 0)
            throw invalid_parameter("recorder", "interval_ticks", std::to_string(interval_ticks),
                                    "must be > 0 for trace '" + population + "/" + variable + "'");
        for (const auto& t : traces_list_)
            if (t.population == population && t.variable == variable)
                throw invalid_parameter("recorder", "trace", "'" + population + "/" + variable + "'",
                                        "already declared under /traces");
        quiet_hdf5 quiet;
        const std::string where = layout::path(layout::group_traces, population, variable);
        trace tr;
        tr.population = population;
        tr.variable = variable;
        tr.columns = neurons.size();
        // Chunks of about chunk_elements values: whole rows when they fit, else slices of a row.
        const hsize_t chunk_cols = std::min<hsize_t>(tr.columns, chunk_elements);
        tr.chunk_rows = std::max<hsize_t>(1, chunk_elements / chunk_cols);
        handle pop_group = open_or_create_group(traces_.get(), population, path_, layout::path(layout::group_traces, population));
        tr.group = own_group(
            H5Gcreate2(pop_group.get(), variable.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path_,
            "creating group '" + where + "'");
        write_attr(tr.group.get(), layout::attr_unit, unit, path_);
        write_attr(tr.group.get(), layout::attr_interval_ticks, std::int64_t{interval_ticks}, path_);
        {
            const std::string what = "creating dataset '" + where + "/" + layout::dataset_neurons + "'";
            const hsize_t dims[1] = {tr.columns};
            handle space = own_space(H5Screate_simple(1, dims, nullptr), path_, what);
            handle dset = own_dataset(H5Dcreate2(tr.group.get(), layout::dataset_neurons, h5_type<std::uint64_t>::file(),
                                                 space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                      path_, what);
            check(H5Dwrite(dset.get(), h5_type<std::uint64_t>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           neurons.data()),
                  path_, what);
        }
        const hsize_t value_chunk[2] = {tr.chunk_rows, chunk_cols};
        tr.values = create_extendible(tr.group.get(), layout::dataset_values, h5_type<double>::file(), 2, tr.columns,
                                      value_chunk, path_, where + "/" + layout::dataset_values);
        tr.ticks = create_extendible(tr.group.get(), layout::dataset_ticks, h5_type<tick_t>::file(), 1, 0, &chunk_elements,
                                     path_, where + "/" + layout::dataset_ticks);
        write_attr(tr.ticks.get(), layout::attr_unit, layout::unit_tick, path_);
        traces_list_.push_back(std::move(tr));
        return traces_list_.size() - 1;
    }

    void append_trace(std::size_t trace_handle, tick_t t, std::span<const double> values) override {
        check_open("appending a trace sample");
        if (trace_handle >= traces_list_.size())
            throw invalid_parameter("recorder", "trace handle", std::to_string(trace_handle),
                                    "must be one returned by add_trace (" + std::to_string(traces_list_.size()) +
                                        " declared)");
        auto& tr = traces_list_[trace_handle];
        if (values.size() != tr.columns)
            throw invalid_parameter("recorder", "trace sample length", std::to_string(values.size()),
                                    "must equal the " + std::to_string(tr.columns) + " neurons of trace '" +
                                        tr.population + "/" + tr.variable + "'");
        if (t < tr.last_tick)
            throw invalid_parameter("recorder", "trace tick", std::to_string(t),
                                    "must not precede the previous sample tick " + std::to_string(tr.last_tick) +
                                        " of trace '" + tr.population + "/" + tr.variable + "'");
        tr.last_tick = t;
        tr.values_buf.insert(tr.values_buf.end(), values.begin(), values.end());
        tr.ticks_buf.push_back(t);
        if (tr.ticks_buf.size() >= tr.chunk_rows - tr.written % tr.chunk_rows) {
            quiet_hdf5 quiet;
            write_trace(tr);
        }
    }

    std::size_t add_weights(const std::string& projection, const std::string& unit, std::span<const std::uint32_t> sources,
                            std::span<const std::uint32_t> targets, std::span<const std::int32_t> delays) override {
        check_open("declaring weights of '" + projection + "'");
        check_name("projection", projection);
        if (sources.size() != targets.size() || sources.size() != delays.size())
            throw invalid_parameter("recorder", "weights of '" + projection + "'", std::to_string(sources.size()) + " sources",
                                    "sources, targets and delays must have the same length");
        for (const auto& w : weights_list_)
            if (w.projection == projection)
                throw invalid_parameter("recorder", "weights", "'" + projection + "'", "already declared under /weights");
        quiet_hdf5 quiet;
        if (weights_.get() == H5I_INVALID_HID) weights_ = open_or_create_group(file_.get(), layout::group_weights, path_, layout::path(layout::group_weights));
        const std::string where = layout::path(layout::group_weights, projection);
        weight_set ws;
        ws.projection = projection;
        ws.columns = sources.size();
        ws.group = own_group(H5Gcreate2(weights_.get(), projection.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path_,
                             "creating group '" + where + "'");
        write_attr(ws.group.get(), layout::attr_unit, unit, path_);
        write_fixed(ws.group.get(), layout::dataset_sources, sources, where);
        write_fixed(ws.group.get(), layout::dataset_targets, targets, where);
        write_fixed(ws.group.get(), layout::dataset_delays, delays, where);
        const hsize_t chunk[2] = {1, std::max<hsize_t>(1, std::min<hsize_t>(ws.columns, chunk_elements))};
        ws.values = create_extendible(ws.group.get(), layout::dataset_values, h5_type<float>::file(), 2, ws.columns, chunk, path_,
                                      where + "/" + layout::dataset_values);
        ws.ticks = create_extendible(ws.group.get(), layout::dataset_ticks, h5_type<tick_t>::file(), 1, 0, &chunk_elements, path_,
                                     where + "/" + layout::dataset_ticks);
        write_attr(ws.ticks.get(), layout::attr_unit, layout::unit_tick, path_);
        weights_list_.push_back(std::move(ws));
        return weights_list_.size() - 1;
    }

    void append_weights(std::size_t h, tick_t t, std::span<const float> weights) override {
        check_open("appending weights");
        if (h >= weights_list_.size())
            throw invalid_parameter("recorder", "weights handle", std::to_string(h), "must be one returned by add_weights");
        auto& ws = weights_list_[h];
        if (weights.size() != ws.columns)
            throw invalid_parameter("recorder", "weight snapshot length", std::to_string(weights.size()),
                                    "must equal the " + std::to_string(ws.columns) + " synapses of '" + ws.projection + "'");
        quiet_hdf5 quiet;
        const std::string where = layout::path(layout::group_weights, ws.projection);
        append_rows(ws.values.get(), 2, ws.rows, 1, ws.columns, weights.data(), path_, where + "/" + layout::dataset_values);
        append_rows(ws.ticks.get(), 1, ws.rows, 1, 0, &t, path_, where + "/" + layout::dataset_ticks);
        ++ws.rows;
    }

    void add_energy(std::span<const std::string_view> categories, std::uint64_t neurons, std::uint64_t synapses,
                    std::uint64_t dense_weights, tick_t bin_ticks) override {
        check_open("declaring the energy ledger");
        if (energy_.get() != H5I_INVALID_HID)
            throw invalid_parameter("recorder", "energy", layout::path(layout::group_energy), "already declared");
        quiet_hdf5 quiet;
        energy_ = open_or_create_group(file_.get(), layout::group_energy, path_, layout::path(layout::group_energy));
        energy_columns_ = categories.size();
        std::string names;
        for (const auto c : categories) {
            if (!names.empty()) names += ',';
            names += c;
        }
        write_attr(energy_.get(), layout::attr_categories, names, path_);
        write_attr(energy_.get(), layout::attr_bin_ticks, std::int64_t{bin_ticks}, path_);
        write_attr(energy_.get(), layout::attr_neurons, neurons, path_);
        write_attr(energy_.get(), layout::attr_synapses, synapses, path_);
        write_attr(energy_.get(), layout::attr_dense_weights, dense_weights, path_);
        if (inference_ms_ > 0.0) write_attr(energy_.get(), layout::attr_inference_ms, inference_ms_, path_);
        const hsize_t chunk[2] = {1024, energy_columns_};
        energy_counts_ = create_extendible(energy_.get(), layout::dataset_counts, h5_type<std::uint64_t>::file(), 2, energy_columns_, chunk,
                                           path_, layout::path(layout::group_energy, layout::dataset_counts));
        energy_ticks_ = create_extendible(energy_.get(), layout::dataset_ticks, h5_type<tick_t>::file(), 1, 0, &chunk_elements, path_,
                                          layout::path(layout::group_energy, layout::dataset_ticks));
        write_attr(energy_ticks_.get(), layout::attr_unit, layout::unit_tick, path_);
    }

    void append_energy(tick_t end, std::span<const std::uint64_t> counts) override {
        check_open("appending energy counts");
        if (energy_.get() == H5I_INVALID_HID || counts.size() != energy_columns_)
            throw invalid_parameter("recorder", "energy counts", std::to_string(counts.size()) + " values",
                                    "must follow add_energy, one per category (" + std::to_string(energy_columns_) + ")");
        quiet_hdf5 quiet;
        append_rows(energy_counts_.get(), 2, energy_rows_, 1, energy_columns_, counts.data(), path_, layout::path(layout::group_energy, layout::dataset_counts));
        append_rows(energy_ticks_.get(), 1, energy_rows_, 1, 0, &end, path_, layout::path(layout::group_energy, layout::dataset_ticks));
        ++energy_rows_;
    }

    void add_energy_total(const std::string& model, const std::string& preset_text, double total_j, double compute_j,
                          double memory_j, double idle_j) override {
        check_open("writing energy totals");
        check_name("energy model", model);
        if (energy_.get() == H5I_INVALID_HID)
            throw invalid_parameter("recorder", "energy totals", model, "need the ledger (add_energy) first");
        quiet_hdf5 quiet;
        const std::pair<const char*, double> totals[] = {
            {layout::attr_total_j, total_j}, {layout::attr_compute_j, compute_j},
            {layout::attr_memory_j, memory_j}, {layout::attr_idle_j, idle_j}};
        write_energy_model(energy_.get(), model, preset_text, totals, path_);
    }

    void add_chip_total(const std::string& chip, const std::string& description_text,
                        std::span<const std::pair<std::string, double>> figures) override {
        check_open("writing chip totals");
        check_name("chip", chip);
        quiet_hdf5 quiet;
        write_chip(chips_group().get(), chip, description_text, figures, path_);
    }

    void set_chips_not_priced(const std::string& not_priced) override {
        check_open("writing chip totals");
        quiet_hdf5 quiet;
        write_attr(chips_group().get(), layout::attr_not_priced, not_priced, path_);
    }

    /// /energy/chips, created on first use (needs the ledger: chips price its counts).
    handle chips_group() {
        if (energy_.get() == H5I_INVALID_HID) throw invalid_parameter("recorder", "chip totals", "/energy/chips", "need the ledger (add_energy) first");
        return open_or_create_group(energy_.get(), layout::group_energy_chips, path_, layout::path(layout::group_energy, layout::group_energy_chips));
    }

    void set_weight_counters(std::size_t h, std::uint64_t weight_updates, std::uint64_t trace_updates, std::uint64_t hits_min,
                             std::uint64_t hits_max) override {
        check_open("writing plasticity counters");
        if (h >= weights_list_.size())
            throw invalid_parameter("recorder", "weights handle", std::to_string(h), "must be one returned by add_weights");
        quiet_hdf5 quiet;
        const hid_t g = weights_list_[h].group.get();
        for (const auto& [name, value] : {std::pair<const char*, std::uint64_t>{layout::attr_weight_updates, weight_updates},
                                          {layout::attr_trace_updates, trace_updates}, {layout::attr_hits_min, hits_min},
                                          {layout::attr_hits_max, hits_max}}) {
            if (H5Aexists(g, name) > 0) H5Adelete(g, name);
            write_attr(g, name, value, path_);
        }
    }

    void flush() override {
        check_open("flushing");
        quiet_hdf5 quiet;
        flush_all();
    }

    void close(bool complete, double wall_seconds, tick_t ticks_simulated) override {
        if (closed_) return;
        closed_ = true;  // Idempotent even when this call fails: a second try would not do better.
        quiet_hdf5 quiet;
        try {
            finish(complete, wall_seconds, ticks_simulated);
        } catch (...) {
            // E.g. the disk filled during the last flush: what reached the disk before may still
            // be a valid incomplete file. It replaces the target only if it opens again;
            // otherwise it is removed, so that no file that does not open is left behind.
            release();
            if (opens_again(where_.partial)) {
                try {
                    publish(where_);
                } catch (...) {  // the first error is the one to report; the partial file stays
                }
            } else {
                discard(where_);
            }
            throw;
        }
        publish(where_);
    }

private:
    /// close(): the buffers and the final attributes, written and flushed; the file closed.
    void finish(bool complete, double wall_seconds, tick_t ticks_simulated) {
        const hid_t root = file_.get();
        flush_all();
        write_attr(root, layout::attr_wall_time_s, wall_seconds, path_);
        if (ticks_simulated >= 0) {  // < 0: unknown (destroyed without close); left absent.
            write_attr(root, layout::attr_ticks_simulated, std::int64_t{ticks_simulated}, path_);
            write_attr(root, layout::attr_simulated_ms, static_cast<double>(ticks_simulated) * resolution_ms_, path_);
        }
        // The last write, after everything else succeeded: a file never says complete = 1 early.
        write_attr(root, layout::attr_complete, static_cast<std::int8_t>(complete ? 1 : 0), path_);
        check(H5Fflush(root, H5F_SCOPE_GLOBAL), path_, "flushing the file");
        close_objects();
        check(file_.reset(), path_, "closing the file");
    }

    void close_objects() noexcept {
        spike_pops_.clear();
        traces_list_.clear();
        weights_list_.clear();
        spikes_.reset();
        traces_.reset();
        weights_.reset();
        energy_counts_.reset();
        energy_ticks_.reset();
        energy_.reset();
    }

    /// After a failed write: closes every handle with the file's descriptor pointed at /dev/null
    /// first. HDF5 cannot write the metadata it still holds (a full disk), so its close would
    /// fail and keep the file open, and its own close at exit would fail again, print its error
    /// stack and crash (issue 11, defects 3 and 14); retrying a failed close crashes too. On
    /// /dev/null every write succeeds, so the close completes; the file on disk keeps what
    /// reached it and is judged by the caller (opens_again).
    void release() noexcept {
        close_objects();
        const hid_t id = file_.take();
        if (id < 0) return;
        void* vfd = nullptr;
        const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd >= 0 && H5Fget_vfd_handle(id, H5P_DEFAULT, &vfd) >= 0 && vfd != nullptr)
            ::dup2(null_fd, *static_cast<const int*>(vfd));  // the sec2 driver's handle is its descriptor
        if (null_fd >= 0) ::close(null_fd);
        if (H5Fclose(id) < 0) silence_for_good();  // still held by HDF5 (see silence_for_good)
        H5Eclear2(H5E_DEFAULT);
    }

    /// Whether a closed file opens and its root attribute `complete` reads back.
    static bool opens_again(const std::string& file) noexcept {
        const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f < 0) return false;
        std::int8_t complete = 0;
        const hid_t a = H5Aopen(f, layout::attr_complete, H5P_DEFAULT);
        const bool ok = a >= 0 && H5Aread(a, H5T_NATIVE_INT8, &complete) >= 0 &&
                        H5Lexists(f, layout::group_spikes, H5P_DEFAULT) > 0;
        if (a >= 0) H5Aclose(a);
        H5Fclose(f);
        H5Eclear2(H5E_DEFAULT);
        return ok;
    }

    struct spike_population {
        std::string name;
        std::uint64_t size = 0;
        handle group, ids, ticks;
        std::vector<std::uint32_t> ids_buf;
        std::vector<tick_t> ticks_buf;
        hsize_t written = 0;  // elements already in the datasets
        tick_t last_tick = std::numeric_limits<tick_t>::min();
    };
    struct trace {
        std::string population, variable;
        hsize_t columns = 0, chunk_rows = 1;
        handle group, values, ticks;
        std::vector<double> values_buf;  // row-major [rows, columns]
        std::vector<tick_t> ticks_buf;
        hsize_t written = 0;  // rows already in the datasets
        tick_t last_tick = std::numeric_limits<tick_t>::min();
    };

    struct weight_set {
        std::string projection;
        hsize_t columns = 0, rows = 0;
        handle group, values, ticks;
    };

    /// A fixed-size 1-D dataset written once.
    template <class T>
    void write_fixed(hid_t group, const char* name, std::span<const T> data, const std::string& where) {
        const std::string what = "creating dataset '" + where + "/" + name + "'";
        const hsize_t dims[1] = {data.size()};
        handle space = own_space(H5Screate_simple(1, dims, nullptr), path_, what);
        handle dset = own_dataset(
            H5Dcreate2(group, name, h5_type<T>::file(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path_, what);
        if (!data.empty()) check(H5Dwrite(dset.get(), h5_type<T>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), path_, what);
    }

    void check_open(const std::string& what) const {
        if (closed_) throw io_error("HDF5 file '" + path_ + "': " + what + " after close() is not possible");
    }

    double seconds_since_open() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - opened_).count();
    }

    /// Writes the first `n` buffered spikes of `pop` and drops them from the buffers.
    void write_spikes(spike_population& pop, hsize_t n) {
        const std::string where = layout::path(layout::group_spikes, pop.name);
        append_rows(pop.ids.get(), 1, pop.written, n, 0, pop.ids_buf.data(), path_, where + "/" + layout::dataset_ids);
        append_rows(pop.ticks.get(), 1, pop.written, n, 0, pop.ticks_buf.data(), path_, where + "/" + layout::dataset_ticks);
        pop.written += n;
        pop.ids_buf.erase(pop.ids_buf.begin(), pop.ids_buf.begin() + static_cast<std::ptrdiff_t>(n));
        pop.ticks_buf.erase(pop.ticks_buf.begin(), pop.ticks_buf.begin() + static_cast<std::ptrdiff_t>(n));
    }

    /// Writes every buffered row of `tr`.
    void write_trace(trace& tr) {
        const std::string where = layout::path(layout::group_traces, tr.population, tr.variable);
        const hsize_t rows = tr.ticks_buf.size();
        append_rows(tr.values.get(), 2, tr.written, rows, tr.columns, tr.values_buf.data(), path_,
                    where + "/" + layout::dataset_values);
        append_rows(tr.ticks.get(), 1, tr.written, rows, 0, tr.ticks_buf.data(), path_, where + "/" + layout::dataset_ticks);
        tr.written += rows;
        tr.values_buf.clear();
        tr.ticks_buf.clear();
    }

    void flush_all() {
        for (auto& pop : spike_pops_) write_spikes(pop, pop.ids_buf.size());
        for (auto& tr : traces_list_) write_trace(tr);
        check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), path_, "flushing the file");
    }

    staged_path where_;
    std::string path_;  // where_.target: what messages name
    double resolution_ms_;
    double inference_ms_;  // model time of one inference; written on /energy when > 0
    std::chrono::steady_clock::time_point opened_;
    handle file_, spikes_, traces_, weights_, energy_, energy_counts_, energy_ticks_;
    hsize_t energy_columns_ = 0, energy_rows_ = 0;
    std::vector<weight_set> weights_list_;
    std::vector<spike_population> spike_pops_;
    std::vector<trace> traces_list_;
    bool closed_ = false;
};
}  // namespace

std::unique_ptr<recorder> recorder::open_hdf5(const std::string& path, const run_info& info, bool overwrite) {
    // Refuses the scenario itself, directories, devices and (without overwrite) existing files.
    const staged_path where = stage(path, info.scenario_file, overwrite);
    try {
        return std::make_unique<hdf5_recorder>(where, info);
    } catch (...) {
        discard(where);  // the constructor's members closed the file: nothing of it is worth keeping
        throw;
    }
}

}  // namespace memspike
