// SPDX-License-Identifier: MIT
// --set overrides: "dotted.key=toml-value" moved into the TOML document before it is read.
//
// Override values are parsed with the source path "--set <key>", and toml++ keeps the source
// region of moved nodes, so an error in an overridden value names "--set <key>" instead of a file
// line without any bookkeeping on our side.
#include <algorithm>
#include <charconv>
#include <cstdio>

#include "memspike/core/errors.hpp"
#include "memspike/core/scenario.hpp"
#include "scenario_toml.hpp"

namespace memspike {

namespace scenario_toml {

namespace {

std::string toml_basic_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

/// The name by which an entry of an array of tables is addressed in keys: its `name`, or the
/// documented default ("<source>-><target>" for projections, "<kind><index>" for stimuli).
std::string entry_name(std::string_view section, const toml::table& entry, std::size_t index) {
    if (const auto* n = entry.get_as<std::string>("name")) return n->get();
    if (section == "projection") {
        const auto* s = entry.get_as<std::string>("source");
        const auto* t = entry.get_as<std::string>("target");
        if (s && t) return s->get() + "->" + t->get();
    } else if (section == "stimulus") {
        if (const auto* k = entry.get_as<std::string>("kind")) return k->get() + std::to_string(index);
    }
    return section.empty() ? std::string() : std::string(section) + "[" + std::to_string(index) + "]";
}

std::vector<std::string> split_key(const std::string& key) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = key.find('.', start);
        parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return parts;
}

} // namespace

void apply_override(toml::table& root, const std::string& key, const std::string& value) {
    const override_entry o{key, value};
    const std::string label = std::string(override_prefix) + o.key;
    auto fail_here = [&](const std::string& what) { throw scenario_error(label, 0, 0, o.key, what); };

    // The value: a TOML value if it parses as exactly one, otherwise the text as a string, so that
    // `--set simulation.duration=2s` works without shell quoting.
    toml::table parsed;
    bool one_value = false;
    try {
        parsed = toml::parse("v = " + o.value, std::string_view(label));
        one_value = parsed.size() == 1 && parsed.get("v") != nullptr;
    } catch (const toml::parse_error&) {
        one_value = false;
    }
    if (!one_value) {
        try {
            parsed = toml::parse("v = " + toml_basic_string(o.value), std::string_view(label));
        } catch (const toml::parse_error& e) {  // e.g. invalid UTF-8
            fail_here("the value is neither a TOML value nor a valid string: " + std::string(e.description()));
        }
    }

    const std::vector<std::string> parts = split_key(o.key);
    for (const auto& p : parts)
        if (p.empty()) fail_here("malformed key (empty part); keys look like population.E.params.tau_m");

    toml::table* cur = &root;
    std::string walked;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const std::string& part = parts[i];
        walked = dotted(walked, part);
        toml::node* n = cur->get(part);
        const bool entries = cur == &root && (part == "population" || part == "projection" || part == "stimulus" || part == "modulator");
        if (entries && (n == nullptr || n->is_array())) {
            // population.<name>..., addressed by entry name.
            const std::string& want = parts[i + 1];
            toml::table* found = nullptr;
            std::vector<std::string> known;
            if (n != nullptr) {
                auto& arr = *n->as_array();
                for (std::size_t j = 0; j < arr.size(); ++j) {
                    auto* entry = arr.get(j)->as_table();
                    if (entry == nullptr) continue;
                    known.push_back(entry_name(part, *entry, j));
                    if (known.back() == want && found == nullptr) found = entry;
                }
            }
            if (found == nullptr) fail_here("no " + part + " named '" + want + "' (known: " + list_or_none(known) + ")");
            ++i;
            walked = dotted(walked, want);
            if (i + 1 == parts.size())
                fail_here("give a key inside the entry, such as " + walked + (part == "population" ? ".size" : ".weight"));
            cur = found;
            continue;
        }
        if (n == nullptr) {
            cur = cur->insert_or_assign(part, toml::table{}).first->second.as_table();
        } else if (n->is_table()) {
            cur = n->as_table();
        } else if (auto* arr = n->as_array(); arr && arr->is_array_of_tables()) {
            // Unnamed entries (recording.trace) are addressed by index: recording.trace.0.interval.
            const std::string& idx = parts[i + 1];
            std::size_t j = 0;
            // Digits only, and an index that fits: one too large to parse is out of range, not a crash.
            const auto [end, ec] = std::from_chars(idx.data(), idx.data() + idx.size(), j);
            const bool numeric = !idx.empty() && ec == std::errc{} && end == idx.data() + idx.size();
            if (!numeric || j >= arr->size())
                fail_here("'" + walked + "' has " + std::to_string(arr->size()) + " entries; address one by index (" +
                          walked + ".0...)");
            ++i;
            walked = dotted(walked, idx);
            if (i + 1 == parts.size()) fail_here("give a key inside the entry " + walked);
            cur = arr->get(j)->as_table();
        } else {
            fail_here("'" + walked + "' is " + type_name(*n) + ", not a table");
        }
    }
    cur->insert_or_assign(parts.back(), std::move(*parsed.get("v")));
}

} // namespace scenario_toml

override_entry parse_override(const std::string& text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos)
        throw error("--set " + text + ": expected key=value, such as --set simulation.duration=\"2 s\"");
    override_entry o{text.substr(0, eq), text.substr(eq + 1)};
    auto trim = [](std::string& s) {
        const auto b = s.find_first_not_of(" \t");
        const auto e = s.find_last_not_of(" \t");
        s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    trim(o.key);
    trim(o.value);
    if (o.key.empty()) throw error("--set " + text + ": empty key; expected key=value, such as --set population.E.size=800");
    return o;
}

std::string format_overrides(const std::vector<std::pair<std::string, std::string>>& overrides) {
    // TOML, so the stored text reads back with the parser the scenario uses, escapes included.
    std::string out = "overrides = [";
    for (const auto& [key, value] : overrides)
        out += "\n  [" + scenario_toml::toml_basic_string(key) + ", " + scenario_toml::toml_basic_string(value) + "],";
    return out + (overrides.empty() ? "]\n" : "\n]\n");
}

std::vector<override_entry> parse_overrides_text(const std::string& text, const std::string& where) {
    const std::string bad = where + ": expected overrides = [[\"dotted.key\", \"TOML value\"], ...]";
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(where));
    } catch (const toml::parse_error& e) {
        throw io_error(bad + " (TOML syntax error at line " + std::to_string(e.source().begin.line) + ": " +
                       std::string(e.description()) + ")");
    }
    const toml::array* arr = root["overrides"].as_array();
    if (arr == nullptr || root.size() != 1) throw io_error(bad + " and nothing else");
    std::vector<override_entry> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::array* pair = arr->get(i)->as_array();
        if (pair == nullptr || pair->size() != 2 || !pair->get(0)->is_string() || !pair->get(1)->is_string())
            throw io_error(bad + "; entry " + std::to_string(i) + " is not a pair of strings");
        out.push_back({*pair->get(0)->value<std::string>(), *pair->get(1)->value<std::string>()});
    }
    return out;
}

} // namespace memspike
