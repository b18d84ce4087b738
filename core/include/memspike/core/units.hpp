// SPDX-License-Identifier: MIT
// Physical quantities as strings ("20 ms", "-65 mV", "0.5 nA", "5 Hz").
//
// Every dimension has one internal unit, used by all model parameter structs (whose field names carry
// it: tau_m_ms, v_th_mv, i_e_pa, ...):
//   time ms, voltage mV, current pA, conductance nS, capacitance pF, resistance MOhm, frequency Hz,
//   energy pJ, power W (energy models).
// With these units the LIF equation needs no conversion factors: pA / pF = mV / ms, so
// V_inf - E_L = I * tau_m / C_m is in mV for I in pA, tau_m in ms and C_m in pF.
#pragma once

#include <string>
#include <string_view>

namespace memspike {

enum class dimension { dimensionless, time, voltage, current, conductance, capacitance, resistance, frequency, energy, power };

/// "time", "voltage", ...
std::string_view dimension_name(dimension d);
/// The internal unit symbol of a dimension: "ms", "mV", "pA", "nS", "pF", "MOhm", "Hz", "".
std::string_view internal_unit(dimension d);
/// The accepted unit symbols, for messages: "s, ms, us, ns, min".
std::string accepted_units(dimension d);

/// Thrown by parse_quantity; carries the reason only. Callers that know the file, line and key wrap
/// it into a scenario_error.
struct unit_error : std::exception {
    explicit unit_error(std::string what) : what_(std::move(what)) {}
    const char* what() const noexcept override { return what_.c_str(); }
private:
    std::string what_;
};

/// Parses "<number> <unit>" (space optional, e.g. "20ms", "1e-3 s", "-65 mV", "0.5 nA", "5 Hz",
/// "2 kHz", "200 pF", "10 nS", "100 MOhm"/"100 Mohm"/"100 MΩ") and returns the value in the internal unit
/// of `expected`. A plain number without unit is accepted only for dimensionless quantities.
/// NaN and infinities are rejected. Throws unit_error naming the expected dimension and the
/// accepted units.
double parse_quantity(std::string_view text, dimension expected);

/// Formats a value given in the internal unit of `d`, e.g. format_quantity(20, time) == "20 ms".
std::string format_quantity(double value, dimension d);

} // namespace memspike
