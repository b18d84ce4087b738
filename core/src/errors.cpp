// SPDX-License-Identifier: MIT
#include "memspike/core/errors.hpp"

#include "memspike/core/spec.hpp"

#include <sstream>
#include <string_view>

namespace memspike {
namespace {

// Input echoed in a message is cut to this many bytes (issue 11, defect 14: a 1 MB key gave a
// 1 MB line): enough to recognise any real key or value.
constexpr std::size_t echo_limit = 80;

/// `s` as echoed in a message: at most echo_limit bytes (cut on a UTF-8 character boundary), then
/// "... (N characters)" so that the reader knows it was cut and how long it was.
std::string bounded(const std::string& s, std::size_t limit = echo_limit) {
    if (s.size() <= limit) return s;
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    return s.substr(0, cut) + "... (" + std::to_string(s.size()) + " characters)";
}

bool opens_quote(const std::string& s, std::size_t i) {
    return (s[i] == '\'' || s[i] == '"') && (i == 0 || std::string_view(" (=[").find(s[i - 1]) != std::string_view::npos);
}
bool closes_quote(const std::string& s, std::size_t i, char quote) {
    return s[i] == quote && (i + 1 == s.size() || std::string_view(" ),:;.]").find(s[i + 1]) != std::string_view::npos);
}

/// A message with every quoted echo ('...' or "...", opened after a space, '(', '=' or '[' and
/// closed before a space or punctuation, so that an apostrophe in prose is not taken for one)
/// bounded. This is
/// the one place that bounds what scenario errors echo, whichever check composed the message.
std::string bounded_quotes(const std::string& what) {
    if (what.size() <= echo_limit) return what;
    std::string out;
    std::size_t i = 0;
    while (i < what.size()) {
        if (opens_quote(what, i)) {
            const char quote = what[i];
            std::size_t j = i + 1;
            while (j < what.size() && !closes_quote(what, j, quote)) ++j;
            if (j < what.size()) {
                out += quote + bounded(what.substr(i + 1, j - i - 1)) + quote;
                i = j + 1;
                continue;
            }
        }
        out += what[i++];
    }
    return out;
}

} // namespace

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

invalid_parameter::invalid_parameter(std::string owner_, std::string name_, std::string value_, std::string rule_)
    : error(owner_ + ": " + bounded(name_) + " = " + bounded(value_) + " is invalid (" + rule_ + ")"),
      owner(std::move(owner_)), name(std::move(name_)), value(std::move(value_)), rule(std::move(rule_)) {}

unknown_parameter::unknown_parameter(std::string owner_, std::string name_, std::vector<std::string> known_)
    : error(owner_ + ": unknown parameter '" + bounded(name_) + "' (known: " + join_names(known_) + ")"),
      owner(std::move(owner_)), name(std::move(name_)), known(std::move(known_)) {}

unknown_model::unknown_model(std::string kind_, std::string name_, std::vector<std::string> known_)
    : error("unknown " + kind_ + " '" + bounded(name_) + "' (known: " + join_names(known_) + ")"),
      kind(std::move(kind_)), name(std::move(name_)), known(std::move(known_)) {}

static std::string located(const std::string& file, int line, int column, const std::string& key,
                           const std::string& what) {
    std::ostringstream os;
    // A file name is a path (or "--set <key>", which echoes the key): cut only beyond any real path.
    const std::size_t file_limit = file.rfind("--set ", 0) == 0 ? echo_limit + 6 : 256;
    os << (file.empty() ? std::string("<scenario>") : bounded(file, file_limit));
    if (line > 0) {
        os << ':' << line;
        if (column > 0) os << ':' << column;
    }
    os << ": ";
    if (!key.empty()) os << "key '" << bounded(key) << "': ";
    os << bounded_quotes(what);
    return os.str();
}

scenario_error::scenario_error(std::string file_, int line_, int column_, std::string key_, std::string what_)
    : error(located(file_, line_, column_, key_, what_)),
      file(std::move(file_)), line(line_), column(column_), key(std::move(key_)), what(std::move(what_)) {}

void fail_at(const source_location& at, const std::string& what) {
    throw scenario_error(at.file, at.line, at.column, at.key, what);
}

backend_unavailable::backend_unavailable(std::string backend_, std::string reason_)
    : error("backend '" + backend_ + "' is unavailable: " + reason_),
      backend(std::move(backend_)), reason(std::move(reason_)) {}

} // namespace memspike
