// SPDX-License-Identifier: MIT
// HDF5 plumbing shared by the writer (writer.cpp) and the reader (reader.cpp): error checks that
// turn a failed call into an io_error naming the file, RAII owners of hid_t, the C++ -> HDF5 type
// mapping, and the attribute, group and dataset primitives the writer builds the layout from. It
// knows no name of the layout (hdf5_layout.hpp does) and is private to memspike_core: no public
// header includes HDF5.
//
// Every function takes the file's path and a "what" for the message: "HDF5 file '<path>': <what>
// failed (<HDF5's innermost reason>)".
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace memspike::h5 {

// --- Error handling -------------------------------------------------------------------------

// Turns HDF5's automatic error printing off for the life of a guard and restores it afterwards,
// so that our io_error is the only report and a caller who wants HDF5's traces still gets them.
class quiet_hdf5 {
public:
    quiet_hdf5() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~quiet_hdf5() {
        if (!silenced()) H5Eset_auto2(H5E_DEFAULT, func_, data_);
    }
    /// Whether silence_for_good() was called.
    static bool silenced();
    quiet_hdf5(const quiet_hdf5&) = delete;
    quiet_hdf5& operator=(const quiet_hdf5&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

/// Turns HDF5's error printing off for the rest of the process: a file HDF5 failed to write
/// stays open in the library (HDF5 1.10 crashes when a failed close is retried), and its own
/// close at exit would print a stack of errors for it.
void silence_for_good();

/// Throws io_error naming the file, what failed, and HDF5's innermost explanation if it left one.
[[noreturn]] void fail(const std::string& path, const std::string& what);
hid_t check(hid_t id, const std::string& path, const std::string& what);
void check(herr_t status, const std::string& path, const std::string& what);

// --- RAII for hid_t ---------------------------------------------------------------------------

/// Owns one HDF5 identifier and closes it with the matching H5?close.
class handle {
public:
    using closer = herr_t (*)(hid_t);
    handle() = default;
    handle(hid_t id, closer close) : id_(id), close_(close) {}
    handle(handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
    handle& operator=(handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
            close_ = o.close_;
        }
        return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { reset(); }

    hid_t get() const { return id_; }
    /// Gives up ownership: the caller closes the identifier.
    hid_t take() noexcept { return std::exchange(id_, H5I_INVALID_HID); }
    /// Closes now; returns HDF5's status so that the file close can be checked.
    herr_t reset() noexcept {
        herr_t status = 0;
        if (id_ >= 0 && close_ != nullptr) status = close_(id_);
        id_ = H5I_INVALID_HID;
        return status;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    closer close_ = nullptr;
};

// Each takes the raw result of an H5?create/open call, checks it and wraps it.
handle own_file(hid_t id, const std::string& path, const std::string& what);
handle own_group(hid_t id, const std::string& path, const std::string& what);
handle own_dataset(hid_t id, const std::string& path, const std::string& what);
handle own_space(hid_t id, const std::string& path, const std::string& what);
handle own_plist(hid_t id, const std::string& path, const std::string& what);
handle own_type(hid_t id, const std::string& path, const std::string& what);
handle own_attr(hid_t id, const std::string& path, const std::string& what);

// --- Type mapping: file type (fixed, little-endian) and memory type (native) --------------------

template <class T> struct h5_type;
template <> struct h5_type<std::uint32_t> {
    static hid_t file() { return H5T_STD_U32LE; }
    static hid_t mem() { return H5T_NATIVE_UINT32; }
};
template <> struct h5_type<std::uint64_t> {
    static hid_t file() { return H5T_STD_U64LE; }
    static hid_t mem() { return H5T_NATIVE_UINT64; }
};
template <> struct h5_type<std::int64_t> {
    static hid_t file() { return H5T_STD_I64LE; }
    static hid_t mem() { return H5T_NATIVE_INT64; }
};
template <> struct h5_type<std::int32_t> {
    static hid_t file() { return H5T_STD_I32LE; }
    static hid_t mem() { return H5T_NATIVE_INT32; }
};
template <> struct h5_type<std::int8_t> {
    static hid_t file() { return H5T_STD_I8LE; }
    static hid_t mem() { return H5T_NATIVE_INT8; }
};
template <> struct h5_type<float> {
    static hid_t file() { return H5T_IEEE_F32LE; }
    static hid_t mem() { return H5T_NATIVE_FLOAT; }
};
template <> struct h5_type<double> {
    static hid_t file() { return H5T_IEEE_F64LE; }
    static hid_t mem() { return H5T_NATIVE_DOUBLE; }
};

/// The type of the layout's text attributes: a variable-length UTF-8 string, which h5py reads as
/// `str` and h5dump prints as text. Used to write them and to read them back.
handle utf8_text_type(const std::string& path, const std::string& what);

// --- Attributes ---------------------------------------------------------------------------------

/// Opens attribute `name` on `obj`, creating it with (type, scalar space) if it does not exist yet.
handle open_or_create_attr(hid_t obj, const std::string& name, hid_t file_type, const std::string& path);

template <class T>
void write_attr(hid_t obj, const std::string& name, T value, const std::string& path) {
    handle attr = open_or_create_attr(obj, name, h5_type<T>::file(), path);
    check(H5Awrite(attr.get(), h5_type<T>::mem(), &value), path, "writing attribute '" + name + "'");
}
/// Scalar variable-length UTF-8 string: h5py reads it as `str`, h5dump prints it as text.
void write_attr(hid_t obj, const std::string& name, const std::string& value, const std::string& path);
void write_attr(hid_t obj, const std::string& name, const char* value, const std::string& path);

// --- Datasets and groups ------------------------------------------------------------------------

/// Writes `values` as a fixed-size float64 dataset `name` [values.size()] under `parent`.
void write_vector(hid_t parent, const std::string& name, const std::vector<double>& values, const std::string& path,
                  const std::string& where);

/// Creates an extendible, chunked, shuffled and deflated dataset of `rank` 1 or 2 with 0 rows.
handle create_extendible(hid_t parent, const std::string& name, hid_t file_type, int rank, hsize_t columns,
                         const hsize_t* chunk, const std::string& path, const std::string& where);

/// Grows dataset `dset` to `offset + rows` rows and writes `rows` rows of `columns` values at
/// `offset`. Safe to repeat after a failure: the same region is simply written again.
template <class T>
void append_rows(hid_t dset, int rank, hsize_t offset, hsize_t rows, hsize_t columns, const T* data,
                 const std::string& path, const std::string& where) {
    if (rows == 0) return;
    const std::string what = "appending to dataset '" + where + "'";
    const hsize_t new_dims[2] = {offset + rows, columns};
    check(H5Dset_extent(dset, new_dims), path, what);
    handle file_space = own_space(H5Dget_space(dset), path, what);
    const hsize_t start[2] = {offset, 0};
    const hsize_t count[2] = {rows, columns};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), path, what);
    handle mem_space = own_space(H5Screate_simple(rank, count, nullptr), path, what);
    check(H5Dwrite(dset, h5_type<T>::mem(), mem_space.get(), file_space.get(), H5P_DEFAULT, data), path, what);
}

/// Opens group `name` under `parent`, creating it if needed.
handle open_or_create_group(hid_t parent, const std::string& name, const std::string& path,
                            const std::string& where);

}  // namespace memspike::h5
