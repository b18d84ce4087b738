// SPDX-License-Identifier: MIT
// The NIR file as data: a NIR graph is an HDF5 file with a string dataset `version` and a group
// `node` holding the top-level NIRGraph: a string dataset `type` ("NIRGraph"), a group `nodes`
// with one group per node (its `type` and one dataset per parameter), and a dataset `edges` of
// (source, target) name pairs (Pedersen et al., Nat. Commun. 15, 8122, 2024; the HDF5 layout of
// the reference implementation, github.com/neuromorphs/NIR, nir/serialization.py). This layer
// reads that layout into plain structs and knows nothing of what a node type means.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace memspike::nir {

/// One dataset of a node: numbers (any HDF5 integer or float type, converted to double) with
/// their shape, or a string.
struct h5_value {
    std::vector<double> data;
    std::vector<std::uint64_t> shape;  // empty: a scalar
    bool is_string = false;
    std::string text;
    std::uint64_t count() const { return data.size(); }
};

struct h5_node {
    std::string name;
    std::string type;
    std::map<std::string, h5_value> values;  // dataset name -> value (metadata skipped)
    std::vector<std::string> groups;         // sub-groups other than `metadata`
};

struct h5_graph {
    std::string path;
    std::string version;  // "" when the file has none
    std::vector<h5_node> nodes;  // in the file's (alphabetical) order
    std::vector<std::pair<std::string, std::string>> edges;
};

/// Reads `path`; throws io_error for a file HDF5 cannot open and scenario_error (naming the file
/// and the key, e.g. "node.nodes.lif1.type") for a file that does not have the layout above.
h5_graph read_h5_graph(const std::string& path);

} // namespace memspike::nir
