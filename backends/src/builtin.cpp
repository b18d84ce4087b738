// SPDX-License-Identifier: MIT
// THE list of built-in backends besides core's digital one: one line each.
#include "memspike/backends/builtin.hpp"

#include "memspike/backends/crossbar/crossbar.hpp"
#include "memspike/backends/dense/dense.hpp"
#include "memspike/core/backend.hpp"
#include "memspike/models/builtin.hpp"

namespace memspike {

const model_registry& builtin_registry() {
    static const model_registry registry = [] {
        model_registry r = builtin_models();
        r.add_backend(crossbar::crossbar_backend());
        r.add_backend(dense::dense_backend());
        return r;
    }();
    return registry;
}

} // namespace memspike
