// SPDX-License-Identifier: MIT
// Reading the NIR HDF5 layout (h5_graph.hpp) with the HDF5 C API. Strings may be fixed-length or
// variable-length (h5py writes the latter for `str`, the former for numpy byte arrays), so both
// are read; numbers of any class are converted to double by HDF5 itself.
#include "nir/h5_graph.hpp"

#include <hdf5.h>

#include <memory>

#include "memspike/core/errors.hpp"

namespace memspike::nir {
namespace {

/// Owns one hid_t and closes it with the matching function.
class owned {
public:
    owned(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    owned(const owned&) = delete;
    owned& operator=(const owned&) = delete;
    ~owned() {
        if (id_ >= 0) close_(id_);
    }
    hid_t get() const { return id_; }
    bool ok() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

/// HDF5's own error printing off while we read: our messages are the report.
struct quiet {
    H5E_auto2_t func = nullptr;
    void* data = nullptr;
    quiet() {
        H5Eget_auto2(H5E_DEFAULT, &func, &data);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~quiet() { H5Eset_auto2(H5E_DEFAULT, func, data); }
};

[[noreturn]] void bad(const std::string& path, const std::string& key, const std::string& what) {
    throw scenario_error(path, 0, 0, key, what);
}

bool has_link(hid_t loc, const std::string& name) { return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0; }

H5O_type_t object_type(hid_t loc, const std::string& name) {
    H5O_info_t info;
#if H5_VERSION_GE(1, 12, 0)
    if (H5Oget_info_by_name3(loc, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return H5O_TYPE_UNKNOWN;
#else
    if (H5Oget_info_by_name2(loc, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return H5O_TYPE_UNKNOWN;
#endif
    return info.type;
}

std::vector<std::string> child_names(hid_t group) {
    std::vector<std::string> names;
    H5G_info_t info;
    if (H5Gget_info(group, &info) < 0) return names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (n < 0) continue;
        std::string s(static_cast<std::size_t>(n), '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size() + 1, H5P_DEFAULT);
        names.push_back(std::move(s));
    }
    return names;
}

/// Every string of a string dataset, row-major.
std::vector<std::string> read_strings(hid_t dset, hid_t ftype, std::uint64_t count, const std::string& path,
                                      const std::string& key) {
    std::vector<std::string> out;
    if (count == 0) return out;
    if (H5Tis_variable_str(ftype) > 0) {
        owned mtype(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mtype.get(), H5T_VARIABLE);
        H5Tset_cset(mtype.get(), H5Tget_cset(ftype));
        std::vector<char*> buf(count, nullptr);
        if (H5Dread(dset, mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
            bad(path, key, "cannot read this string dataset");
        for (char* s : buf) out.emplace_back(s ? s : "");
        owned space(H5Dget_space(dset), H5Sclose);
        H5Dvlen_reclaim(mtype.get(), space.get(), H5P_DEFAULT, buf.data());
        return out;
    }
    const std::size_t size = H5Tget_size(ftype);
    owned mtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mtype.get(), size);
    H5Tset_strpad(mtype.get(), H5T_STR_NULLPAD);
    std::string buf(count * size, '\0');
    if (H5Dread(dset, mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
        bad(path, key, "cannot read this string dataset");
    for (std::uint64_t i = 0; i < count; ++i) {
        std::string s = buf.substr(i * size, size);
        s.resize(s.find('\0') == std::string::npos ? s.size() : s.find('\0'));
        out.push_back(std::move(s));
    }
    return out;
}

/// One dataset as numbers or a string, with its shape. `strings` receives every string of a
/// string array (the edge list); a scalar string also lands in `text`.
h5_value read_value(hid_t loc, const std::string& name, const std::string& path, const std::string& key,
                    std::vector<std::string>* strings = nullptr) {
    owned dset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dset.ok()) bad(path, key, "cannot open this dataset");
    owned space(H5Dget_space(dset.get()), H5Sclose);
    owned ftype(H5Dget_type(dset.get()), H5Tclose);
    h5_value v;
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0) bad(path, key, "cannot read the shape of this dataset");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    std::uint64_t count = 1;
    for (const auto d : dims) {
        v.shape.push_back(d);
        count *= d;
    }
    const H5T_class_t cls = H5Tget_class(ftype.get());
    if (cls == H5T_STRING) {
        v.is_string = true;
        auto all = read_strings(dset.get(), ftype.get(), count, path, key);
        if (!all.empty()) v.text = all.front();
        if (strings) *strings = std::move(all);
        return v;
    }
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        bad(path, key, "expected numbers or a string, got an HDF5 dataset of another class (compound, enum, ...)");
    v.data.resize(count);
    if (count > 0 && H5Dread(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data.data()) < 0)
        bad(path, key, "cannot read this dataset as numbers");
    return v;
}

h5_node read_node(hid_t nodes, const std::string& name, const std::string& path) {
    h5_node n;
    n.name = name;
    const std::string key = "node.nodes." + name;
    if (object_type(nodes, name) != H5O_TYPE_GROUP) bad(path, key, "a node must be an HDF5 group");
    owned g(H5Gopen2(nodes, name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.ok()) bad(path, key, "cannot open this node's group");
    for (const auto& child : child_names(g.get())) {
        const H5O_type_t t = object_type(g.get(), child);
        if (t == H5O_TYPE_GROUP) {
            if (child != "metadata") n.groups.push_back(child);
        } else if (t == H5O_TYPE_DATASET) {
            n.values[child] = read_value(g.get(), child, path, key + "." + child);
        }
    }
    const auto type = n.values.find("type");
    if (type == n.values.end() || !type->second.is_string)
        bad(path, key + ".type", "every node needs a string dataset 'type' (e.g. \"LIF\")");
    n.type = type->second.text;
    n.values.erase(type);
    return n;
}

} // namespace

h5_graph read_h5_graph(const std::string& path) {
    quiet q;
    owned file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) throw io_error("cannot open NIR graph '" + path + "' (not a readable HDF5 file)");
    h5_graph g;
    g.path = path;
    if (has_link(file.get(), "version") && object_type(file.get(), "version") == H5O_TYPE_DATASET)
        g.version = read_value(file.get(), "version", path, "version").text;
    if (!has_link(file.get(), "node") || object_type(file.get(), "node") != H5O_TYPE_GROUP)
        bad(path, "node", "a NIR file needs a group 'node' holding the graph");
    owned root(H5Gopen2(file.get(), "node", H5P_DEFAULT), H5Gclose);
    if (!has_link(root.get(), "type")) bad(path, "node.type", "the root node needs a string dataset 'type' = \"NIRGraph\"");
    const std::string root_type = read_value(root.get(), "type", path, "node.type").text;
    if (root_type != "NIRGraph")
        bad(path, "node.type", "the root node must be a \"NIRGraph\", got \"" + root_type + "\"");
    if (!has_link(root.get(), "nodes") || object_type(root.get(), "nodes") != H5O_TYPE_GROUP)
        bad(path, "node.nodes", "the graph needs a group 'nodes'");
    owned nodes(H5Gopen2(root.get(), "nodes", H5P_DEFAULT), H5Gclose);
    for (const auto& name : child_names(nodes.get())) g.nodes.push_back(read_node(nodes.get(), name, path));
    if (!has_link(root.get(), "edges")) bad(path, "node.edges", "the graph needs a dataset 'edges' of (source, target) names");
    std::vector<std::string> names;
    const h5_value e = read_value(root.get(), "edges", path, "node.edges", &names);
    const bool empty = e.shape.size() >= 1 && e.shape[0] == 0;
    if (!empty && (!e.is_string || e.shape.size() != 2 || e.shape[1] != 2))
        bad(path, "node.edges", "expected an N x 2 array of node names (source, target)");
    for (std::size_t i = 0; i + 1 < names.size(); i += 2) g.edges.emplace_back(names[i], names[i + 1]);
    return g;
}

} // namespace memspike::nir
