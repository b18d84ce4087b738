// SPDX-License-Identifier: MIT
// Scenario files: TOML -> scenario (spec.hpp), with --set overrides, in three steps:
//   1. read (scenario_read_*.cpp): TOML types, units and keys -> the scenario struct, every value's
//      location kept in scenario::locations;
//   2. validate (scenario_validate*.cpp): the rules on values, the same pass a scenario built in
//      code or in Python goes through, so the same bad value gives the same message;
//   3. complete: the documented defaults of model, rule and backend parameters filled in.
//
// The parser is strict on purpose: every key is checked against the list of keys its table
// accepts, every value against its TOML type, its dimension and its range, and every error is a
// scenario_error that names the file, line, column, dotted key, the value received and what is
// accepted. Nothing is defaulted silently except the documented defaults (docs/scenario-format.md).
#include "memspike/core/scenario.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "memspike/core/backend.hpp"
#include "memspike/core/plasticity.hpp"
#include "scenario_toml.hpp"

namespace memspike {

namespace {

using namespace scenario_toml;

const std::vector<std::string> root_keys{"simulation", "population", "projection", "stimulus", "modulator", "recording", "backend"};

scenario read(const toml::table& root, const context& cx) {
    const table_view top{cx, root, "", &root};
    top.only(root_keys);
    scenario sc;
    sc.simulation = read_simulation(cx, root);
    const auto pops = entries_of(cx, root, "population");
    for (std::size_t i = 0; i < pops.size(); ++i) sc.populations.push_back(read_population(cx, *pops[i], i, sc.simulation));
    const auto projs = entries_of(cx, root, "projection");
    for (std::size_t i = 0; i < projs.size(); ++i) sc.projections.push_back(read_projection(cx, *projs[i], i, sc));
    const auto stims = entries_of(cx, root, "stimulus");
    for (std::size_t i = 0; i < stims.size(); ++i) sc.stimuli.push_back(read_stimulus(cx, *stims[i], i, sc));
    const auto mods = entries_of(cx, root, "modulator");
    for (std::size_t i = 0; i < mods.size(); ++i) sc.modulators.push_back(read_modulator(cx, *mods[i], i, sc));
    sc.recording = read_recording(cx, root, sc);
    sc.backend = read_backend(cx, root);
    return sc;
}

/// Fills in parameter defaults, so the scenario (and its provenance) shows every value used.
/// Cannot fail on a validated scenario.
void complete(scenario& sc, const model_registry& models) {
    for (auto& p : sc.populations) p.params = complete_population_params(models.find(p.model), p);
    for (auto& p : sc.projections)
        if (p.plasticity.enabled()) p.plasticity.params = models.find_plasticity(p.plasticity.rule).complete(p.plasticity.params);
    if (sc.locations.count("backend")) sc.backend.params = models.find_backend(sc.backend.kind).complete(sc.backend.params);
}

} // namespace

scenario parse_scenario(const std::string& text, const std::string& file, const model_registry& models,
                        const std::vector<override_entry>& overrides) {
    toml::table root = parse_document(text, file);
    for (const auto& o : overrides) apply_override(root, o.key, o.value);
    std::map<std::string, source_location> locations;
    const context cx{file, models, locations};
    scenario sc = read(root, cx);
    sc.file = file;
    sc.text = text;
    for (const auto& o : overrides) sc.overrides.emplace_back(o.key, o.value);
    sc.locations = std::move(locations);
    validate(sc, models);
    complete(sc, models);
    return sc;
}

scenario load_scenario(const std::string& path, const model_registry& models, const std::vector<override_entry>& overrides) {
    // A scenario is a regular file of bounded size: a directory used to read as an empty scenario
    // and /dev/zero as an endless one (issue 11).
    constexpr std::uintmax_t max_bytes = 64ull << 20;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!ec && std::filesystem::is_directory(status))
        throw io_error("scenario file '" + path + "' is a directory; give a .toml file");
    if (!ec && (std::filesystem::is_character_file(status) || std::filesystem::is_block_file(status) ||
                std::filesystem::is_socket(status)))
        throw io_error("scenario file '" + path + "' is a device or socket, not a file; give a .toml file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error("cannot open scenario file '" + path + "': " + std::strerror(errno));
    std::string text;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_bytes)
            throw io_error("scenario file '" + path + "' is larger than 64 MiB; a scenario is a short TOML file (put large "
                           "connection lists in an explicit projection's CSV file)");
    }
    if (in.bad()) throw io_error("cannot read scenario file '" + path + "'");
    return parse_scenario(text, path, models, overrides);
}

} // namespace memspike
