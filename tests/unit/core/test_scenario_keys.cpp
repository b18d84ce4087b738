// SPDX-License-Identifier: MIT
// The key tables of docs/scenario-format.md are generated from scenario_keys.cpp, the same data the
// reader accepts keys by, so the doc cannot drift from the parser. To regenerate the doc's tables
// after changing a key (the prose around them is kept):
//   MEMSPIKE_WRITE_DOC=1 build/tests/memspike_tests "[scenario_doc]"
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/scenario_keys.hpp"

using namespace memspike;

namespace {

const std::string doc_path = std::string(MEMSPIKE_SOURCE_DIR) + "/docs/scenario-format.md";

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

/// The line range [first, last) of the first table after the line starting with `heading`.
std::pair<std::size_t, std::size_t> table_after(const std::vector<std::string>& lines, const std::string& heading) {
    std::size_t i = 0;
    while (i < lines.size() && lines[i].rfind(heading, 0) != 0) ++i;
    INFO("heading: " << heading);
    REQUIRE(i < lines.size());
    while (i < lines.size() && lines[i].rfind("|", 0) != 0) ++i;
    REQUIRE(i < lines.size());
    std::size_t j = i;
    while (j < lines.size() && lines[j].rfind("|", 0) == 0) ++j;
    return {i, j};
}

} // namespace

TEST_CASE("docs/scenario-format.md has the key tables the reader accepts keys by", "[unit][scenario][scenario_doc]") {
    std::vector<std::string> lines = read_lines(doc_path);
    const bool write = std::getenv("MEMSPIKE_WRITE_DOC") != nullptr;
    for (const auto& section : scenario_sections()) {
        const auto [first, last] = table_after(lines, section.heading);
        std::string have;
        for (std::size_t i = first; i < last; ++i) have += lines[i] + "\n";
        const std::string want = scenario_keys_markdown(section);
        INFO("section [" << section.name << "]: the table in " << doc_path << " must be (regenerate: MEMSPIKE_WRITE_DOC=1)");
        if (write && have != want) {
            std::vector<std::string> rows;
            std::istringstream ss(want);
            for (std::string l; std::getline(ss, l);) rows.push_back(l);
            lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(first), lines.begin() + static_cast<std::ptrdiff_t>(last));
            lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(first), rows.begin(), rows.end());
            continue;
        }
        CHECK(have == want);
    }
    if (write) {
        std::ofstream out(doc_path);
        for (const auto& l : lines) out << l << "\n";
    }
}

TEST_CASE("an unknown key lists the accepted keys from the section's table", "[unit][scenario]") {
    const model_registry none;
    for (const std::string section : {"simulation", "recording"}) {
        const std::string text = section == "simulation" ? "[simulation]\nduration = \"1 ms\"\ntypo = 1\n"
                                                         : "[simulation]\nduration = \"1 ms\"\n[recording]\ntypo = 1\n";
        std::string accepted;
        for (const auto& k : scenario_key_names(section)) accepted += (accepted.empty() ? "" : ", ") + k;
        REQUIRE_THROWS_WITH(parse_scenario(text, "t.toml", none),
                            Catch::Contains("key '" + section + ".typo': unknown key 'typo' (accepted: " + accepted + ")"));
    }
    // Every section the reader checks keys of has a table (an unknown one is a bug: internal_error).
    for (const std::string name : {"simulation", "population", "projection", "stimulus", "modulator", "recording",
                                   "recording.trace", "recording.weights"})
        CHECK_FALSE(scenario_key_names(name).empty());
    CHECK_THROWS_AS(scenario_key_names("nope"), internal_error);
}
