// SPDX-License-Identifier: MIT
// Quantity strings: "<number> <unit>" -> value in the internal unit of the dimension.
//
// Each unit is stored as an exact integer multiplier or divisor relative to the internal unit, so
// that "100 us" becomes 100 / 1000 = 0.1 ms, correctly rounded (multiplying by 1e-3 would not be).
#include "memspike/core/units.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

namespace memspike {
namespace {

/// "a time", "an energy".
std::string with_article(std::string_view name) {
    return (std::string_view("aeiou").find(name.front()) != std::string_view::npos ? "an " : "a ") + std::string(name);
}

struct unit_entry {
    std::string_view symbol;
    dimension dim;
    double mul;  // value_internal = value * mul / div; both exact integers
    double div;
};

// Messages list the ASCII spellings in table order (see accepted_units); the alternative spellings
// (micro sign, Greek mu, Ohm sign, lower-case "ohm") are accepted but not listed.
constexpr std::array units_table{
    // time: internal ms
    unit_entry{"s", dimension::time, 1e3, 1}, unit_entry{"ms", dimension::time, 1, 1},
    unit_entry{"us", dimension::time, 1, 1e3}, unit_entry{"ns", dimension::time, 1, 1e6},
    unit_entry{"min", dimension::time, 6e4, 1},
    unit_entry{"\u00b5s", dimension::time, 1, 1e3}, unit_entry{"\u03bcs", dimension::time, 1, 1e3},
    // voltage: internal mV
    unit_entry{"V", dimension::voltage, 1e3, 1}, unit_entry{"mV", dimension::voltage, 1, 1},
    unit_entry{"uV", dimension::voltage, 1, 1e3},
    unit_entry{"\u00b5V", dimension::voltage, 1, 1e3}, unit_entry{"\u03bcV", dimension::voltage, 1, 1e3},
    // current: internal pA
    unit_entry{"A", dimension::current, 1e12, 1}, unit_entry{"mA", dimension::current, 1e9, 1},
    unit_entry{"uA", dimension::current, 1e6, 1}, unit_entry{"nA", dimension::current, 1e3, 1},
    unit_entry{"pA", dimension::current, 1, 1}, unit_entry{"fA", dimension::current, 1, 1e3},
    unit_entry{"\u00b5A", dimension::current, 1e6, 1}, unit_entry{"\u03bcA", dimension::current, 1e6, 1},
    // conductance: internal nS
    unit_entry{"S", dimension::conductance, 1e9, 1}, unit_entry{"mS", dimension::conductance, 1e6, 1},
    unit_entry{"uS", dimension::conductance, 1e3, 1}, unit_entry{"nS", dimension::conductance, 1, 1},
    unit_entry{"pS", dimension::conductance, 1, 1e3},
    unit_entry{"\u00b5S", dimension::conductance, 1e3, 1}, unit_entry{"\u03bcS", dimension::conductance, 1e3, 1},
    // capacitance: internal pF
    unit_entry{"F", dimension::capacitance, 1e12, 1}, unit_entry{"mF", dimension::capacitance, 1e9, 1},
    unit_entry{"uF", dimension::capacitance, 1e6, 1}, unit_entry{"nF", dimension::capacitance, 1e3, 1},
    unit_entry{"pF", dimension::capacitance, 1, 1}, unit_entry{"fF", dimension::capacitance, 1, 1e3},
    unit_entry{"\u00b5F", dimension::capacitance, 1e6, 1}, unit_entry{"\u03bcF", dimension::capacitance, 1e6, 1},
    // resistance: internal MOhm. "Ω" may be typed as U+03A9 (Greek capital omega) or U+2126 (Ohm sign).
    unit_entry{"Ohm", dimension::resistance, 1, 1e6}, unit_entry{"kOhm", dimension::resistance, 1, 1e3},
    unit_entry{"MOhm", dimension::resistance, 1, 1}, unit_entry{"GOhm", dimension::resistance, 1e3, 1},
    unit_entry{"ohm", dimension::resistance, 1, 1e6}, unit_entry{"kohm", dimension::resistance, 1, 1e3},
    unit_entry{"Mohm", dimension::resistance, 1, 1}, unit_entry{"Gohm", dimension::resistance, 1e3, 1},
    unit_entry{"\u03a9", dimension::resistance, 1, 1e6}, unit_entry{"k\u03a9", dimension::resistance, 1, 1e3},
    unit_entry{"M\u03a9", dimension::resistance, 1, 1}, unit_entry{"G\u03a9", dimension::resistance, 1e3, 1},
    unit_entry{"\u2126", dimension::resistance, 1, 1e6}, unit_entry{"k\u2126", dimension::resistance, 1, 1e3},
    unit_entry{"M\u2126", dimension::resistance, 1, 1}, unit_entry{"G\u2126", dimension::resistance, 1e3, 1},
    // frequency: internal Hz
    unit_entry{"Hz", dimension::frequency, 1, 1}, unit_entry{"kHz", dimension::frequency, 1e3, 1},
    unit_entry{"MHz", dimension::frequency, 1e6, 1},
    // energy: internal pJ
    unit_entry{"J", dimension::energy, 1e12, 1}, unit_entry{"mJ", dimension::energy, 1e9, 1},
    unit_entry{"uJ", dimension::energy, 1e6, 1}, unit_entry{"nJ", dimension::energy, 1e3, 1},
    unit_entry{"pJ", dimension::energy, 1, 1}, unit_entry{"fJ", dimension::energy, 1, 1e3},
    unit_entry{"\u00b5J", dimension::energy, 1e6, 1}, unit_entry{"\u03bcJ", dimension::energy, 1e6, 1},
    // power: internal W
    unit_entry{"kW", dimension::power, 1e3, 1}, unit_entry{"W", dimension::power, 1, 1},
    unit_entry{"mW", dimension::power, 1, 1e3}, unit_entry{"uW", dimension::power, 1, 1e6},
    unit_entry{"\u00b5W", dimension::power, 1, 1e6}, unit_entry{"\u03bcW", dimension::power, 1, 1e6},
};

const unit_entry* find_unit(std::string_view symbol) {
    for (const auto& u : units_table)
        if (u.symbol == symbol) return &u;
    return nullptr;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string_view example(dimension d) {
    switch (d) {
    case dimension::dimensionless: return "0.5";
    case dimension::time: return "20 ms";
    case dimension::voltage: return "-65 mV";
    case dimension::current: return "100 pA";
    case dimension::conductance: return "10 nS";
    case dimension::capacitance: return "250 pF";
    case dimension::resistance: return "100 MOhm";
    case dimension::frequency: return "5 Hz";
    case dimension::energy: return "23.6 pJ";
    case dimension::power: return "15 W";
    }
    return "";
}

// "expected a time such as "20 ms" (units: s, ms, us, ns, min)"
std::string expectation(dimension d) {
    if (d == dimension::dimensionless) return "expected a plain number such as 0.5 (no unit)";
    const std::string name(dimension_name(d));
    const bool vowel = std::string_view("aeiou").find(name.front()) != std::string_view::npos;
    return std::string("expected ") + (vowel ? "an " : "a ") + name + " such as \"" + std::string(example(d)) +
           "\" (units: " + accepted_units(d) + ")";
}

[[noreturn]] void fail(std::string_view text, dimension d, std::string_view detail = {}) {
    std::string msg = expectation(d) + ", got \"" + std::string(text) + "\"";
    if (!detail.empty()) msg += " (" + std::string(detail) + ")";
    throw unit_error(msg);
}

} // namespace

std::string_view dimension_name(dimension d) {
    switch (d) {
    case dimension::dimensionless: return "dimensionless number";
    case dimension::time: return "time";
    case dimension::voltage: return "voltage";
    case dimension::current: return "current";
    case dimension::conductance: return "conductance";
    case dimension::capacitance: return "capacitance";
    case dimension::resistance: return "resistance";
    case dimension::frequency: return "frequency";
    case dimension::energy: return "energy";
    case dimension::power: return "power";
    }
    return "?";
}

std::string_view internal_unit(dimension d) {
    switch (d) {
    case dimension::dimensionless: return "";
    case dimension::time: return "ms";
    case dimension::voltage: return "mV";
    case dimension::current: return "pA";
    case dimension::conductance: return "nS";
    case dimension::capacitance: return "pF";
    case dimension::resistance: return "MOhm";
    case dimension::frequency: return "Hz";
    case dimension::energy: return "pJ";
    case dimension::power: return "W";
    }
    return "";
}

std::string accepted_units(dimension d) {
    // Only the ASCII spellings are listed; the micro and Ohm signs are accepted as well.
    std::string out;
    for (const auto& u : units_table) {
        if (u.dim != d) continue;
        const bool ascii = std::all_of(u.symbol.begin(), u.symbol.end(),
                                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
        if (!ascii) continue;
        if (d == dimension::resistance && u.symbol.find("ohm") != std::string_view::npos) continue;
        if (!out.empty()) out += ", ";
        out += u.symbol;
    }
    return out;
}

double parse_quantity(std::string_view text, dimension expected) {
    const std::string_view s = trim(text);
    if (s.empty()) fail(text, expected, "empty");

    // Number: optional sign (from_chars does not take '+'), then a decimal floating-point literal.
    const char* first = s.data();
    const char* last = s.data() + s.size();
    bool negative = false;
    if (*first == '+' || *first == '-') {
        negative = *first == '-';
        ++first;
    }
    if (first == last || !(std::isdigit(static_cast<unsigned char>(*first)) || *first == '.')) {
        // Also catches "nan", "inf" and "-inf", which from_chars would accept.
        const std::string_view rest(first, static_cast<std::size_t>(last - first));
        if (rest.starts_with("nan") || rest.starts_with("NaN") || rest.starts_with("inf") ||
            rest.starts_with("Inf"))
            fail(text, expected, "not a finite number");
        fail(text, expected, "no number");
    }
    double number = 0.0;
    const auto [ptr, ec] = std::from_chars(first, last, number, std::chars_format::general);
    if (ec == std::errc::result_out_of_range) fail(text, expected, "number out of range");
    if (ec != std::errc()) fail(text, expected, "no number");
    if (negative) number = -number;
    if (!std::isfinite(number)) fail(text, expected, "not a finite number");

    const std::string_view unit = trim(std::string_view(ptr, static_cast<std::size_t>(last - ptr)));
    if (unit.empty()) {
        if (expected == dimension::dimensionless) return number;
        fail(text, expected, "missing unit");
    }
    const unit_entry* u = find_unit(unit);
    if (expected == dimension::dimensionless) fail(text, expected, "unexpected unit '" + std::string(unit) + "'");
    if (u == nullptr) fail(text, expected, "unknown unit '" + std::string(unit) + "'");
    if (u->dim != expected) fail(text, expected, with_article(dimension_name(u->dim)) + ", not " + with_article(dimension_name(expected)));
    const double value = number * u->mul / u->div;
    if (!std::isfinite(value)) fail(text, expected, "number out of range");
    return value;
}

std::string format_quantity(double value, dimension d) {
    std::string out;
    if (std::isnan(value)) {
        out = "nan";
    } else if (std::isinf(value)) {
        out = value < 0 ? "-inf" : "inf";
    } else {
        std::array<char, 64> buf{};
        // Shortest representation that reads back to the same double.
        const auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
        out.assign(buf.data(), ec == std::errc() ? ptr : buf.data());
    }
    const std::string_view unit = internal_unit(d);
    if (!unit.empty()) {
        out += ' ';
        out += unit;
    }
    return out;
}

} // namespace memspike
