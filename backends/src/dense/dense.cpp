// SPDX-License-Identifier: MIT
// The dense backend (placeholder until it is written: registering it fails loudly if selected).
#include "memspike/backends/dense/dense.hpp"

#include "memspike/core/errors.hpp"

namespace memspike::dense {

backend_info dense_backend() {
    backend_info info;
    info.name = "dense";
    info.summary = "clock-driven dense weight matrix times spike vector (not yet available)";
    info.create = [](const backend_context&) -> std::vector<std::unique_ptr<synaptic_backend>> {
        throw backend_unavailable("dense", "not implemented yet (issue #5)");
    };
    return info;
}

} // namespace memspike::dense
