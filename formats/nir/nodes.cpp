// SPDX-License-Identifier: MIT
// The meaning of each NIR node type (docs/nir.md has the table and the reasons). Continuous
// time, NIR units: a spike is a Dirac delta in NIR time units, so an input weight w reaches
//   LIF, LI   (tau dv/dt = (v_leak - v) + r I):  as a jump of v by r w / tau
//   IF, I     (dv/dt = r I):                     as a jump of v by r w
//   CubaLIF   (tau_syn dI/dt = -I + w_in S,  tau_mem dv/dt = (v_leak - v) + r I):
//             as a jump of I by w_in w / tau_syn, with C_m = tau_mem / r so that memspike's
//             tau_m I / C_m is NIR's r I.
//   Threshold (z = H(I - threshold)): on the current averaged over each tick (threshold_delta).
// Voltages are read as mV and currents as pA one to one; times are scaled by options::time_unit_ms.
#include "nir/nodes.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "memspike/core/errors.hpp"

namespace memspike::nir {

std::uint64_t elements(const shape_t& s) {
    std::uint64_t n = 1;
    for (const auto d : s) n *= d;
    return n;
}

namespace {

/// A TOML quantity string, the number in its shortest exact form.
std::string num(double v, const char* unit) {
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    std::string out(1, '"');
    out.append(buf, r.ptr).append(1, ' ').append(unit).append(1, '"');
    return out;
}

/// A number as short as it reads back exactly: "0.00015", not std::to_string's "0.000150".
std::string show(double v) {
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string shape_text(const shape_t& s) {
    std::string t = "(";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + ")";
}

} // namespace

void node_reader::fail(const std::string& key, const std::string& what) const {
    throw scenario_error(g_.path, 0, 0, "node.nodes." + n_.name + (key.empty() ? "" : "." + key),
                         n_.type + " node '" + n_.name + "': " + what);
}

void node_reader::only(const std::vector<std::string>& known) const {
    for (const auto& [k, v] : n_.values)
        if (std::find(known.begin(), known.end(), k) == known.end()) {
            std::string list;
            for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
            fail(k, "unknown parameter '" + k + "' (a " + n_.type + " node has: type, " + list + ")");
        }
}

const h5_value& node_reader::get(const std::string& key) const {
    const auto it = n_.values.find(key);
    if (it == n_.values.end()) fail(key, "missing parameter '" + key + "'");
    return it->second;
}

std::vector<double> node_reader::numbers(const std::string& key) const {
    const h5_value& v = get(key);
    if (v.is_string) fail(key, "expected numbers, got the string \"" + v.text + "\"");
    for (const double x : v.data)
        if (!std::isfinite(x)) fail(key, "every value must be finite, got " + show(x));
    return v.data;
}

double node_reader::uniform(const std::string& key) const {
    auto v = numbers(key);
    if (v.empty()) fail(key, "expected at least one value, got an empty array");
    if (subset_ && v.size() > 1) {
        std::vector<double> picked;
        for (const auto i : *subset_) picked.push_back(v.at(i));
        v = std::move(picked);
    }
    for (const double x : v)
        if (x != v.front())
            fail(key, "values differ between neurons (" + show(v.front()) + " and " + show(x) +
                          "); memspike's parameters are per population, so a node needs one value");
    return v.front();
}

std::vector<std::int64_t> node_reader::integers(const std::string& key, std::size_t n, std::int64_t min) const {
    const auto v = numbers(key);
    if (v.size() != 1 && v.size() != n)
        fail(key, "expected 1 or " + std::to_string(n) + " integers, got " + std::to_string(v.size()));
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = v.size() == 1 ? v[0] : v[i];
        if (x != std::floor(x) || x < static_cast<double>(min) || x > 1e9)
            fail(key, "expected an integer >= " + std::to_string(min) + ", got " + show(x));
        out.push_back(static_cast<std::int64_t>(x));
    }
    return out;
}

bool is_neuron_type(const std::string& t) {
    return t == "LIF" || t == "CubaLIF" || t == "IF" || t == "LI" || t == "I" || t == "Threshold";
}

bool is_linear_type(const std::string& t) {
    return t == "Affine" || t == "Linear" || t == "Scale" || t == "Flatten" || t == "Delay" || t == "Conv1d" ||
           t == "Conv2d" || t == "SumPool2d" || t == "AvgPool2d";
}

namespace {

// One branch per type, each a few lines of the mapping stated in the file comment.
neuron_node read_class(const node_reader& r, const options& opt) {
    const std::string& type = r.node().type;
    const double u = opt.time_unit_ms;
    neuron_node n;
    const auto positive = [&](const std::string& key) {
        const double v = r.uniform(key);
        if (!(v > 0)) r.fail(key, "must be > 0, got " + show(v));
        return v;
    };
    const auto threshold = [&](double& v_th, double& v_reset) {
        v_th = r.uniform("v_threshold");
        v_reset = r.has("v_reset") ? r.uniform("v_reset") : 0.0;  // NIR's default reset is 0
        if (!(v_reset < v_th))
            r.fail("v_reset", "must be < v_threshold = " + show(v_th) + ", got " + show(v_reset));
        n.params.emplace_back("v_th", num(v_th, "mV"));
        n.params.emplace_back("v_reset", num(v_reset, "mV"));
    };
    double v_th = 0, v_reset = 0;
    if (type == "LIF" || type == "LI") {
        r.only(type == "LIF" ? std::vector<std::string>{"tau", "r", "v_leak", "v_threshold", "v_reset"}
                             : std::vector<std::string>{"tau", "r", "v_leak"});
        const double tau = positive("tau"), res = positive("r");
        n.model = type == "LIF" ? "lif_delta" : "li_delta";
        n.params = {{"tau_m", num(tau * u, "ms")}, {"c_m", num(tau * u / res, "pF")}, {"e_l", num(r.uniform("v_leak"), "mV")}};
        if (type == "LIF") {
            threshold(v_th, v_reset);
            n.params.emplace_back("t_ref", "\"0 ms\"");
        }
        n.weight_scale = res / tau;
        n.shape = r.get("tau").shape;
    } else if (type == "IF" || type == "I") {
        r.only(type == "IF" ? std::vector<std::string>{"r", "v_threshold", "v_reset"} : std::vector<std::string>{"r"});
        const double res = positive("r");
        n.model = type == "IF" ? "if_delta" : "i_delta";
        n.params = {{"c_m", num(u / res, "pF")}};
        if (type == "IF") threshold(v_th, v_reset);
        n.weight_scale = res;
        n.shape = r.get("r").shape;
    } else if (type == "CubaLIF") {
        r.only({"tau_mem", "tau_syn", "r", "v_leak", "v_threshold", "v_reset", "w_in"});
        const double tau_m = positive("tau_mem"), tau_s = positive("tau_syn"), res = positive("r");
        const double w_in = r.has("w_in") ? r.uniform("w_in") : 1.0;
        n.model = "lif_exp";
        n.receptor = "ex";
        n.params = {{"tau_m", num(tau_m * u, "ms")},      {"c_m", num(tau_m * u / res, "pF")},
                    {"tau_syn_ex", num(tau_s * u, "ms")}, {"tau_syn_in", num(tau_s * u, "ms")},
                    {"e_l", num(r.uniform("v_leak"), "mV")}, {"t_ref", "\"0 ms\""}};
        threshold(v_th, v_reset);
        n.weight_scale = w_in / tau_s;
        n.bias_scale = w_in;  // the bias, filtered by the synapse, in its steady state (docs/nir.md)
        n.shape = r.get("tau_mem").shape;
    } else if (type == "Threshold") {
        // z = H(I - threshold) on the current averaged over a tick of h_u = h / unit time units: the
        // mean is sum(w) / h_u + b, so v = sum(w) + h_u b (c_m = 1 unit, the bias b as a current) is
        // compared with h_u * threshold.
        r.only({"threshold"});
        const double h_u = opt.resolution_ms / u;
        n.model = "threshold_delta";
        n.params = {{"c_m", num(u, "pF")}, {"v_th", num(r.uniform("threshold") * h_u, "mV")}};
        n.shape = r.get("threshold").shape;
    } else {
        r.fail("type", "not a neuron node");
    }
    n.spiking = type == "LIF" || type == "IF" || type == "CubaLIF" || type == "Threshold";
    if (n.shape.empty()) n.shape = {1};
    return n;
}

/// A LIF or CubaLIF node whose parameters differ between its n neurons, as one population with
/// per-neuron parameters: each neuron's values read (and checked) as a one-element class, then a
/// parameter whose values differ becomes a TOML array of them, and the weight and bias factors
/// become per neuron.
neuron_node per_neuron(const node_reader& r, const options& opt, std::uint64_t n) {
    std::vector<neuron_node> each;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::vector<std::uint64_t> one{i};
        each.push_back(read_class(node_reader(r, &one), opt));
    }
    neuron_node out = each.front();
    for (std::size_t k = 0; k < out.params.size(); ++k) {
        bool same = true;
        for (const auto& e : each) same = same && e.params[k].second == out.params[k].second;
        if (same) continue;
        std::string array = "[";
        for (std::uint64_t i = 0; i < n; ++i) array += (i ? ", " : "") + each[i].params[k].second;
        out.params[k].second = array + "]";
    }
    for (const auto& e : each) {
        out.weight_scales.push_back(e.weight_scale);
        out.bias_scales.push_back(e.bias_scale);
    }
    return out;
}

} // namespace

