// SPDX-License-Identifier: MIT
// HDF5 plumbing shared by the writer and the reader; see handles.hpp.
#include "handles.hpp"

#include <atomic>

#include "memspike/core/errors.hpp"

namespace memspike::h5 {
namespace {

// gzip level of the extendible datasets, after the shuffle filter (docs/hdf5-schema.md states both).
constexpr unsigned deflate_level = 4;

herr_t innermost_error(unsigned n, const H5E_error2_t* err, void* out) {
    // Walked upward, frame 0 is the most specific one (e.g. the errno text of a failed open).
    if (n != 0 || err == nullptr || err->desc == nullptr) return 0;
    std::string desc = err->desc;
    // A failed write's text is a paragraph of driver internals ("time = ..., filename = ..., errno
    // = 28, error message = 'No space left on device', buf = ..."): keep the error message.
    const std::string key = "error message = '";
    if (const auto a = desc.find(key); a != std::string::npos)
        if (const auto b = desc.find('\'', a + key.size()); b != std::string::npos) desc = desc.substr(a + key.size(), b - a - key.size());
    *static_cast<std::string*>(out) = desc;
    return 0;
}

std::atomic<bool> g_silenced{false};

}  // namespace

bool quiet_hdf5::silenced() { return g_silenced.load(); }

void silence_for_good() {
    g_silenced.store(true);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    std::string detail;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, &detail);
    H5Eclear2(H5E_DEFAULT);
    std::string msg = "HDF5 file '" + path + "': " + what + " failed";
    if (!detail.empty()) msg += " (" + detail + ")";
    throw io_error(msg);
}

hid_t check(hid_t id, const std::string& path, const std::string& what) {
    if (id < 0) fail(path, what);
    return id;
}

void check(herr_t status, const std::string& path, const std::string& what) {
    if (status < 0) fail(path, what);
}

// --- RAII for hid_t ---------------------------------------------------------------------------

// Each takes the raw result of an H5?create/open call, checks it and wraps it.
handle own_file(hid_t id, const std::string& path, const std::string& what) {
    return {check(id, path, what), H5Fclose};
}
handle own_group(hid_t id, const std::string& path, const std::string& what) {
    return {check(id, path, what), H5Gclose};
}
handle own_dataset(hid_t id, const std::string& path, const std::string& what) {
    return {check(id, path, what), H5Dclose};
}
handle own_space(hid_t id, const std::string& path, const std::string& what) {
    return {check(id, path, what), H5Sclose};
}
handle own_plist(hid_t id, const std::string& path, const std::string& what) {
    return {check(id, path, what), H5Pclose};
}
handle own_type(hid_t id, const std::string& path, const std::string& what) {
    return {check(id, path, what), H5Tclose};
}
handle own_attr(hid_t id, const std::string& path, const std::string& what) {
    return {check(id, path, what), H5Aclose};
}

// --- Types, attributes, datasets and groups -------------------------------------------------------

handle utf8_text_type(const std::string& path, const std::string& what) {
    handle type = own_type(H5Tcopy(H5T_C_S1), path, what);
    check(H5Tset_size(type.get(), H5T_VARIABLE), path, what);
    check(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, what);
    return type;
}

handle open_or_create_attr(hid_t obj, const std::string& name, hid_t file_type, const std::string& path) {
    const std::string what = "writing attribute '" + name + "'";
    const htri_t exists = H5Aexists(obj, name.c_str());
    if (exists < 0) fail(path, what);
    if (exists > 0) return own_attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), path, what);
    handle space = own_space(H5Screate(H5S_SCALAR), path, what);
    return own_attr(H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), path,
                    what);
}

void write_attr(hid_t obj, const std::string& name, const std::string& value, const std::string& path) {
    const std::string what = "writing attribute '" + name + "'";
    handle type = utf8_text_type(path, what);
    handle attr = open_or_create_attr(obj, name, type.get(), path);
    const char* text = value.c_str();
    check(H5Awrite(attr.get(), type.get(), &text), path, what);
}

void write_attr(hid_t obj, const std::string& name, const char* value, const std::string& path) {
    write_attr(obj, name, std::string(value), path);
}

void write_vector(hid_t parent, const std::string& name, const std::vector<double>& values, const std::string& path,
                  const std::string& where) {
    const std::string what = "creating dataset '" + where + "'";
    const hsize_t dims[1] = {values.size()};
    handle space = own_space(H5Screate_simple(1, dims, nullptr), path, what);
    handle dset = own_dataset(
        H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path, what);
    check(H5Dwrite(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), path, what);
}

handle create_extendible(hid_t parent, const std::string& name, hid_t file_type, int rank, hsize_t columns,
                         const hsize_t* chunk, const std::string& path, const std::string& where) {
    const std::string what = "creating dataset '" + where + "'";
    const hsize_t dims[2] = {0, columns};
    const hsize_t max_dims[2] = {H5S_UNLIMITED, columns};
    handle space = own_space(H5Screate_simple(rank, dims, max_dims), path, what);
    handle dcpl = own_plist(H5Pcreate(H5P_DATASET_CREATE), path, what);
    check(H5Pset_chunk(dcpl.get(), rank, chunk), path, what);
    check(H5Pset_shuffle(dcpl.get()), path, what);
    check(H5Pset_deflate(dcpl.get(), deflate_level), path, what);
    return own_dataset(
        H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), path,
        what);
}

handle open_or_create_group(hid_t parent, const std::string& name, const std::string& path,
                            const std::string& where) {
    const std::string what = "creating group '" + where + "'";
    const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
    if (exists < 0) fail(path, what);
    if (exists > 0) return own_group(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), path, what);
    return own_group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path, what);
}

}  // namespace memspike::h5
