// SPDX-License-Identifier: MIT
#include "memspike/core/errors.hpp"

#include "memspike/core/spec.hpp"

#include <sstream>

namespace memspike {

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

invalid_parameter::invalid_parameter(std::string owner_, std::string name_, std::string value_, std::string rule_)
    : error(owner_ + ": " + name_ + " = " + value_ + " is invalid (" + rule_ + ")"),
      owner(std::move(owner_)), name(std::move(name_)), value(std::move(value_)), rule(std::move(rule_)) {}

unknown_parameter::unknown_parameter(std::string owner_, std::string name_, std::vector<std::string> known_)
    : error(owner_ + ": unknown parameter '" + name_ + "' (known: " + join_names(known_) + ")"),
      owner(std::move(owner_)), name(std::move(name_)), known(std::move(known_)) {}

unknown_model::unknown_model(std::string kind_, std::string name_, std::vector<std::string> known_)
    : error("unknown " + kind_ + " '" + name_ + "' (known: " + join_names(known_) + ")"),
      kind(std::move(kind_)), name(std::move(name_)), known(std::move(known_)) {}

static std::string located(const std::string& file, int line, int column, const std::string& key,
                           const std::string& what) {
    std::ostringstream os;
    os << (file.empty() ? std::string("<scenario>") : file);
    if (line > 0) {
        os << ':' << line;
        if (column > 0) os << ':' << column;
    }
    os << ": ";
    if (!key.empty()) os << "key '" << key << "': ";
    os << what;
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
