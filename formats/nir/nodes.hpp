// SPDX-License-Identifier: MIT
// What each NIR node type means (docs/nir.md): neuron nodes as a memspike model with its
// parameters and the scale from a NIR input weight to the model's synaptic weight; stateless
// nodes as a sparse linear map (with bias and per-output delay) on row-major flattened arrays.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "memspike/formats/nir.hpp"
#include "nir/h5_graph.hpp"

namespace memspike::nir {

using shape_t = std::vector<std::uint64_t>;
std::uint64_t elements(const shape_t& s);

/// Accessors for one node's datasets whose errors name the file, the node and the key.
class node_reader {
public:
    node_reader(const h5_graph& g, const h5_node& n) : g_(g), n_(n) {}
    /// A reader whose uniform() looks only at the elements `subset` (one class of neurons).
    node_reader(const node_reader& r, const std::vector<std::uint64_t>* subset) : g_(r.g_), n_(r.n_), subset_(subset) {}
    [[noreturn]] void fail(const std::string& key, const std::string& what) const;
    /// Refuses datasets not in `known` (a misspelt parameter must not be silently dropped).
    void only(const std::vector<std::string>& known) const;
    bool has(const std::string& key) const { return n_.values.count(key) != 0; }
    const h5_value& get(const std::string& key) const;
    /// Every element finite.
    std::vector<double> numbers(const std::string& key) const;
    /// One value for the whole node (or the subset): all its elements equal (memspike's parameters
    /// are per population).
    double uniform(const std::string& key) const;
    /// A non-negative integer, or `n` of them (a scalar is repeated).
    std::vector<std::int64_t> integers(const std::string& key, std::size_t n, std::int64_t min) const;
    const h5_node& node() const { return n_; }

private:
    const h5_graph& g_;
    const h5_node& n_;
    const std::vector<std::uint64_t>* subset_ = nullptr;
};

/// A neuron node: its model and parameters (TOML values with units), the factors from a NIR
/// weight (per spike) and a NIR bias to the model's synaptic weight and DC current.
struct neuron_node {
    std::string model, receptor;  // receptor: "" for the model's only port
    std::vector<std::pair<std::string, std::string>> params;  // name -> TOML value
    double weight_scale = 1.0, bias_scale = 1.0;
    /// Per element of the class when its neurons differ (per-neuron parameters); empty: the
    /// scalars above hold for every element.
    std::vector<double> weight_scales, bias_scales;
    double weight_scale_of(std::uint64_t j) const { return weight_scales.empty() ? weight_scale : weight_scales[j]; }
    double bias_scale_of(std::uint64_t j) const { return bias_scales.empty() ? bias_scale : bias_scales[j]; }
    bool spiking = true;
    shape_t shape;                       // of the whole node
    std::vector<std::uint64_t> indices;  // the node's elements this class holds; empty: all
};

bool is_neuron_type(const std::string& type);
/// A neuron node as one population: LIF and CubaLIF nodes whose parameters differ between
/// neurons become one population with per-neuron parameters (lif_delta, lif_exp take them); the
/// other types, whose models take one value per population, one class per distinct set of
/// parameter values (one population each), in the order of their first element. Throws (naming
/// the node and key) for bad parameters or more than max_classes classes.
std::vector<neuron_node> read_neuron(const node_reader& r, const options& opt);
inline constexpr std::size_t max_classes = 64;

/// A stateless node as y = M x + bias, y[i] delayed by delay_ticks[i] (empty: no delay).
struct linear_op {
    std::uint64_t in = 0, out = 0;
    std::vector<std::vector<std::pair<std::uint64_t, double>>> rows;  // rows[i]: (column, value)
    std::vector<double> bias;                                         // empty: none
    std::vector<std::int64_t> delay_ticks;                            // empty: none
    shape_t out_shape;
};

bool is_linear_type(const std::string& type);
/// The map of a stateless node on an input of shape `in` (throws naming the node and key).
linear_op read_linear(const node_reader& r, const shape_t& in, const options& opt);

/// The shape a node needs as input when its predecessors give only a flat size (Conv1d/Conv2d
/// with input_shape); empty when the node does not say.
shape_t declared_input_shape(const node_reader& r);

} // namespace memspike::nir
