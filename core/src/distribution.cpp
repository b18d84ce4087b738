// SPDX-License-Identifier: MIT
// Per-synapse / per-neuron draws of a `distribution` (spec.hpp). Out-of-range draws are never
// clipped: they are an error, or (policy `redraw`) rejected and drawn again, which samples the
// distribution truncated to [min, max].
#include <cmath>
#include <sstream>

#include "memspike/core/errors.hpp"
#include "memspike/core/spec.hpp"

namespace memspike {

namespace {

// Values are in the internal unit of a dimension this file does not know, so plain numbers.
std::string plain(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

// Rejections in a row after which a truncated distribution is declared hopeless: with a window
// holding even 1 % of the mass, 1000 rejections in a row happen with probability 0.99^1000 ~ 4e-5.
constexpr int max_redraws = 1000;

}  // namespace

double distribution::draw(random_stream& rng) const {
    const auto once = [&]() -> double {
        switch (k) {
        case kind::constant: return value;
        case kind::uniform: return rng.uniform(low, high);
        case kind::normal: return rng.normal(mean, sd);
        }
        throw internal_error("distribution::draw: unknown kind");
    };
    const auto inside = [&](double v) { return v >= min && v <= max; };  // false for NaN

    double v = once();
    if (inside(v)) return v;
    if (policy == out_of_range::error) {
        fail_at(where, "a drawn value " + plain(v) + " lies outside [" + plain(min) + ", " + plain(max) +
                        "]; set out_of_range = \"redraw\" to truncate the distribution, or change min/max");
    }
    // A constant outside its bounds would be rejected forever: say so at once.
    if (k == kind::constant) {
        fail_at(where, "the constant value " + plain(v) + " lies outside [" + plain(min) + ", " + plain(max) +
                        "]; redrawing cannot help, change the value or min/max");
    }
    for (int i = 1; i < max_redraws; ++i) {
        v = once();
        if (inside(v)) return v;
    }
    fail_at(where, std::to_string(max_redraws) + " consecutive draws fell outside [" + plain(min) + ", " + plain(max) +
                    "] (last " + plain(v) +
                    "); the window holds almost none of the distribution's mass: widen min/max or change the "
                    "distribution");
}

}  // namespace memspike
