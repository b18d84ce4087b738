// SPDX-License-Identifier: MIT
// Per-neuron parameter values (population_spec::per_neuron): the values a partition's neurons get,
// and the files they may be read from (a NumPy .npy array or plain text).
//
// Drawn values come from one stream per (seed, population, parameter, neuron), as initial values
// do (models/neurons/lif_base.cpp initial_values): a neuron's value does not depend on how the
// population is cut into partitions, hence not on the thread count.
#include <bit>
#include <cstring>
#include <fstream>
#include <sstream>

#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"

namespace memspike {

std::vector<double> neuron_parameter_values(const population_spec& pop, std::uint32_t population_index, std::uint64_t seed,
                                            const std::string& name, std::uint64_t first, std::uint64_t count) {
    const auto it = pop.per_neuron.find(name);
    if (it == pop.per_neuron.end()) return std::vector<double>(count, pop.params.at(name));
    const per_neuron_param& pn = it->second;
    if (!pn.drawn()) {
        if (first + count > pn.values.size())
            throw internal_error("per-neuron parameter '" + name + "' has " + std::to_string(pn.values.size()) +
                                 " values for a population of " + std::to_string(pop.size));
        return {pn.values.begin() + static_cast<std::ptrdiff_t>(first),
                pn.values.begin() + static_cast<std::ptrdiff_t>(first + count)};
    }
    std::vector<double> out(count);
    const std::uint64_t key = (std::uint64_t{population_index} << 16) | (stable_hash(name) & 0xffffULL);
    for (std::uint64_t j = 0; j < count; ++j) {
        random_stream rng(seed, stream_purpose::neuron_parameters, key, first + j);
        out[j] = pn.dist.draw(rng);
    }
    return out;
}

std::vector<double> neuron_values(const group_context& ctx, const std::string& name) {
    return neuron_parameter_values(ctx.spec, ctx.population_index, ctx.seed, name, ctx.first, ctx.count);
}

namespace {

// A .npy file (NumPy's format, versions 1-3): magic, version, header length, a Python-dict header
// with descr, fortran_order and shape, then the raw data. Accepted: one-dimensional (or a single
// row / column) arrays of little-endian float64, float32, int64 or int32, in C order.
std::vector<double> read_npy(std::istream& is, const std::string& path) {
    auto bad = [&](const std::string& why) -> std::vector<double> {
        throw io_error("cannot read '" + path + "' as a .npy array: " + why);
    };
    char magic[8];
    if (!is.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) return bad("no .npy magic string");
    std::size_t header_len = 0;
    unsigned char len[4] = {0, 0, 0, 0};
    const int len_bytes = magic[6] == 1 ? 2 : 4;
    if (!is.read(reinterpret_cast<char*>(len), len_bytes)) return bad("truncated header");
    for (int k = len_bytes - 1; k >= 0; --k) header_len = header_len * 256 + len[k];
    if (header_len > 65536) return bad("header too long");
    std::string header(header_len, '\0');
    if (!is.read(header.data(), static_cast<std::streamsize>(header_len))) return bad("truncated header");
    auto field = [&](const std::string& k) {
        const auto at = header.find("'" + k + "'");
        if (at == std::string::npos) return std::string();
        const auto colon = header.find(':', at);
        auto end = header.find(k == "shape" ? ')' : ',', colon);
        return header.substr(colon + 1, end == std::string::npos ? std::string::npos : end - colon);
    };
    if (field("fortran_order").find("True") != std::string::npos) return bad("Fortran order is not supported");
    const std::string descr = field("descr");
    std::size_t width = 0;
    char type = 0;
    for (const auto& [d, w, t] : {std::tuple{"<f8", 8, 'f'}, {"<f4", 4, 'f'}, {"<i8", 8, 'i'}, {"<i4", 4, 'i'}})
        if (descr.find(d) != std::string::npos) width = static_cast<std::size_t>(w), type = t;
    if (width == 0) return bad("dtype " + descr + " (accepted: little-endian float64, float32, int64, int32)");
    // The shape: the product of its entries, with at most one entry > 1 (a vector).
    std::string shape = field("shape");
    std::size_t n = 1, big = 0;
    std::istringstream ss(shape.substr(shape.find('(') + 1));
    for (std::string part; std::getline(ss, part, ',');) {
        if (part.find_first_of("0123456789") == std::string::npos) continue;
        const std::size_t d = std::stoull(part.substr(part.find_first_of("0123456789")));
        n *= d;
        big += d > 1;
    }
    if (big > 1) return bad("shape " + shape + " has more than one dimension; give one value per neuron");
    if constexpr (std::endian::native != std::endian::little) return bad("big-endian hosts are not supported");
    std::vector<char> raw(n * width);
    if (!is.read(raw.data(), static_cast<std::streamsize>(raw.size()))) return bad("fewer data bytes than the shape says");
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const char* p = raw.data() + i * width;
        if (type == 'f' && width == 8) std::memcpy(&out[i], p, 8);
        else if (type == 'f') { float f; std::memcpy(&f, p, 4); out[i] = f; }
        else if (width == 8) { std::int64_t v; std::memcpy(&v, p, 8); out[i] = static_cast<double>(v); }
        else { std::int32_t v; std::memcpy(&v, p, 4); out[i] = v; }
    }
    return out;
}

// Plain text: numbers separated by white space, commas or newlines; '#' starts a comment.
std::vector<double> read_text(std::istream& is, const std::string& path) {
    std::vector<double> out;
    std::string line;
    for (int no = 1; std::getline(is, line); ++no) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        for (char& c : line) c = c == ',' ? ' ' : c;
        std::istringstream ls(line);
        for (std::string tok; ls >> tok;) {
            std::size_t used = 0;
            double v = 0;
            try {
                v = std::stod(tok, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != tok.size())
                throw io_error("cannot read '" + path + "' line " + std::to_string(no) + ": '" + tok + "' is not a number");
            out.push_back(v);
        }
    }
    return out;
}

} // namespace

std::vector<double> read_value_file(const std::string& path) {
    std::ifstream is(path, std::ios::binary);
    if (!is) throw io_error("cannot open '" + path + "'");
    const bool npy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
    return npy ? read_npy(is, path) : read_text(is, path);
}

} // namespace memspike
