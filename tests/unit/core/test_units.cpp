// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "memspike/core/units.hpp"

using memspike::dimension;
using memspike::format_quantity;
using memspike::parse_quantity;
using memspike::unit_error;

TEST_CASE("parse_quantity converts every unit to the internal unit", "[unit][units]") {
    // time: ms. Sub-units divide by an exact power of ten, so 100 us is exactly the double 0.1.
    CHECK(parse_quantity("20 ms", dimension::time) == 20.0);
    CHECK(parse_quantity("1 s", dimension::time) == 1000.0);
    CHECK(parse_quantity("100 us", dimension::time) == 0.1);
    CHECK(parse_quantity("100 \u00b5s", dimension::time) == 0.1);
    CHECK(parse_quantity("100 \u03bcs", dimension::time) == 0.1);
    CHECK(parse_quantity("2500 ns", dimension::time) == 0.0025);
    CHECK(parse_quantity("1.5 min", dimension::time) == 90000.0);
    CHECK(parse_quantity("1e-3 s", dimension::time) == 1.0);
    CHECK(parse_quantity("20ms", dimension::time) == 20.0);
    CHECK(parse_quantity("  +3 ms  ", dimension::time) == 3.0);
    CHECK(parse_quantity(".5 ms", dimension::time) == 0.5);
    // voltage: mV
    CHECK(parse_quantity("-65 mV", dimension::voltage) == -65.0);
    CHECK(parse_quantity("0.02 V", dimension::voltage) == 20.0);
    CHECK(parse_quantity("500 uV", dimension::voltage) == 0.5);
    // current: pA
    CHECK(parse_quantity("0.5 nA", dimension::current) == 500.0);
    CHECK(parse_quantity("1 A", dimension::current) == 1e12);
    CHECK(parse_quantity("2 mA", dimension::current) == 2e9);
    CHECK(parse_quantity("3 uA", dimension::current) == 3e6);
    CHECK(parse_quantity("376 pA", dimension::current) == 376.0);
    CHECK(parse_quantity("250 fA", dimension::current) == 0.25);
    // conductance: nS
    CHECK(parse_quantity("10 nS", dimension::conductance) == 10.0);
    CHECK(parse_quantity("1 S", dimension::conductance) == 1e9);
    CHECK(parse_quantity("1 mS", dimension::conductance) == 1e6);
    CHECK(parse_quantity("2 uS", dimension::conductance) == 2000.0);
    CHECK(parse_quantity("500 pS", dimension::conductance) == 0.5);
    // capacitance: pF
    CHECK(parse_quantity("250 pF", dimension::capacitance) == 250.0);
    CHECK(parse_quantity("1 F", dimension::capacitance) == 1e12);
    CHECK(parse_quantity("1 uF", dimension::capacitance) == 1e6);
    CHECK(parse_quantity("0.25 nF", dimension::capacitance) == 250.0);
    CHECK(parse_quantity("100 fF", dimension::capacitance) == 0.1);
    // resistance: MOhm, several spellings
    CHECK(parse_quantity("100 MOhm", dimension::resistance) == 100.0);
    CHECK(parse_quantity("100 Mohm", dimension::resistance) == 100.0);
    CHECK(parse_quantity("100 M\u03a9", dimension::resistance) == 100.0);
    CHECK(parse_quantity("100 M\u2126", dimension::resistance) == 100.0);
    CHECK(parse_quantity("1 GOhm", dimension::resistance) == 1000.0);
    CHECK(parse_quantity("500 kOhm", dimension::resistance) == 0.5);
    CHECK(parse_quantity("2000000 Ohm", dimension::resistance) == 2.0);
    CHECK(parse_quantity("1 k\u03a9", dimension::resistance) == 0.001);
    // frequency: Hz
    CHECK(parse_quantity("5 Hz", dimension::frequency) == 5.0);
    CHECK(parse_quantity("2 kHz", dimension::frequency) == 2000.0);
    CHECK(parse_quantity("0.001 MHz", dimension::frequency) == 1000.0);
    // dimensionless: plain numbers only
    CHECK(parse_quantity("0.5", dimension::dimensionless) == 0.5);
    CHECK(parse_quantity("-3", dimension::dimensionless) == -3.0);
    CHECK(parse_quantity("1e-9", dimension::dimensionless) == 1e-9);
}

TEST_CASE("parse_quantity names the expected dimension, its units and the value received", "[unit][units]") {
    REQUIRE_THROWS_WITH(parse_quantity("20 mV", dimension::time),
                        Catch::Contains("expected a time such as \"20 ms\" (units: s, ms, us, ns, min), got \"20 mV\""));
    REQUIRE_THROWS_WITH(parse_quantity("20 mV", dimension::time), Catch::Contains("a voltage, not a time"));
    REQUIRE_THROWS_WITH(parse_quantity("2 W", dimension::energy), Catch::Contains("a power, not an energy"));
    REQUIRE_THROWS_WITH(parse_quantity("20 ms", dimension::voltage),
                        Catch::Contains("expected a voltage such as \"-65 mV\" (units: V, mV, uV), got \"20 ms\""));
    REQUIRE_THROWS_WITH(parse_quantity("10 nA", dimension::conductance), Catch::Contains("units: S, mS, uS, nS, pS"));
    REQUIRE_THROWS_WITH(parse_quantity("10 nS", dimension::current), Catch::Contains("units: A, mA, uA, nA, pA, fA"));
    REQUIRE_THROWS_WITH(parse_quantity("1 pA", dimension::capacitance), Catch::Contains("units: F, mF, uF, nF, pF, fF"));
    REQUIRE_THROWS_WITH(parse_quantity("1 Hz", dimension::resistance), Catch::Contains("units: Ohm, kOhm, MOhm, GOhm"));
    REQUIRE_THROWS_WITH(parse_quantity("1 s", dimension::frequency), Catch::Contains("units: Hz, kHz, MHz"));
}