std::vector<neuron_node> read_neuron(const node_reader& r, const options& opt) {
    // The parameter values of each element (a scalar applies to all), grouped into classes.
    std::uint64_t n = 1;
    for (const auto& [k, v] : r.node().values)
        if (!v.is_string) n = std::max<std::uint64_t>(n, v.count());
    // LIF and CubaLIF nodes take per-neuron parameters (no bound on distinct sets).
    const bool per_neuron_type = r.node().type == "LIF" || r.node().type == "CubaLIF";
    std::map<std::vector<double>, std::vector<std::uint64_t>> by_values;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::vector<double> tuple;
        for (const auto& [k, v] : r.node().values) {
            if (v.is_string) continue;
            if (v.count() != 1 && v.count() != n)
                r.fail(k, "has " + std::to_string(v.count()) + " values, other parameters " + std::to_string(n) +
                              "; each must have one or one per neuron");
            tuple.push_back(v.count() == 1 ? v.data[0] : v.data[i]);
        }
        by_values[tuple].push_back(i);
        if (by_values.size() > max_classes && !per_neuron_type)
            r.fail("", "has more than " + std::to_string(max_classes) + " distinct sets of parameter values; memspike makes one "
                       "population per set, so a node may have at most " + std::to_string(max_classes));
    }
    if (by_values.size() == 1) return {read_class(r, opt)};
    if (per_neuron_type) return {per_neuron(r, opt, n)};
    std::vector<std::vector<std::uint64_t>> classes;
    for (auto& [tuple, indices] : by_values) classes.push_back(std::move(indices));
    std::sort(classes.begin(), classes.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
    std::vector<neuron_node> out;
    for (const auto& indices : classes) {
        neuron_node c = read_class(node_reader(r, &indices), opt);
        c.indices = indices;
        out.push_back(std::move(c));
    }
    return out;
}

