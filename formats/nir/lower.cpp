// SPDX-License-Identifier: MIT
// Lowering a NIR graph to scenario text (nir.hpp, docs/nir.md). The graph's nodes are split into
// populations (Input and neuron nodes) and stateless linear nodes; the input of every neuron node
// is the sum, over its predecessors, of linear maps applied to populations' spikes. Each such
// path product is multiplied out here into explicit synapses (one CSV per source/target pair),
// each delayed by one tick (the synaptic hop) plus the path's Delay nodes.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "memspike/core/errors.hpp"
#include "memspike/core/units.hpp"
#include "memspike/formats/nir.hpp"
#include "nir/nodes.hpp"

namespace memspike::nir {
namespace {

/// One synapse of a composed map: output row, source neuron, weight, extra delay in ticks.
struct entry {
    std::uint64_t row, col;
    double w;
    std::int64_t delay;
};

/// A node's output as a function of populations' spikes: per source population, its entries
/// (sorted by row), and a constant bias per output element.
struct expression {
    std::uint64_t size = 0;
    std::map<std::string, std::vector<entry>> terms;
    std::vector<double> bias;
};

/// Sorts by (row, col, delay) and sums repeated synapses, dropping exact zeros.
void normalise(std::vector<entry>& e) {
    std::sort(e.begin(), e.end(), [](const entry& a, const entry& b) {
        return std::tie(a.row, a.col, a.delay) < std::tie(b.row, b.col, b.delay);
    });
    std::size_t out = 0;
    for (std::size_t i = 0; i < e.size();) {
        entry acc = e[i];
        for (++i; i < e.size() && e[i].row == acc.row && e[i].col == acc.col && e[i].delay == acc.delay; ++i) acc.w += e[i].w;
        if (acc.w != 0.0) e[out++] = acc;
    }
    e.resize(out);
}

/// `op` applied to `x`: every entry of input row r moves to each output row that reads r.
expression apply(const linear_op& op, const expression& x) {
    expression y;
    y.size = op.out;
    y.bias.assign(op.out, 0.0);
    for (const auto& [pop, entries] : x.terms) {
        std::vector<std::size_t> first(x.size + 1, 0);  // entries of row r: [first[r], first[r + 1])
        for (const auto& e : entries) ++first[e.row + 1];
        for (std::uint64_t r = 0; r < x.size; ++r) first[r + 1] += first[r];
        std::vector<entry> out;
        for (std::uint64_t i = 0; i < op.out; ++i) {
            const std::int64_t d = op.delay_ticks.empty() ? 0 : op.delay_ticks[i];
            for (const auto& [r, m] : op.rows[i])
                for (std::size_t k = first[r]; k < first[r + 1]; ++k)
                    out.push_back({i, entries[k].col, m * entries[k].w, entries[k].delay + d});
        }
        normalise(out);
        if (!out.empty()) y.terms[pop] = std::move(out);
    }
    for (std::uint64_t i = 0; i < op.out; ++i) {
        double b = op.bias.empty() ? 0.0 : op.bias[i];
        for (const auto& [r, m] : op.rows[i]) b += m * x.bias[r];
        y.bias[i] = b;
    }
    return y;
}

struct node_state {
    const h5_node* h = nullptr;
    std::vector<std::string> preds;
    std::string population;               // Input nodes
    std::vector<std::string> populations; // neuron nodes: one per class of parameter values
    shape_t shape;           // output shape (populations: from their parameters)
    bool linear = false;
    int visit = 0;  // 0 new, 1 on the stack, 2 done (linear nodes)
    expression expr;
};

/// A population name from a node name: the name itself when it is an identifier, else with
/// every other character replaced by '_' (and an 'n' before a leading digit).
std::string population_name(const std::string& node) {
    std::string s;
    for (const char c : node) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "n" + s;
    return s;
}

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

/// The shortest text that reads back as exactly `v`.
std::string g17(double v) {
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

class lowering {
public:
    lowering(const h5_graph& g, const options& opt) : g_(g), opt_(opt) {}

    // The passes in order: nodes classified, edges attached, every neuron node's input composed
    // and written out (~70 lines of sequential bookkeeping kept in one place to read as a recipe).
    lowered run(const std::string& dir) {
        lowered out;
        out.graph = g_.path;
        out.version = g_.version;
        out.resolution_ms = opt_.resolution_ms;
        std::set<std::string> pop_names;
        for (const auto& n : g_.nodes) {
            node_state& s = nodes_[n.name];
            s.h = &n;
            const node_reader r(g_, n);
            if (n.type == "Input") {
                r.only({"shape"});
                for (const double d : r.numbers("shape")) {
                    if (d < 1 || d != std::floor(d)) r.fail("shape", "every dimension must be an integer >= 1");
                    s.shape.push_back(static_cast<std::uint64_t>(d));
                }
                s.population = population_name(n.name);
                out.inputs.push_back({n.name, s.population, s.shape, elements(s.shape)});
            } else if (is_neuron_type(n.type)) {
                neurons_[n.name] = read_neuron(r, opt_);
                s.shape = neurons_[n.name].front().shape;
                const auto& classes = neurons_[n.name];
                for (std::size_t k = 0; k < classes.size(); ++k) {
                    std::string name = population_name(n.name);
                    if (classes.size() > 1) name.append(1, '_').append(std::to_string(k));
                    s.populations.push_back(std::move(name));
                }
            } else if (is_linear_type(n.type)) {
                s.linear = true;
            } else if (n.type != "Output") {
                r.fail("type", "the node type \"" + n.type + "\" is not supported (supported: Input, Output, Affine, Linear, Scale, "
                               "Flatten, Delay, Conv1d, Conv2d, SumPool2d, AvgPool2d, LIF, CubaLIF, IF, LI, I, Threshold; docs/nir.md)");
            }
            std::vector<std::string> names = s.populations;
            if (!s.population.empty()) names.push_back(s.population);
            for (const auto& name : names)
                if (!pop_names.insert(name).second)
                    r.fail("", "its population name '" + name + "' is taken by another node; rename one of them");
        }
        for (std::size_t i = 0; i < g_.edges.size(); ++i) {
            const auto& [a, b] = g_.edges[i];
            for (const auto* name : {&a, &b})
                if (!nodes_.count(*name))
                    throw scenario_error(g_.path, 0, 0, "node.edges[" + std::to_string(i) + "]",
                                         "the edge (\"" + a + "\", \"" + b + "\") names the node \"" + *name + "\", which the graph does not have");
            if (nodes_[a].h->type == "Output") fail_node(a, "an Output node cannot feed another node (edge to \"" + b + "\")");
            if (nodes_[b].h->type == "Input") fail_node(b, "an Input node cannot receive an edge (from \"" + a + "\")");
            nodes_[b].preds.push_back(a);
        }
        std::ostringstream toml;
        for (const auto& n : g_.nodes)
            if (n.type == "Output") output(n, out);
        for (const auto& n : g_.nodes)
            if (neurons_.count(n.name)) population(n, dir, toml, out);
        out.network_toml = toml.str();
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) throw io_error("cannot create the directory '" + dir + "' for the NIR graph's connection files (" + ec.message() + ")");
        for (const auto& [file, text] : pending_) {
            std::ofstream csv(file);
            csv << text;
            csv.close();
            if (!csv) throw io_error("cannot write the connection file '" + file + "' (" + std::strerror(errno) + ")");
        }
        return out;
    }

private:
    [[noreturn]] void fail_node(const std::string& name, const std::string& what) const {
        node_reader(g_, *nodes_.at(name).h).fail("", what);
    }

    void output(const h5_node& n, lowered& out) {
        const node_state& s = nodes_[n.name];
        node_reader(g_, n).only({"shape"});
        for (const auto& p : s.preds) {
            if (!neurons_.count(p))
                fail_node(n.name, "is fed by \"" + p + "\" (" + nodes_[p].h->type +
                                      "); memspike records populations, so an Output must follow a neuron node (LIF, CubaLIF, IF, LI, I, Threshold)");
            for (const auto& pop : nodes_[p].populations) out.outputs.push_back(pop);
        }
    }

    /// The expression a node outputs, for a linear node composed from its predecessors.
    const expression& expr_of(const std::string& name) {
        node_state& s = nodes_[name];
        if (!s.linear) {
            if (neurons_.count(name) && !neurons_.at(name).front().spiking)
                fail_node(name, "is a read-out (" + s.h->type + "): its membrane is a continuous signal, which memspike "
                                "records but does not forward; it can only feed an Output");
            if (s.expr.size == 0) {  // the identity on the node's elements, from its population(s)
                s.expr.size = elements(s.shape);
                s.expr.bias.assign(s.expr.size, 0.0);
                if (s.populations.empty()) {
                    auto& id = s.expr.terms[s.population];
                    for (std::uint64_t i = 0; i < s.expr.size; ++i) id.push_back({i, i, 1.0, 0});
                }
                for (std::size_t k = 0; k < s.populations.size(); ++k) {
                    const auto& classes = neurons_.at(name);
                    auto& id = s.expr.terms[s.populations[k]];
                    const auto& idx = classes[k].indices;
                    for (std::uint64_t j = 0; j < (idx.empty() ? s.expr.size : idx.size()); ++j)
                        id.push_back({idx.empty() ? j : idx[j], j, 1.0, 0});
                }
                for (auto& [pop, t] : s.expr.terms) normalise(t);
            }
            return s.expr;
        }
        if (s.visit == 2) return s.expr;
        if (s.visit == 1) fail_node(name, "is on a cycle of stateless nodes; a cycle must pass through a neuron node");
        s.visit = 1;
        if (s.preds.empty()) fail_node(name, "has no input edge");
        const expression in = sum_of(name, s.preds);
        shape_t in_shape = nodes_[s.preds.front()].shape;
        const node_reader r(g_, *s.h);
        const shape_t declared = declared_input_shape(r);
        if (!declared.empty()) {
            if (elements(declared) != in.size)
                r.fail("input_shape", "declares " + std::to_string(elements(declared)) + " input elements, its input has " +
                                          std::to_string(in.size));
            in_shape = declared;
        }
        const linear_op op = read_linear(r, in_shape, opt_);
        s.expr = apply(op, in);
        s.shape = op.out_shape;
        s.visit = 2;
        return s.expr;
    }

    /// The sum of the predecessors' outputs (NIR sums the inputs of a node); sizes must agree.
    expression sum_of(const std::string& name, const std::vector<std::string>& preds) {
        expression sum;
        for (const auto& p : preds) {
            const expression& e = expr_of(p);
            if (sum.size == 0) {
                sum.size = e.size;
                sum.bias.assign(e.size, 0.0);
            } else if (e.size != sum.size) {
                fail_node(name, "its inputs differ in size: \"" + preds.front() + "\" gives " + std::to_string(sum.size) +
                                    " elements, \"" + p + "\" gives " + std::to_string(e.size));
            }
            for (const auto& [pop, entries] : e.terms) {
                auto& t = sum.terms[pop];
                t.insert(t.end(), entries.begin(), entries.end());
            }
            for (std::uint64_t i = 0; i < e.size; ++i) sum.bias[i] += e.bias[i];
        }
        for (auto& [pop, t] : sum.terms) normalise(t);
        return sum;
    }

    // The populations of a neuron node (one per class of parameter values), their projections
    // (CSV files) and their bias stimuli.
    void population(const h5_node& n, const std::string& dir, std::ostringstream& toml, lowered& out) {
        const node_state& s = nodes_[n.name];
        const auto& classes = neurons_[n.name];
        const std::uint64_t node_size = elements(classes.front().shape);
        expression in;
        if (!s.preds.empty()) {
            in = sum_of(n.name, s.preds);
            if (in.size != node_size)
                fail_node(n.name, "has " + std::to_string(node_size) + " neurons, but its input has " + std::to_string(in.size) +
                                      " elements");
        }
        // Which class and local index each element of the node is.
        std::vector<std::pair<std::size_t, std::uint64_t>> where(node_size);
        for (std::size_t k = 0; k < classes.size(); ++k)
            for (std::uint64_t j = 0; j < (classes[k].indices.empty() ? node_size : classes[k].indices.size()); ++j)
                where[classes[k].indices.empty() ? j : classes[k].indices[j]] = {k, j};
        for (std::size_t k = 0; k < classes.size(); ++k)
            population_class(n, k, where, in, dir, toml, out);
    }

    void population_class(const h5_node& n, std::size_t k, const std::vector<std::pair<std::size_t, std::uint64_t>>& where,
                          const expression& in, const std::string& dir, std::ostringstream& toml, lowered& out) {
        const neuron_node& nn = neurons_[n.name][k];
        const std::string& pop = nodes_[n.name].populations[k];
        const std::uint64_t size = nn.indices.empty() ? where.size() : nn.indices.size();
        out.populations.push_back({n.name, n.type, pop, nn.model, size, nn.spiking, nn.indices});
        toml << "\n[[population]]  # NIR node " << toml_string(n.name) << " (" << n.type << ")"
             << (nn.indices.empty() ? "" : ", its neurons with one set of parameter values") << "\nname = \"" << pop
             << "\"\nmodel = \"" << nn.model << "\"\nsize = " << size << "\ninit = { v = \"0 mV\" }\nparams = { ";
        for (std::size_t i = 0; i < nn.params.size(); ++i)
            toml << (i ? ", " : "") << nn.params[i].first << " = " << nn.params[i].second;
        toml << " }\n";
        const std::string unit = nn.model == "lif_exp" ? "pA" : "mV";
        for (const auto& [source, entries] : in.terms) {
            std::ostringstream csv;
            csv << "source,target,weight,delay\n";
            std::size_t count = 0;
            for (const auto& e : entries) {
                if (where[e.row].first != k) continue;
                csv << e.col << ',' << where[e.row].second << ',' << g17(e.w * nn.weight_scale_of(where[e.row].second)) << ','
                    << g17(static_cast<double>(1 + e.delay) * opt_.resolution_ms) << '\n';
                ++count;
            }
            if (count == 0) continue;
            const std::string file = (std::filesystem::path(dir) / (source + "__" + pop + ".csv")).string();
            pending_.emplace_back(file, csv.str());  // written once the whole graph has passed
            out.files.push_back(file);
            toml << "\n[[projection]]\nsource = \"" << source << "\"\ntarget = \"" << pop
                 << "\"\nrule = \"explicit\"\nfile = " << toml_string(std::filesystem::absolute(file).string()) << "\nweight = \"0 "
                 << unit << "\"\ndelay = \"" << g17(opt_.resolution_ms) << " ms\"\n";
            if (!nn.receptor.empty()) toml << "receptor = \"" << nn.receptor << "\"\n";
        }
        // Biases: one DC stimulus per distinct value, from t = 0.
        std::map<double, std::vector<std::uint64_t>> by_value;
        for (std::uint64_t i = 0; i < in.bias.size(); ++i)
            if (where[i].first == k && in.bias[i] != 0.0) by_value[in.bias[i] * nn.bias_scale_of(where[i].second)].push_back(where[i].second);
        std::size_t b = 0;
        for (const auto& [value, neurons] : by_value) {
            toml << "\n[[stimulus]]\nname = \"bias_" << pop << "_" << b++ << "\"\nkind = \"dc\"\ntarget = \"" << pop
                 << "\"\namplitude = \"" << g17(value) << " pA\"\nneurons = [";
            for (std::size_t i = 0; i < neurons.size(); ++i) toml << (i ? ", " : "") << neurons[i];
            toml << "]\n";
        }
    }

    const h5_graph& g_;
    const options& opt_;
    std::map<std::string, node_state> nodes_;
    std::map<std::string, std::vector<neuron_node>> neurons_;  // one per class of parameter values
    std::vector<std::pair<std::string, std::string>> pending_;  // (CSV path, text)
};

} // namespace

lowered lower(const std::string& graph_path, const std::string& dir, const options& opt) {
    if (!(opt.resolution_ms > 0) || !std::isfinite(opt.resolution_ms))
        throw scenario_error(graph_path, 0, 0, "simulation.resolution", "must be > 0 ms");
    const h5_graph g = read_h5_graph(graph_path);
    return lowering(g, opt).run(dir);
}

double input_resolution_ms(const std::string& input_text, double fallback) {
    try {
        const toml::table doc = toml::parse(input_text);
        if (const auto res = doc["simulation"]["resolution"].value<std::string>()) return parse_quantity(*res, dimension::time);
    } catch (const std::exception&) {
        // A bad input section is reported by the scenario reader, at its line.
    }
    return fallback;
}

namespace {

/// An input population's size (`size`, or the number of `spike_times` lists) must be its Input
/// node's; otherwise the build would fail later on a CSV line, far from the cause.
void check_input_size(const lowered& l, const std::string& file, const std::string& name, const toml::table& t) {
    for (const auto& in : l.inputs) {
        if (in.population != name) continue;
        std::optional<std::int64_t> n = t["size"].value<std::int64_t>();
        if (!n)
            if (const auto* st = t["spike_times"].as_array()) n = static_cast<std::int64_t>(st->size());
        if (n && *n != static_cast<std::int64_t>(in.size)) {
            const auto& src = t.source().begin;
            throw scenario_error(file.empty() ? "<input section>" : file, static_cast<int>(src.line), static_cast<int>(src.column),
                                 "population." + name,
                                 "the NIR Input node \"" + in.node + "\" has " + std::to_string(in.size) +
                                     " elements, but this population has " + std::to_string(*n) + " neurons");
        }
    }
}

} // namespace

std::string compose(const lowered& l, const std::string& input_text, const std::string& input_name) {
    std::set<std::string> defined;
    bool has_recording = false;
    try {
        const toml::table doc = toml::parse(input_text);
        has_recording = doc.contains("recording");
        if (const auto* pops = doc["population"].as_array())
            for (const auto& p : *pops)
                if (const auto* t = p.as_table())
                    if (const auto name = (*t)["name"].value<std::string>()) {
                        defined.insert(*name);
                        check_input_size(l, input_name, *name, *t);
                    }
    } catch (const toml::parse_error&) {
        // As above: the reader reports a syntax error at its line.
    }
    std::ostringstream s;
    s << input_text;
    if (!input_text.empty() && input_text.back() != '\n') s << '\n';
    s << "\n# ---- network lowered from the NIR graph " << toml_string(l.graph) << " (memspike, docs/nir.md) ----\n";
    for (const auto& in : l.inputs) {
        if (defined.count(in.population)) continue;
        s << "\n[[population]]  # NIR Input " << toml_string(in.node) << ": no spikes until the input section gives them\nname = \""
          << in.population << "\"\nmodel = \"spike_source\"\nspike_times = [";
        for (std::uint64_t i = 0; i < in.size; ++i) s << (i ? ", " : "") << "[]";
        s << "]\n";
    }
    s << l.network_toml;
    if (!has_recording && !l.outputs.empty()) {
        s << "\n[recording]\nspikes = [";
        bool first = true;
        for (const auto& p : l.populations)
            if (p.spiking && std::find(l.outputs.begin(), l.outputs.end(), p.population) != l.outputs.end()) {
                s << (first ? "" : ", ") << '"' << p.population << '"';
                first = false;
            }
        s << "]\n";
        for (const auto& p : l.populations)
            if (!p.spiking && std::find(l.outputs.begin(), l.outputs.end(), p.population) != l.outputs.end())
                s << "\n[[recording.trace]]\npopulation = \"" << p.population << "\"\nvariables = [\"v\"]\ninterval = \""
                  << g17(l.resolution_ms) << " ms\"\n";
    }
    return s.str();
}

} // namespace memspike::nir
