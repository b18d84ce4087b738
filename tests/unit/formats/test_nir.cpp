// SPDX-License-Identifier: MIT
// The NIR reader and lowering (formats/nir/) on graphs written here with the HDF5 C API, in the
// layout of the NIR reference implementation: the synapses a small convolutional network becomes,
// counted and valued by hand, and the errors for broken files. (The spikes of imported graphs are
// checked against a numpy evaluation in tests/python/test_nir_import.py.)
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/formats/nir.hpp"

using namespace memspike;
using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;

void put_string(hid_t loc, const char* name, const std::string& value) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t set = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char* p = value.c_str();
    H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p);
    H5Dclose(set);
    H5Sclose(space);
    H5Tclose(type);
}

void put_numbers(hid_t loc, const char* name, const std::vector<double>& v, std::vector<hsize_t> dims = {}) {
    if (dims.empty()) dims = {v.size()};
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t set = H5Dcreate2(loc, name, H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(set);
    H5Sclose(space);
}

/// Edges as fixed-length byte strings (numpy 'S'), the form the reader handles besides h5py's
/// variable-length ones (tests/python).
void put_edges(hid_t loc, const std::vector<std::pair<std::string, std::string>>& edges) {
    const std::size_t width = 16;
    std::string buf(edges.size() * 2 * width, '\0');
    for (std::size_t i = 0; i < edges.size(); ++i) {
        buf.replace(2 * i * width, edges[i].first.size(), edges[i].first);
        buf.replace((2 * i + 1) * width, edges[i].second.size(), edges[i].second);
    }
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, width);
    const hsize_t dims[2] = {edges.size(), 2};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t set = H5Dcreate2(loc, "edges", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    H5Dclose(set);
    H5Sclose(space);
    H5Tclose(type);
}

hid_t node(hid_t nodes, const char* name, const char* type) {
    const hid_t g = H5Gcreate2(nodes, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put_string(g, "type", type);
    return g;
}

/// Input(1, 3, 3) -> Conv2d(1 -> 1, 2 x 2 kernel [1 2; 3 4], bias 5) -> LIF(1, 2, 2)
///   -> SumPool2d(2) -> Flatten -> Linear([[0.5]]) -> LIF(1) -> Output. LIF: tau = r = 0.01.
/// `break_lif` leaves the second LIF without its tau.
fs::path write_conv_graph(const fs::path& path, bool break_lif = false) {
    const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    put_string(f, "version", "1.0.0");
    const hid_t root = H5Gcreate2(f, "node", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put_string(root, "type", "NIRGraph");
    const hid_t nodes = H5Gcreate2(root, "nodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = node(nodes, "in", "Input");
    put_numbers(g, "shape", {1, 3, 3});
    H5Gclose(g);
    g = node(nodes, "conv", "Conv2d");
    put_numbers(g, "weight", {1, 2, 3, 4}, {1, 1, 2, 2});
    put_numbers(g, "bias", {5});
    put_numbers(g, "stride", {1, 1});
    put_numbers(g, "padding", {0, 0});
    put_numbers(g, "dilation", {1, 1});
    put_numbers(g, "groups", {1}, {1});
    H5Gclose(g);
    const auto lif = [&](const char* name, hsize_t n, std::vector<hsize_t> shape) {
        const hid_t l = node(nodes, name, "LIF");
        if (!break_lif || std::string(name) == "lif1") put_numbers(l, "tau", std::vector<double>(n, 0.01), shape);
        put_numbers(l, "r", std::vector<double>(n, 0.01), shape);
        put_numbers(l, "v_leak", std::vector<double>(n, 0.0), shape);
        put_numbers(l, "v_threshold", std::vector<double>(n, 1.0), shape);
        put_numbers(l, "v_reset", std::vector<double>(n, 0.0), shape);
        H5Gclose(l);
    };
    lif("lif1", 4, {1, 2, 2});
    g = node(nodes, "pool", "SumPool2d");
    put_numbers(g, "kernel_size", {2, 2});
    put_numbers(g, "stride", {2, 2});
    put_numbers(g, "padding", {0, 0});
    H5Gclose(g);
    g = node(nodes, "flat", "Flatten");
    put_numbers(g, "start_dim", {0}, {1});
    put_numbers(g, "end_dim", {-1}, {1});
    H5Gclose(g);
    g = node(nodes, "fc", "Linear");
    put_numbers(g, "weight", {0.5}, {1, 1});
    H5Gclose(g);
    lif("lif2", 1, {1});
    g = node(nodes, "out", "Output");
    put_numbers(g, "shape", {1});
    H5Gclose(g);
    put_edges(root, {{"in", "conv"}, {"conv", "lif1"}, {"lif1", "pool"}, {"pool", "flat"}, {"flat", "fc"}, {"fc", "lif2"},
                     {"lif2", "out"}});
    H5Gclose(nodes);
    H5Gclose(root);
    H5Fclose(f);
    return path;
}

std::vector<std::string> lines_of(const std::string& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

fs::path temp_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("memspike_test_nir_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

} // namespace

TEST_CASE("nir: a convolutional graph becomes populations and explicit synapses counted by hand", "[unit]") {
    const fs::path dir = temp_dir("conv");
    nir::options opt;  // 0.1 ms, NIR time in seconds
    const nir::lowered l = nir::lower(write_conv_graph(dir / "g.nir").string(), (dir / "out").string(), opt);
    REQUIRE(l.inputs.size() == 1);
    CHECK(l.inputs[0].size == 9);
    REQUIRE(l.populations.size() == 2);
    CHECK(l.populations[0].model == "lif_delta");
    CHECK(l.populations[0].size == 4);
    CHECK(l.populations[1].size == 1);
    CHECK(l.outputs == std::vector<std::string>{"lif2"});
    REQUIRE(l.files.size() == 2);
    // The 2 x 2 kernel at the 4 positions of a 3 x 3 input: 16 synapses. Output (0, 0) reads inputs
    // 0, 1, 3, 4 with weights 1, 2, 3, 4 (r / tau = 1: a NIR weight is a jump in mV); each synapse
    // is one tick (0.1 ms) long.
    const auto conv = lines_of(l.files[0]);
    REQUIRE(conv.size() == 17);
    CHECK(conv[0] == "source,target,weight,delay");
    CHECK(conv[1] == "0,0,1,0.1");
    CHECK(conv[2] == "1,0,2,0.1");
    CHECK(conv[3] == "3,0,3,0.1");
    CHECK(conv[4] == "4,0,4,0.1");
    CHECK(conv[16] == "8,3,4,0.1");  // output (1, 1) reads input (2, 2) through the last tap
    // Pool (sum of the 4), flatten and 0.5: four synapses of 0.5 onto lif2.
    CHECK(lines_of(l.files[1]) == std::vector<std::string>{"source,target,weight,delay", "0,0,0.5,0.1", "1,0,0.5,0.1",
                                                            "2,0,0.5,0.1", "3,0,0.5,0.1"});
    // The conv bias is one DC stimulus for the four neurons of its channel.
    CHECK_THAT(l.network_toml, Contains("amplitude = \"5 pA\"\nneurons = [0, 1, 2, 3]"));
    // The file holds float32 (as NIR files written from PyTorch do): tau = 0.01f is read as it is.
    CHECK_THAT(l.network_toml, Contains("params = { tau_m = \"9.999999776482582 ms\", c_m = \"1000 pF\""));
    fs::remove_all(dir);
}

TEST_CASE("nir: broken files are refused naming the file, the node and the key", "[unit]") {
    const fs::path dir = temp_dir("bad");
    REQUIRE_THROWS_AS(nir::lower((dir / "missing.nir").string(), (dir / "out").string()), io_error);
    const std::string g = write_conv_graph(dir / "g.nir", true).string();
    REQUIRE_THROWS_WITH(nir::lower(g, (dir / "out").string()),
                        Contains("g.nir: key 'node.nodes.lif2.tau': LIF node 'lif2': missing parameter 'tau'"));
    CHECK(!fs::exists(dir / "out"));  // nothing written for a refused graph
    fs::remove_all(dir);
}