shape_t declared_input_shape(const node_reader& r) {
    const std::string& t = r.node().type;
    if ((t != "Conv1d" && t != "Conv2d") || !r.has("input_shape")) return {};
    const auto w = r.get("weight").shape;
    const std::size_t dims = t == "Conv1d" ? 1 : 2;
    if (w.size() != dims + 2) return {};
    const std::int64_t groups = r.has("groups") ? r.integers("groups", 1, 1)[0] : 1;
    shape_t s{w[1] * static_cast<std::uint64_t>(groups)};
    for (const auto x : r.integers("input_shape", dims, 1)) s.push_back(static_cast<std::uint64_t>(x));
    return s;
}

namespace {

/// Convolution (Conv1d as a 2-D one of height 1) or pooling, as an explicit sparse map: every
/// output position gets the kernel's taps at its receptive field (weight sharing multiplied out).
/// One function (~100 lines) because the parameter reading and the tap loop share a dozen sizes.
linear_op read_window(const node_reader& r, const shape_t& in, bool conv) {
    const std::string& t = r.node().type;
    const bool one_d = t == "Conv1d";
    const std::size_t dims = one_d ? 1 : 2;
    if (in.size() != dims + 1)
        r.fail("", "needs its input as (channels, " + std::string(one_d ? "length" : "height, width") +
                       "), got the shape " + shape_text(in) + " from its predecessor");
    const std::uint64_t c_in = in[0], h = one_d ? 1 : in[1], w = in.back();
    std::uint64_t c_out = c_in, kh = 1, kw = 1, groups = 1;
    std::vector<double> weight;
    std::vector<std::int64_t> stride, pad, dil(dims, 1);
    if (conv) {
        r.only({"weight", "bias", "stride", "padding", "dilation", "groups", "input_shape"});
        const shape_t ws = r.get("weight").shape;
        if (ws.size() != dims + 2) r.fail("weight", "expected " + std::to_string(dims + 2) + " dimensions, got " + shape_text(ws));
        weight = r.numbers("weight");
        groups = static_cast<std::uint64_t>(r.has("groups") ? r.integers("groups", 1, 1)[0] : 1);
        c_out = ws[0];
        kh = one_d ? 1 : ws[2];
        kw = ws.back();
        if (ws[1] * groups != c_in || c_out % groups != 0)
            r.fail("weight", "shape " + shape_text(ws) + " with groups = " + std::to_string(groups) +
                                 " does not fit an input of " + std::to_string(c_in) + " channels");
        stride = r.has("stride") ? r.integers("stride", dims, 1) : std::vector<std::int64_t>(dims, 1);
        dil = r.has("dilation") ? r.integers("dilation", dims, 1) : dil;
        if (r.has("padding") && r.get("padding").is_string) {
            const std::string p = r.get("padding").text;
            if (p != "valid" && p != "same") r.fail("padding", "must be an integer, \"same\" or \"valid\", got \"" + p + "\"");
            pad.assign(dims, 0);
            if (p == "same") {  // PyTorch's: the smaller half of d (k - 1) before, stride 1 only
                const std::vector<std::int64_t> k = one_d ? std::vector<std::int64_t>{static_cast<std::int64_t>(kw)}
                                                          : std::vector<std::int64_t>{static_cast<std::int64_t>(kh), static_cast<std::int64_t>(kw)};
                for (std::size_t i = 0; i < dims; ++i) {
                    if (stride[i] != 1) r.fail("padding", "\"same\" needs stride 1");
                    if (dil[i] * (k[i] - 1) % 2 != 0) r.fail("padding", "\"same\" with an even kernel extent is not supported");
                    pad[i] = dil[i] * (k[i] - 1) / 2;
                }
            }
        } else {
            pad = r.has("padding") ? r.integers("padding", dims, 0) : std::vector<std::int64_t>(dims, 0);
        }
    } else {
        r.only({"kernel_size", "stride", "padding"});
        const auto k = r.integers("kernel_size", 2, 1);
        kh = static_cast<std::uint64_t>(k[0]);
        kw = static_cast<std::uint64_t>(k[1]);
        stride = r.has("stride") ? r.integers("stride", 2, 1) : k;
        pad = r.has("padding") ? r.integers("padding", 2, 0) : std::vector<std::int64_t>{0, 0};
    }
    const std::int64_t sy = one_d ? 1 : stride[0], sx = stride.back(), py = one_d ? 0 : pad[0], px = pad.back();
    const std::int64_t dy = one_d ? 1 : dil[0], dx = dil.back();
    const auto out_len = [&](std::uint64_t n, std::int64_t p, std::int64_t d, std::uint64_t k, std::int64_t s) {
        const std::int64_t span = static_cast<std::int64_t>(n) + 2 * p - d * (static_cast<std::int64_t>(k) - 1) - 1;
        if (span < 0) r.fail("", "the kernel is larger than the padded input " + shape_text(in));
        return static_cast<std::uint64_t>(span / s + 1);
    };
    const std::uint64_t oh = out_len(h, py, dy, kh, sy), ow = out_len(w, px, dx, kw, sx);
    linear_op op;
    op.in = elements(in);
    op.out_shape = one_d ? shape_t{c_out, ow} : shape_t{c_out, oh, ow};
    op.out = elements(op.out_shape);
    op.rows.resize(op.out);
    const double avg = t == "AvgPool2d" ? 1.0 / static_cast<double>(kh * kw) : 1.0;  // PyTorch's count_include_pad
    const std::uint64_t cin_g = c_in / groups, cout_g = c_out / groups;
    for (std::uint64_t co = 0; co < c_out; ++co)
        for (std::uint64_t oy = 0; oy < oh; ++oy)
            for (std::uint64_t ox = 0; ox < ow; ++ox) {
                auto& row = op.rows[(co * oh + oy) * ow + ox];
                const std::uint64_t c_first = conv ? (co / cout_g) * cin_g : co, c_n = conv ? cin_g : 1;
                for (std::uint64_t cl = 0; cl < c_n; ++cl)
                    for (std::uint64_t ky = 0; ky < kh; ++ky)
                        for (std::uint64_t kx = 0; kx < kw; ++kx) {
                            const std::int64_t iy = static_cast<std::int64_t>(oy) * sy - py + static_cast<std::int64_t>(ky) * dy;
                            const std::int64_t ix = static_cast<std::int64_t>(ox) * sx - px + static_cast<std::int64_t>(kx) * dx;
                            if (iy < 0 || ix < 0 || iy >= static_cast<std::int64_t>(h) || ix >= static_cast<std::int64_t>(w)) continue;
                            const double v = conv ? weight[((co * cin_g + cl) * kh + ky) * kw + kx] : avg;
                            row.emplace_back(((c_first + cl) * h + static_cast<std::uint64_t>(iy)) * w + static_cast<std::uint64_t>(ix), v);
                        }
            }
    if (conv && r.has("bias")) {
        const auto b = r.numbers("bias");
        if (b.size() != c_out) r.fail("bias", "expected " + std::to_string(c_out) + " values (one per output channel), got " + std::to_string(b.size()));
        op.bias.resize(op.out);
        for (std::uint64_t i = 0; i < op.out; ++i) op.bias[i] = b[i / (oh * ow)];
    }
    return op;
}

} // namespace

