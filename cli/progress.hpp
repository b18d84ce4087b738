// SPDX-License-Identifier: MIT
// A one-line progress display on a terminal: simulated time, speed (simulated / wall seconds), ETA.
#pragma once

#include <chrono>
#include <cstdio>

#include "memspike/core/time.hpp"

namespace memspike::cli {

class progress_line {
public:
    progress_line(std::FILE* out, double resolution_ms);
    /// True when `out` is a terminal; otherwise update() prints nothing.
    bool enabled() const { return enabled_; }
    void update(tick_t done, tick_t total);
    /// Clears the line (call before printing anything else).
    void finish();

private:
    std::FILE* out_;
    double resolution_ms_;
    bool enabled_;
    bool printed_ = false;
    std::chrono::steady_clock::time_point start_;
};

} // namespace memspike::cli
