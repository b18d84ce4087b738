// SPDX-License-Identifier: MIT
// NIR (Neuromorphic Intermediate Representation; Pedersen et al., Nat. Commun. 15, 8122, 2024)
// graphs as memspike scenarios (issue 18, docs/nir.md).
//
// Import lowers a graph to the scenario format: every neuron node (LIF, CubaLIF, IF, LI, I)
// becomes a population, every chain of stateless linear nodes between two of them (Affine,
// Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten, Delay) is multiplied out into
// one explicit projection (a CSV file of source,target,weight,delay), biases become DC stimuli,
// and Input nodes become populations the user supplies (spike sources). The result is plain
// scenario text, so every rule, error and tool of the format applies to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace memspike::nir {

struct options {
    /// The run's resolution [ms]: each synaptic hop takes one tick (NIR edges are instantaneous,
    /// memspike delays at least one tick), and Delay nodes must be whole ticks.
    double resolution_ms = 0.1;
    /// What one NIR time unit is [ms]. NIR numbers carry no units; the libraries that export NIR
    /// (snnTorch, Norse, Lava-dl, Rockpool) write time constants in seconds, hence 1000.
    double time_unit_ms = 1000.0;
};

/// An Input node: the population of that name the input section must provide.
struct input_node {
    std::string node, population;
    std::vector<std::uint64_t> shape;
    std::uint64_t size = 0;
};

/// A neuron node and the population it became: the whole node, or, when its parameters differ
/// between neurons, the neurons `indices` of the node (row-major) that share one set of values.
struct population_node {
    std::string node, type, population, model;
    std::uint64_t size = 0;
    bool spiking = true;
    std::vector<std::uint64_t> indices;  // empty: all the node's elements, in order
};

struct lowered {
    std::string graph, version;
    std::vector<input_node> inputs;
    std::vector<population_node> populations;
    std::vector<std::string> outputs;  // populations that feed Output nodes
    std::string network_toml;          // [[population]], [[projection]], [[stimulus]] entries
    std::vector<std::string> files;    // the CSV files written into the directory
    double resolution_ms = 0.1;
};

/// Reads the NIR file `graph_path` and writes one CSV per projection into `dir` (created if
/// missing). Throws io_error for an unreadable file or directory, and scenario_error naming the
/// file and the key "node.nodes.<node>.<parameter>" for an unsupported node or a malformed graph.
lowered lower(const std::string& graph_path, const std::string& dir, const options& opt = {});

/// The complete scenario text: `input_text` (an input section in TOML: [simulation], spike-source
/// populations named after the Input nodes, stimuli, [recording], [backend]; may be empty), then
/// a spike_source population without spikes for each Input node it does not define, then the
/// network, then, unless it has a [recording], a [recording] of the outputs (spikes of spiking
/// ones, `v` of read-outs at every tick). The input text comes first so that its line numbers
/// stay those of its own file. An input population whose size differs from its Input node's is
/// refused (scenario_error naming `input_name`, the line and the population).
std::string compose(const lowered& l, const std::string& input_text, const std::string& input_name = "");

/// The resolution [ms] an input section sets ([simulation] resolution), or `fallback`.
double input_resolution_ms(const std::string& input_text, double fallback);

} // namespace memspike::nir