TEST_CASE("parse_quantity rejects malformed text", "[unit][units]") {
    SECTION("missing unit for a dimensional quantity") {
        REQUIRE_THROWS_WITH(parse_quantity("20", dimension::time), Catch::Contains("got \"20\"") && Catch::Contains("missing unit"));
    }
    SECTION("unknown unit or trailing junk") {
        REQUIRE_THROWS_WITH(parse_quantity("20 ms x", dimension::time), Catch::Contains("unknown unit 'ms x'"));
        REQUIRE_THROWS_WITH(parse_quantity("20 msec", dimension::time), Catch::Contains("unknown unit 'msec'"));
        REQUIRE_THROWS_WITH(parse_quantity("20 MS", dimension::time), Catch::Contains("unknown unit 'MS'"));
        REQUIRE_THROWS_WITH(parse_quantity("1.2.3 ms", dimension::time), Catch::Contains("unknown unit"));
        REQUIRE_THROWS_WITH(parse_quantity("0.5x", dimension::dimensionless), Catch::Contains("unexpected unit 'x'"));
    }
    SECTION("no number") {
        REQUIRE_THROWS_WITH(parse_quantity("", dimension::time), Catch::Contains("empty"));
        REQUIRE_THROWS_WITH(parse_quantity("   ", dimension::time), Catch::Contains("empty"));
        REQUIRE_THROWS_WITH(parse_quantity("ms", dimension::time), Catch::Contains("no number"));
        REQUIRE_THROWS_WITH(parse_quantity("- 3 ms", dimension::time), Catch::Contains("no number"));
        REQUIRE_THROWS_WITH(parse_quantity("0x10 ms", dimension::time), Catch::Contains("unknown unit 'x10 ms'"));
    }
    SECTION("NaN and infinities") {
        for (const char* text : {"nan ms", "NaN ms", "inf ms", "-inf ms", "+inf ms", "infinity ms", "Inf"}) {
            INFO(text);
            REQUIRE_THROWS_WITH(parse_quantity(text, dimension::time), Catch::Contains("not a finite number"));
        }
        REQUIRE_THROWS_WITH(parse_quantity("nan", dimension::dimensionless), Catch::Contains("not a finite number"));
        REQUIRE_THROWS_WITH(parse_quantity("1e400 ms", dimension::time), Catch::Contains("out of range"));
        // Finite in the text, infinite after conversion to the internal unit.
        REQUIRE_THROWS_WITH(parse_quantity("1e300 A", dimension::current), Catch::Contains("out of range"));
    }
    SECTION("a unit on a dimensionless quantity") {
        REQUIRE_THROWS_WITH(parse_quantity("0.5 ms", dimension::dimensionless),
                            Catch::Contains("expected a plain number") && Catch::Contains("unexpected unit 'ms'"));
    }
    SECTION("it is a unit_error, not a scenario error") {
        REQUIRE_THROWS_AS(parse_quantity("x", dimension::time), unit_error);
    }
}

TEST_CASE("dimension names, internal units and accepted units", "[unit][units]") {
    CHECK(memspike::dimension_name(dimension::time) == "time");
    CHECK(memspike::dimension_name(dimension::conductance) == "conductance");
    CHECK(memspike::internal_unit(dimension::time) == "ms");
    CHECK(memspike::internal_unit(dimension::voltage) == "mV");
    CHECK(memspike::internal_unit(dimension::current) == "pA");
    CHECK(memspike::internal_unit(dimension::conductance) == "nS");
    CHECK(memspike::internal_unit(dimension::capacitance) == "pF");
    CHECK(memspike::internal_unit(dimension::resistance) == "MOhm");
    CHECK(memspike::internal_unit(dimension::frequency) == "Hz");
    CHECK(memspike::internal_unit(dimension::dimensionless).empty());
    CHECK(memspike::accepted_units(dimension::time) == "s, ms, us, ns, min");
    CHECK(memspike::accepted_units(dimension::voltage) == "V, mV, uV");
    CHECK(memspike::accepted_units(dimension::resistance) == "Ohm, kOhm, MOhm, GOhm");
    CHECK(memspike::accepted_units(dimension::frequency) == "Hz, kHz, MHz");
}

TEST_CASE("format_quantity writes the shortest text that reads back exactly", "[unit][units]") {
    CHECK(format_quantity(20, dimension::time) == "20 ms");
    CHECK(format_quantity(-65, dimension::voltage) == "-65 mV");
    CHECK(format_quantity(0.1, dimension::time) == "0.1 ms");
    CHECK(format_quantity(0.5, dimension::dimensionless) == "0.5");
    CHECK(format_quantity(100, dimension::resistance) == "100 MOhm");
    CHECK(format_quantity(std::numeric_limits<double>::infinity(), dimension::time) == "inf ms");
    for (double v : {0.1, 1.0 / 3.0, -70.0, 1e-9, 123456.789, 2.5e12}) {
        for (dimension d : {dimension::time, dimension::voltage, dimension::current, dimension::frequency}) {
            INFO(v);
            CHECK(parse_quantity(format_quantity(v, d), d) == v);
        }
    }
}
