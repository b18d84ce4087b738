// SPDX-License-Identifier: MIT
#include "progress.hpp"

#include <unistd.h>

namespace memspike::cli {

progress_line::progress_line(std::FILE* out, double resolution_ms)
    : out_(out), resolution_ms_(resolution_ms), enabled_(isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()) {}

void progress_line::update(tick_t done, tick_t total) {
    if (!enabled_) return;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double sim_s = static_cast<double>(done) * resolution_ms_ * 1e-3;
    const double total_s = static_cast<double>(total) * resolution_ms_ * 1e-3;
    const double speed = wall > 0 ? sim_s / wall : 0.0;
    const double eta = speed > 0 ? (total_s - sim_s) / speed : 0.0;
    std::fprintf(out_, "\r  %8.3f / %.3f s simulated  %5.1f%%  %8.4f sim s / wall s  ETA %6.1f s ", sim_s, total_s,
                 total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0, speed, eta);
    std::fflush(out_);
    printed_ = true;
}

void progress_line::finish() {
    if (enabled_ && printed_) std::fprintf(out_, "\r\033[K");
    printed_ = false;
}

} // namespace memspike::cli