// One branch per type; the windowed ones (convolution, pooling) are in read_window.
linear_op read_linear(const node_reader& r, const shape_t& in, const options& opt) {
    const std::string& t = r.node().type;
    const std::uint64_t n_in = elements(in);
    if (t == "Conv1d" || t == "Conv2d") return read_window(r, in, true);
    if (t == "SumPool2d" || t == "AvgPool2d") return read_window(r, in, false);
    linear_op op;
    op.in = n_in;
    if (t == "Affine" || t == "Linear") {
        r.only(t == "Affine" ? std::vector<std::string>{"weight", "bias"} : std::vector<std::string>{"weight"});
        const shape_t ws = r.get("weight").shape;
        if (ws.size() != 2) r.fail("weight", "expected a 2-D (out, in) matrix, got the shape " + shape_text(ws));
        if (ws[1] != n_in)
            r.fail("weight", "has " + std::to_string(ws[1]) + " columns, but its input has " + std::to_string(n_in) +
                                 " elements " + shape_text(in));
        const auto w = r.numbers("weight");
        op.out = ws[0];
        op.out_shape = {ws[0]};
        op.rows.resize(op.out);
        for (std::uint64_t i = 0; i < op.out; ++i)
            for (std::uint64_t j = 0; j < n_in; ++j)
                if (w[i * n_in + j] != 0.0) op.rows[i].emplace_back(j, w[i * n_in + j]);
        if (t == "Affine") {
            op.bias = r.numbers("bias");
            if (op.bias.size() != op.out)
                r.fail("bias", "expected " + std::to_string(op.out) + " values, got " + std::to_string(op.bias.size()));
        }
        return op;
    }
    // Element-wise nodes: Scale, Delay, Flatten.
    op.out = n_in;
    op.out_shape = in;
    op.rows.resize(n_in);
    std::vector<double> s(n_in, 1.0);
    if (t == "Scale" || t == "Delay") {
        const std::string key = t == "Scale" ? "scale" : "delay";
        r.only({key});
        const auto v = r.numbers(key);
        if (v.size() != 1 && v.size() != n_in)
            r.fail(key, "expected 1 or " + std::to_string(n_in) + " values (the input's shape " + shape_text(in) + "), got " +
                            std::to_string(v.size()));
        for (std::uint64_t i = 0; i < n_in; ++i) {
            const double x = v.size() == 1 ? v[0] : v[i];
            if (t == "Scale") {
                s[i] = x;
                continue;
            }
            const double ticks = x * opt.time_unit_ms / opt.resolution_ms;
            if (x < 0 || std::abs(ticks - std::round(ticks)) > 1e-9 * std::max(1.0, ticks))
                r.fail(key, "a delay of " + show(x) + " time units is " + show(ticks) +
                                " ticks of the resolution; it must be >= 0 and a whole number of ticks");
            op.delay_ticks.push_back(static_cast<std::int64_t>(std::llround(ticks)));
        }
    } else if (t == "Flatten") {
        r.only({"start_dim", "end_dim", "input_type"});
        if (r.has("input_type")) {  // the shape the node was written for: it must hold as many elements
            double declared = 1;
            for (const double d : r.numbers("input_type")) declared *= d;
            if (declared != static_cast<double>(n_in))
                r.fail("input_type", "declares " + show(declared) + " elements, its input has " + std::to_string(n_in));
        }
        op.out_shape = {n_in};  // flattening keeps the row-major order: the identity on elements
    } else {
        r.fail("type", "not a stateless node");
    }
    for (std::uint64_t i = 0; i < n_in; ++i)
        if (s[i] != 0.0) op.rows[i].emplace_back(i, s[i]);
    return op;
}

} // namespace memspike::nir
