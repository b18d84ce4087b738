// SPDX-License-Identifier: MIT
// The HDF5 reader: read_energy_ledger reads /energy and the root attributes that price it back
// from a file written by writer.cpp (finished or interrupted), every name from hdf5_layout.hpp.
#include "memspike/core/energy.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "handles.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/hdf5_layout.hpp"

namespace memspike {
namespace {

using namespace h5;              // handles, checks and HDF5 primitives (handles.hpp)
namespace layout = hdf5_layout;  // every name of the layout comes from there

}  // namespace

recorded_ledger read_energy_ledger(const std::string& path) {
    quiet_hdf5 quiet;
    handle file = own_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "opening the file");
    const std::string energy_path = layout::path(layout::group_energy);
    if (H5Lexists(file.get(), layout::group_energy, H5P_DEFAULT) <= 0)
        throw io_error("HDF5 file '" + path + "' has no " + energy_path + " group: it was written without an energy ledger "
                       "(recording.energy_bin = 0) or by another program");
    recorded_ledger out;
    handle group = own_group(H5Gopen2(file.get(), layout::group_energy, H5P_DEFAULT), path, "opening " + energy_path);
    auto read_attr_u64 = [&](hid_t obj, const char* name) {
        std::uint64_t v = 0;
        handle a = own_attr(H5Aopen(obj, name, H5P_DEFAULT), path, std::string("reading attribute ") + name);
        check(H5Aread(a.get(), H5T_NATIVE_UINT64, &v), path, std::string("reading attribute ") + name);
        return v;
    };
    out.profile.neurons = read_attr_u64(group.get(), layout::attr_neurons);
    out.profile.synapses = read_attr_u64(group.get(), layout::attr_synapses);
    out.profile.dense_weights = read_attr_u64(group.get(), layout::attr_dense_weights);
    {
        const std::string what_res = std::string("reading attribute ") + layout::attr_resolution_ms;
        handle a = own_attr(H5Aopen(file.get(), layout::attr_resolution_ms, H5P_DEFAULT), path, what_res);
        check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &out.resolution_ms), path, what_res);
        std::int8_t complete = 0;
        const std::string what_complete = std::string("reading attribute ") + layout::attr_complete;
        handle c = own_attr(H5Aopen(file.get(), layout::attr_complete, H5P_DEFAULT), path, what_complete);
        check(H5Aread(c.get(), H5T_NATIVE_INT8, &complete), path, what_complete);
        out.complete = complete != 0;
    }
    auto read_text = [&](const char* name, std::string& to, hid_t obj) {  // variable-length UTF-8 string
        if (H5Aexists(obj, name) <= 0) return;
        const std::string what = std::string("reading attribute ") + name;
        handle a = own_attr(H5Aopen(obj, name, H5P_DEFAULT), path, what);
        handle type = own_type(H5Tcopy(H5T_C_S1), path, what);
        check(H5Tset_size(type.get(), H5T_VARIABLE), path, what);
        check(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, what);
        char* text = nullptr;
        check(H5Aread(a.get(), type.get(), &text), path, what);
        if (text != nullptr) {
            to = text;
            H5free_memory(text);
        }
    };
    read_text(layout::attr_backend, out.backend, file.get());
    // The ledger's columns, by name: the engine's counters, then those of the run's backend.
    std::string categories;
    read_text(layout::attr_categories, categories, group.get());
    std::vector<std::string> names;
    for (std::size_t a = 0; !categories.empty();) {
        const std::size_t b = categories.find(',', a);
        names.push_back(categories.substr(a, b == std::string::npos ? std::string::npos : b - a));
        if (b == std::string::npos) break;
        a = b + 1;
    }
    try {
        out.totals = event_counts(names);
    } catch (const io_error& e) {
        throw io_error("HDF5 file '" + path + "': /energy attribute '" + std::string(layout::attr_categories) + "': " + e.what());
    }
    // The backend's parameters: root attributes "backend.<name>".
    const auto on_attr = [](hid_t obj, const char* name, const H5A_info_t*, void* data) -> herr_t {
        const std::string n(name), prefix(layout::attr_backend_param_prefix);
        if (n.rfind(prefix, 0) != 0) return 0;
        double v = 0.0;
        const hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
        if (a < 0) return -1;
        const herr_t r = H5Aread(a, H5T_NATIVE_DOUBLE, &v);
        H5Aclose(a);
        if (r < 0) return -1;
        (*static_cast<std::map<std::string, double>*>(data))[n.substr(prefix.size())] = v;
        return 0;
    };
    hsize_t index = 0;
    check(H5Aiterate2(file.get(), H5_INDEX_NAME, H5_ITER_INC, &index, on_attr, &out.backend_params), path,
          "reading the backend.* attributes");
    if (H5Aexists(group.get(), layout::attr_inference_ms) > 0) {  // optional: [recording] inference
        const std::string what = std::string("reading attribute ") + layout::attr_inference_ms;
        handle a = own_attr(H5Aopen(group.get(), layout::attr_inference_ms, H5P_DEFAULT), path, what);
        check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &out.inference_ms), path, what);
    }
    const std::string counts_path = layout::path(layout::group_energy, layout::dataset_counts);
    const std::string ticks_path = layout::path(layout::group_energy, layout::dataset_ticks);
    handle counts = own_dataset(H5Dopen2(group.get(), layout::dataset_counts, H5P_DEFAULT), path, "opening " + counts_path);
    handle space = own_space(H5Dget_space(counts.get()), path, "reading " + counts_path);
    hsize_t dims[2] = {0, 0};
    if (H5Sget_simple_extent_ndims(space.get()) != 2)
        throw io_error("HDF5 file '" + path + "': " + counts_path + " must be a 2-D dataset (bins x categories)");
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    if (dims[1] != out.totals.size())
        throw io_error("HDF5 file '" + path + "': " + counts_path + " has " + std::to_string(dims[1]) + " columns, expected " +
                       std::to_string(out.totals.size()) + " (one per name in /energy's '" + layout::attr_categories + "')");
    out.bins = dims[0];
    if (dims[0] > 0) {
        std::vector<std::uint64_t> data(dims[0] * dims[1]);
        check(H5Dread(counts.get(), H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), path, "reading " + counts_path);
        for (hsize_t b = 0; b < dims[0]; ++b)
            for (hsize_t c = 0; c < dims[1]; ++c) out.totals.values()[c] += data[b * dims[1] + c];
        handle ticks = own_dataset(H5Dopen2(group.get(), layout::dataset_ticks, H5P_DEFAULT), path, "opening " + ticks_path);
        handle tspace = own_space(H5Dget_space(ticks.get()), path, "reading " + ticks_path);
        hsize_t tdims[1] = {0};
        if (H5Sget_simple_extent_ndims(tspace.get()) != 1 || (H5Sget_simple_extent_dims(tspace.get(), tdims, nullptr), tdims[0] != dims[0]))
            throw io_error("HDF5 file '" + path + "': " + ticks_path + " must be 1-D with one row per row of " + counts_path + " (" +
                           std::to_string(dims[0]) + ")");
        std::vector<tick_t> t(dims[0]);
        check(H5Dread(ticks.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()), path, "reading " + ticks_path);
        out.ticks = t.back();
    }
    return out;
}

}  // namespace memspike
