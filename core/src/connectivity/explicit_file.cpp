// SPDX-License-Identifier: MIT
// explicit: the synapses listed in a CSV file (columns source,target[,weight][,delay]), resolved
// relative to the scenario file. The file is read and checked once, when the rule is created;
// each target then takes its bucket, in file order.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string_view>

#include "memspike/core/errors.hpp"
#include "plan.hpp"
#include "rules.hpp"

namespace memspike::connectivity_rules {

using connectivity_detail::fail;
using connectivity_detail::nan;

namespace {

/// One line of an explicit CSV file. NaN weight/delay: not in the file, drawn.
struct explicit_edge {
    std::uint64_t source = 0;
    double weight = nan;    // target port unit
    double delay_ms = nan;  // ms
};

/// The file's synapses bucketed by target, in file order: those of target t are
/// edges[offsets[t] .. offsets[t + 1]).
struct explicit_edges {
    std::vector<std::uint64_t> offsets;
    std::vector<explicit_edge> edges;
    bool has_delays = false;  // a delay column
    bool has_weights = false; // a weight column
};

std::string trim(std::string_view s) {
    const auto issp = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && issp(s.front())) s.remove_prefix(1);
    while (!s.empty() && issp(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::string resolve_path(const scenario& sc, const std::string& file) {
    std::filesystem::path f(file);
    if (f.is_relative() && !sc.file.empty()) f = std::filesystem::path(sc.file).parent_path() / f;
    return f.lexically_normal().string();
}

/// Buckets the edges by target, keeping file order within a target (a stable counting sort), and
/// rejects repeated synapses when the projection has no multapses (pointing at the repeating line).
template <class CsvFail>
void bucket_by_target(const projection_context& pl, const std::vector<explicit_edge>& edges,
                      const std::vector<std::uint64_t>& targets, const std::vector<int>& lines, CsvFail&& csv_fail,
                      explicit_edges& r) {
    const projection_spec& p = *pl.spec;
    r.offsets.assign(pl.nt + 1, 0);
    for (const auto t : targets) ++r.offsets[t + 1];
    std::partial_sum(r.offsets.begin(), r.offsets.end(), r.offsets.begin());
    r.edges.resize(edges.size());
    std::vector<int> bucket_lines(edges.size());
    {
        std::vector<std::uint64_t> cursor(r.offsets.begin(), r.offsets.end() - 1);
        for (std::size_t i = 0; i < edges.size(); ++i) {
            const std::uint64_t at = cursor[targets[i]]++;
            r.edges[at] = edges[i];
            bucket_lines[at] = lines[i];
        }
    }
    if (!p.allow_multapses) {
        std::vector<std::pair<std::uint64_t, int>> seen;  // (source, line)
        for (std::uint64_t t = 0; t < pl.nt; ++t) {
            seen.clear();
            for (auto i = r.offsets[t]; i < r.offsets[t + 1]; ++i)
                seen.emplace_back(r.edges[i].source, bucket_lines[i]);
            std::sort(seen.begin(), seen.end());
            for (std::size_t i = 1; i < seen.size(); ++i)
                if (seen[i].first == seen[i - 1].first)
                    csv_fail(seen[i].second, 1,
                             "this line repeats the synapse " + std::to_string(seen[i].first) + " -> " +
                                 std::to_string(t) + " of line " + std::to_string(seen[i - 1].second) +
                                 ", but the projection has allow_multapses = false");
        }
    }
}

/// Splits a CSV line on commas into trimmed fields, remembering the column (1-based) where each
/// field starts, for messages.
void split_fields(const std::string& text, std::vector<std::string>& fields, std::vector<int>& starts) {
    std::size_t pos = 0;
    for (;;) {
        const std::size_t c = text.find(',', pos);
        fields.push_back(trim(std::string_view(text).substr(pos, c == std::string::npos ? std::string::npos : c - pos)));
        starts.push_back(static_cast<int>(pos) + 1);
        if (c == std::string::npos) break;
        pos = c + 1;
    }
}

/// The header: source,target[,weight][,delay]. Sets the optional columns' indices (-1: absent);
/// false when the header is not of that form.
bool parse_header(const std::vector<std::string>& fields, int& weight_col, int& delay_col) {
    bool ok = fields.size() >= 2 && fields.size() <= 4 && fields[0] == "source" && fields[1] == "target";
    for (std::size_t i = 2; ok && i < fields.size(); ++i) {
        if (fields[i] == "weight" && i == 2)
            weight_col = 2;
        else if (fields[i] == "delay" && delay_col < 0)
            delay_col = static_cast<int>(i);
        else
            ok = false;
    }
    return ok;
}

// One pass over the file whose line, column and header state every message uses (~85 lines:
// splitting it further would only pass that state around).
/// Reads and checks the CSV of `pl`'s projection, bucketed by target into `r`. The checks and
/// their messages are those of the rule since its first version (see the file's tests).
void load_explicit(const projection_context& pl, explicit_edges& r) {
    const scenario& sc = *pl.sc;
    const projection_spec& p = *pl.spec;
    const source_location file_key = pl.at("file");
    if (p.file.empty()) fail(file_key, "rule 'explicit' needs a CSV file with columns source,target[,weight][,delay]");
    const std::string path = resolve_path(sc, p.file);
    std::ifstream in(path);
    if (!in) fail(file_key, "cannot read the connection file '" + path + "' (" + std::strerror(errno) + ")");

    // Errors inside the CSV point at the CSV's own line and column; the key says which projection.
    const auto csv_fail = [&](int line, int column, const std::string& what) {
        throw scenario_error(path, line, column, file_key.key, what);
    };

    std::vector<explicit_edge> edges;
    std::vector<std::uint64_t> targets;
    std::vector<int> lines;
    int weight_col = -1, delay_col = -1;
    std::size_t ncols = 0;
    std::string text;
    int line = 0;
    bool header_seen = false;
    while (std::getline(in, text)) {
        ++line;
        if (line == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte order mark
        const std::string t = trim(text);
        if (t.empty() || t.front() == '#') continue;  // blank lines and comments
        std::vector<std::string> fields;
        std::vector<int> starts;
        split_fields(text, fields, starts);
        if (!header_seen) {
            header_seen = true;
            const std::string expect = "source,target[,weight][,delay]";
            if (!parse_header(fields, weight_col, delay_col))
                csv_fail(line, 1, "the header line must be '" + expect + "', got '" + t + "'");
            ncols = fields.size();
            continue;
        }
        if (fields.size() != ncols)
            csv_fail(line, 1,
                     "expected " + std::to_string(ncols) + " comma-separated columns (as in the header) but found " +
                         std::to_string(fields.size()));
        const auto parse_id = [&](std::size_t col, const char* what, std::uint64_t n, const std::string& pop) {
            const std::string& f = fields[col];
            std::uint64_t v = 0;
            const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
            if (f.empty() || r.ec != std::errc() || r.ptr != f.data() + f.size())
                csv_fail(line, starts[col], std::string(what) + " '" + f + "' is not a non-negative integer neuron id");
            if (v >= n)
                csv_fail(line, starts[col],
                         std::string(what) + " id " + f + " is out of range: population '" + pop + "' has " +
                             std::to_string(n) + " neurons (ids 0.." + std::to_string(n == 0 ? 0 : n - 1) + ")");
            return v;
        };
        const auto parse_real = [&](std::size_t col, const char* what) {
            const std::string& f = fields[col];
            double v = 0;
            const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
            if (f.empty() || r.ec != std::errc() || r.ptr != f.data() + f.size() || !std::isfinite(v))
                csv_fail(line, starts[col], std::string(what) + " '" + f + "' is not a finite number");
            return v;
        };
        explicit_edge e;
        e.source = parse_id(0, "source", pl.ns, p.source);
        const std::uint64_t tgt = parse_id(1, "target", pl.nt, p.target);
        if (pl.exclude_autapses && e.source == tgt)
            csv_fail(line, 1,
                     "this line connects neuron " + std::to_string(tgt) +
                         " to itself, but the projection has allow_autapses = false");
        if (weight_col >= 0) {
            e.weight = parse_real(2, "weight");
            const source_location at{path, line, starts[2], file_key.key};
            (void)pl.weight_to_float(e.weight, at);
        }
        if (delay_col >= 0) {
            const auto col = static_cast<std::size_t>(delay_col);
            e.delay_ms = parse_real(col, "delay (ms)");
            const source_location at{path, line, starts[col], file_key.key};
            (void)pl.delay_to_ticks(e.delay_ms, at);
        }
        edges.push_back(e);
        targets.push_back(tgt);
        lines.push_back(line);
    }
    if (in.bad()) fail(file_key, "error while reading the connection file '" + path + "'");
    if (!header_seen) csv_fail(1, 1, "the file is empty; it needs the header line 'source,target[,weight][,delay]'");

    bucket_by_target(pl, edges, targets, lines, [&](int l, int c, const std::string& w) { csv_fail(l, c, w); }, r);
    r.has_delays = delay_col >= 0;
    r.has_weights = weight_col >= 0;
}

class rule final : public connection_rule {
public:
    explicit rule(explicit_edges e) : e_(std::move(e)) {}
    bool gives_delays() const override { return e_.has_delays; }
    bool gives_weights() const override { return e_.has_weights; }
    void sources_of(const projection_context&, std::uint64_t t, random_stream&, sampler&,
                    chosen_sources& out) const override {
        for (std::uint64_t i = e_.offsets[t]; i < e_.offsets[t + 1]; ++i) {
            const auto& e = e_.edges[i];
            out.source.push_back(e.source);
            out.weight.push_back(e.weight);
            out.delay_ms.push_back(e.delay_ms);
        }
    }

private:
    explicit_edges e_;
};

}  // namespace

connectivity_info explicit_file() {
    connectivity_info c;
    c.name = "explicit";
    c.summary = "the synapses listed in a CSV file `file` (columns source,target[,weight][,delay])";
    c.keys = {"file"};
    c.expected_synapses = [](const projection_context& cx) {  // exact: the file's synapses, checked as a build would
        explicit_edges e;
        load_explicit(cx, e);
        return static_cast<double>(e.edges.size());
    };
    c.create = [](const projection_context& cx) {
        explicit_edges e;
        load_explicit(cx, e);
        return std::make_unique<const rule>(std::move(e));
    };
    return c;
}

}  // namespace memspike::connectivity_rules
