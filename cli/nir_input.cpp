// SPDX-License-Identifier: MIT
#include "nir_input.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "memspike/core/errors.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/units.hpp"
#include "memspike/formats/nir.hpp"

namespace memspike::cli {

namespace fs = std::filesystem;

bool is_nir_graph(const std::string& path) { return fs::path(path).extension() == ".nir"; }

namespace {

/// Marks a directory as ours, so that a later run may replace what is in it and nothing else.
constexpr const char* marker = ".memspike-nir";

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw io_error("cannot open the NIR input section '" + path + "' (--input)");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

std::string prepare_nir_scenario(const std::string& graph, const std::string& input_file, const std::vector<std::string>& sets,
                                 std::string dir, const std::string& time_unit) {
    if (dir.empty()) dir = fs::path(graph).stem().string() + "_nir";
    if (fs::exists(dir) && !(fs::is_directory(dir) && (fs::exists(fs::path(dir) / marker) || fs::is_empty(dir))))
        throw io_error("'" + dir + "' exists and was not written by memspike from a NIR graph; choose another --nir-dir");
    const std::string input = input_file.empty() ? std::string() : read_text(input_file);
    nir::options opt;
    if (!time_unit.empty()) {
        try {
            opt.time_unit_ms = parse_quantity(time_unit, dimension::time);
        } catch (const unit_error& e) {
            throw scenario_error("--nir-time-unit", 0, 0, "", "\"" + time_unit + "\": " + e.what());
        }
        if (!(opt.time_unit_ms > 0))
            throw scenario_error("--nir-time-unit", 0, 0, "", "\"" + time_unit + "\" is invalid (must be > 0 s)");
    }
    opt.resolution_ms = nir::input_resolution_ms(input, opt.resolution_ms);
    for (const auto& s : sets) {
        const override_entry o = parse_override(s);
        if (o.key != "simulation.resolution") continue;
        std::string v = o.value;
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
        try {
            opt.resolution_ms = parse_quantity(v, dimension::time);
        } catch (const unit_error&) {
            // The scenario reader reports the bad value, naming the option.
        }
    }
    // The directory is ours from here on, so that a graph refused below leaves one a rerun may use.
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw io_error("cannot create the directory '" + dir + "' (" + ec.message() + ")");
    std::ofstream(fs::path(dir) / marker) << "written by memspike from " << graph << "\n";
    const nir::lowered l = nir::lower(graph, dir, opt);
    const std::string path = (fs::path(dir) / "scenario.toml").string();
    const std::string text = nir::compose(l, input, input_file);
    std::ofstream out(path);
    out << text;
    out.close();
    if (!out) throw io_error("cannot write '" + path + "'");
    return path;
}

} // namespace memspike::cli
