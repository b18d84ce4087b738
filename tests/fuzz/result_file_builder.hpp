// SPDX-License-Identifier: MIT
// For fuzz_result_file: writes a well-formed HDF5 file whose content the fuzz input chooses.
//
// Every object read_energy_ledger reads (the root's resolution_ms, complete, backend and
// backend.* attributes; /energy's neurons, synapses, dense_weights, categories, inference_ms
// attributes; /energy/counts and /energy/ticks) is absent, of the expected type or of another
// one, with any value (NaN, infinities, negative, huge), and the datasets of any rank and shape
// (rows of counts and ticks that disagree, a column count unlike the categories). Byte-level
// mutation of whole files mostly breaks HDF5's own metadata and tests libhdf5 rather than our
// reader (docs/fuzzing.md); this reaches the reader's own checks.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include "memspike/core/hdf5_layout.hpp"

namespace memspike::fuzz {

class result_file_builder {
public:
    result_file_builder(FuzzedDataProvider& in, std::vector<std::string> counters) : in_(in), counters_(std::move(counters)) {}

    /// Writes the file at `path`; false when HDF5 refused to create it (not a finding).
    bool write(const std::string& path) {
        namespace layout = hdf5_layout;
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (file < 0) return false;
        number_attr(file, layout::attr_resolution_ms);
        number_attr(file, layout::attr_complete);
        text_attr(file, layout::attr_backend, pick({"digital", "crossbar", "dense", ""}));
        for (int k = in_.ConsumeIntegralInRange(0, 4); k > 0; --k)
            number_attr(file, std::string(layout::attr_backend_param_prefix) +
                                  pick({"g_min", "g_max", "levels", "v_read", "tile_rows", "tile_cols", "adc_bits", ""}));
        if (in_.ConsumeIntegralInRange(0, 15) != 0) {  // mostly there: the reader's first check
            const hid_t energy = H5Gcreate2(file, layout::group_energy, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (energy >= 0) {
                for (const char* name : {layout::attr_neurons, layout::attr_synapses, layout::attr_dense_weights, layout::attr_inference_ms})
                    number_attr(energy, name);
                const std::size_t columns = categories(energy);
                dataset(energy, layout::dataset_counts, columns);
                dataset(energy, layout::dataset_ticks, columns);
                H5Gclose(energy);
            }
        }
        return H5Fclose(file) >= 0;
    }

private:
    FuzzedDataProvider& in_;
    std::vector<std::string> counters_;

    std::string pick(std::initializer_list<const char*> names) {
        const std::size_t k = in_.ConsumeIntegralInRange<std::size_t>(0, names.size());
        return k < names.size() ? std::string(names.begin()[k]) : in_.ConsumeRandomLengthString(24);
    }

    double number() {
        static constexpr double special[] = {0.0, -0.0, 0.1, 1.0, -1.0, 1e308, -1e308, 1e-310, 4294967296.0, 1.8446744073709552e19,
                                             std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                             -std::numeric_limits<double>::infinity()};
        const std::size_t k = in_.ConsumeIntegralInRange<std::size_t>(0, std::size(special));
        return k < std::size(special) ? special[k] : in_.ConsumeFloatingPoint<double>();
    }

    void scalar(hid_t obj, const std::string& name, hid_t type, const void* value) {
        const hid_t space = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0) {
            H5Awrite(a, type, value);
            H5Aclose(a);
        }
        H5Sclose(space);
    }

    /// A numeric attribute of any type (or absent, or text, or a 2-element array).
    void number_attr(hid_t obj, const std::string& name) {
        switch (in_.ConsumeIntegralInRange(0, 6)) {
        case 0: return;  // absent
        case 1: { const auto v = in_.ConsumeIntegral<std::int8_t>(); scalar(obj, name, H5T_NATIVE_INT8, &v); return; }
        case 2: { const auto v = in_.ConsumeIntegral<std::int64_t>(); scalar(obj, name, H5T_NATIVE_INT64, &v); return; }
        case 3: { const auto v = in_.ConsumeIntegral<std::uint64_t>(); scalar(obj, name, H5T_NATIVE_UINT64, &v); return; }
        case 4: text_attr(obj, name, in_.ConsumeRandomLengthString(16)); return;
        case 5: {
            const double v[2] = {number(), number()};
            const hsize_t two = 2;
            const hid_t space = H5Screate_simple(1, &two, nullptr);
            const hid_t a = H5Acreate2(obj, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
            if (a >= 0) {
                H5Awrite(a, H5T_NATIVE_DOUBLE, v);
                H5Aclose(a);
            }
            H5Sclose(space);
            return;
        }
        default: { const double v = number(); scalar(obj, name, H5T_NATIVE_DOUBLE, &v); return; }
        }
    }

    /// A variable-length UTF-8 string attribute, as the writer makes them (or a number instead).
    void text_attr(hid_t obj, const std::string& name, const std::string& text) {
        if (in_.ConsumeIntegralInRange(0, 7) == 0) return number_attr(obj, name);
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
        const char* c = text.c_str();
        scalar(obj, name, type, &c);
        H5Tclose(type);
    }

    /// /energy's categories: known counter names and others, comma-separated. Returns their count.
    std::size_t categories(hid_t energy) {
        std::string text;
        const int n = in_.ConsumeIntegralInRange(0, static_cast<int>(counters_.size()) + 2);
        for (int k = 0; k < n; ++k) {
            const auto i = in_.ConsumeIntegralInRange<std::size_t>(0, counters_.size());
            text += (k ? "," : "") + (i < counters_.size() ? counters_[i] : in_.ConsumeRandomLengthString(12));
        }
        text_attr(energy, hdf5_layout::attr_categories, text);
        return static_cast<std::size_t>(n);
    }

    /// A dataset of any rank (0-3), small shape, numeric type, values from the input; or a group
    /// of that name; or nothing.
    void dataset(hid_t parent, const char* name, std::size_t columns) {
        const int what = in_.ConsumeIntegralInRange(0, 9);
        if (what == 0) return;
        if (what == 1) {
            const hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (g >= 0) H5Gclose(g);
            return;
        }
        const int rank = in_.ConsumeIntegralInRange(0, 3);
        hsize_t dims[3] = {1, 1, 1};
        std::size_t n = 1;
        for (int d = 0; d < rank; ++d) {
            // The column count of counts usually matches the categories, so that reading goes on.
            dims[d] = d == 1 && in_.ConsumeBool() ? columns : in_.ConsumeIntegralInRange<hsize_t>(0, 6);
            n *= dims[d];
        }
        static const hid_t* const types[] = {&H5T_NATIVE_UINT64_g, &H5T_NATIVE_INT64_g, &H5T_NATIVE_DOUBLE_g, &H5T_NATIVE_INT8_g,
                                             &H5T_NATIVE_UINT32_g};
        const hid_t type = *types[in_.ConsumeIntegralInRange<std::size_t>(0, std::size(types) - 1)];
        const std::size_t bytes = n * H5Tget_size(type);
        std::vector<unsigned char> data = in_.ConsumeBytes<unsigned char>(bytes);
        data.resize(bytes);  // zeros when the input ran out
        const hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, nullptr);
        const hid_t ds = H5Dcreate2(parent, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (ds >= 0) {
            if (bytes > 0) H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
            H5Dclose(ds);
        }
        H5Sclose(space);
    }
};

} // namespace memspike::fuzz
