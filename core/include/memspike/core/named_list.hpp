// SPDX-License-Identifier: MIT
// A list of registry entries by name (neuron models, plasticity rules, backends, ...): the one
// place where "registered twice" and "unknown name, these are known" are decided, so every kind
// of plug-in gets the same rules and messages.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/errors.hpp"

namespace memspike {

/// Entries of type Info (with a `name` member), in registration order. Entries are held by
/// shared_ptr so that copies of a registry share them and Info may be incomplete where the list
/// is declared.
template <class Info>
class named_list {
public:
    /// `kind` names the entries in messages: "neuron model", "plasticity rule", "backend".
    explicit named_list(std::string kind) : kind_(std::move(kind)) {}

    /// Throws internal_error when the name is taken (a programming error of the plug-in list).
    void add(Info info) {
        if (contains(info.name)) throw internal_error(kind_ + " '" + info.name + "' registered twice");
        items_.push_back(std::make_shared<const Info>(std::move(info)));
    }
    /// Throws unknown_model listing the registered names.
    const Info& find(const std::string& name) const {
        for (const auto& i : items_)
            if (i->name == name) return *i;
        throw unknown_model(kind_, name, names());
    }
    bool contains(const std::string& name) const {
        for (const auto& i : items_)
            if (i->name == name) return true;
        return false;
    }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& i : items_) out.push_back(i->name);
        return out;
    }

private:
    std::string kind_;
    std::vector<std::shared_ptr<const Info>> items_;
};

} // namespace memspike
