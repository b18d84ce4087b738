# SPDX-License-Identifier: MIT
"""Python values -> scenario TOML (private): unit objects, numpy values, and the TOML text itself.

Why plain numbers pass through unchanged
----------------------------------------
A dimensional value must carry its unit: ``tau_m=20`` could mean 20 ms (PyNN, NEST) or 20 s (SI), and
guessing either way runs the wrong network without a word. memspike's idiom is a unit string
(``"20 ms"``). A plain number is written to the TOML document as a number, and the C++ scenario
reader, whose key and model tables know which keys are quantities (scenario_keys.cpp, the models'
parameter tables), refuses it there with the key, the expected dimension, an example and the accepted
units; a dimensionless key (a size, a probability, a seed) takes it. So which keys need a unit is
decided in one place, the same one that checks TOML files and ``--set``.

Unit objects of the ``quantities`` package (``20 * pq.ms``) and of Brian2 (``20 * brian2.ms``) are
converted here through their own API: the object's dimension is found by asking the package whether
it converts to the SI unit of each memspike dimension, and the value is written as ``"<SI value>
<SI unit>"`` (``"0.02 s"``), which the reader then checks against the key like any unit string.

The TOML text is written by tomli_w (Debian: python3-tomli-w), which does the quoting and escaping.
"""
import math
import numbers
import sys
from collections.abc import Mapping

import tomli_w

from . import _memspike

_D = _memspike.Dimension
# The dimensions a unit object may have, with the SI unit memspike's reader takes for each; the
# names of those units in quantities and in Brian2.
_SI = [(d, _memspike.si_unit(d)) for d in (_D.time, _D.voltage, _D.current, _D.conductance, _D.capacitance,
                                           _D.resistance, _D.frequency, _D.energy, _D.power)]
_QUANTITIES_UNIT = {"s": "s", "V": "V", "A": "A", "S": "S", "F": "F", "Ohm": "ohm", "Hz": "Hz", "J": "J", "W": "W"}
_BRIAN2_UNIT = {"s": "second", "V": "volt", "A": "amp", "S": "siemens", "F": "farad", "Ohm": "ohm", "Hz": "hertz",
                "J": "joule", "W": "watt"}


def _package_of(value):
    """'quantities' or 'brian2' for a unit object of that package, else None."""
    for cls in type(value).__mro__:
        top = (cls.__module__ or "").split(".")[0]
        if top in ("quantities", "brian2"):
            return top
    return None


def _quantities_si(value):
    """(SI magnitude as float or list, SI unit symbol) of a quantities object; unit '' if dimensionless."""
    pq = sys.modules["quantities"]
    if value.simplified.dimensionality.string == "dimensionless":
        return value.simplified.magnitude.tolist(), ""
    for _, unit in _SI:
        try:
            return value.rescale(getattr(pq, _QUANTITIES_UNIT[unit])).magnitude.tolist(), unit
        except ValueError:  # "Unable to convert between units of ..."
            continue
    return None, str(value.dimensionality)


def _brian2_si(value):
    """(SI magnitude as float or list, SI unit symbol) of a Brian2 quantity; unit '' if dimensionless."""
    import numpy as np
    b2 = sys.modules["brian2"]
    if value.is_dimensionless:
        return np.asarray(value, dtype=float).tolist(), ""
    for _, unit in _SI:
        si = getattr(b2, _BRIAN2_UNIT[unit])
        if b2.have_same_dimensions(value, si):
            return np.asarray(value / si, dtype=float).tolist(), unit
    return None, str(value.dim)


def _unit_object(value, where):
    """A quantities / Brian2 value as unit strings ("0.02 s"), a list of them for arrays, or plain
    numbers when it is dimensionless."""
    package = _package_of(value)
    magnitude, unit = (_quantities_si if package == "quantities" else _brian2_si)(value)
    if magnitude is None:
        raise _memspike.UnitError(f"{where}: {value!r} ({package}) has the unit {unit}, which is none of memspike's "
                                  f"dimensions (time, voltage, current, conductance, capacitance, resistance, "
                                  f"frequency, energy, power)")

    def text(x):
        if not unit:
            return x
        if not math.isfinite(x):
            raise _memspike.UnitError(f"{where}: {value!r} is not finite")
        return f"{float(x)!r} {unit}"
    return [_nested(text, m) for m in magnitude] if isinstance(magnitude, list) else text(magnitude)


def _nested(f, x):
    return [_nested(f, y) for y in x] if isinstance(x, list) else f(x)


def plain(value, where):
    """`value` as plain TOML-able Python values (bool, int, float, str, list, dict): unit objects
    become unit strings, numpy arrays and scalars become lists and numbers, tuples lists. `where`
    names the argument in errors. Plain numbers stay numbers (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if _package_of(value) is not None:
        return _unit_object(value, where)
    if isinstance(value, numbers.Integral):
        if not -2 ** 63 <= int(value) < 2 ** 63:  # else a TOML syntax error without the key
            raise ValueError(f"{where} = {int(value)} is out of range: a scenario integer has 64 bits "
                             f"(-2**63 to 2**63 - 1)")
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v, f"{where}[{k!r}]") for k, v in value.items() if v is not None}
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # numpy arrays and scalars
        return plain(value.tolist(), where)
    if isinstance(value, (list, tuple)):
        return [plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise TypeError(f"{where}: cannot use {type(value).__name__} {shown} in a scenario: expected a number, a unit "
                    f"string such as \"20 ms\", a quantities or Brian2 quantity, a list or a dict")


def quantity_text(value, where):
    """A single quantity for the bindings (Simulation.run's duration): unit objects become a unit
    string; anything else is passed on for the C++ side to accept or refuse."""
    if _package_of(value) is not None:
        value = _unit_object(value, where)
        if isinstance(value, list):
            raise TypeError(f"{where}: expected one quantity, got an array of {len(value)}")
    return value


def document(doc):
    """A whole scenario document as TOML text (doc holds plain values, see plain())."""
    return tomli_w.dumps(doc)


def value_text(value):
    """One TOML value as text, for an override (the C++ side parses "v = " + text). tomli_w writes
    documents, not values: a table would become a [v] section, so tables and arrays are assembled
    from tomli_w's keys and scalars."""
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key_text(k)} = {value_text(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):  # on one line: it may sit inside an inline table
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    return tomli_w.dumps({"v": value})[len("v = "):].strip()


def _key_text(key):
    return tomli_w.dumps({str(key): 0})[:-len(" = 0\n")]
