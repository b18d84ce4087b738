# SPDX-License-Identifier: MIT
"""Writes plain Python values as TOML text, the scenario format (private).

Only what memspike.Scenario produces is supported: tables of scalars, strings, arrays and inline
tables, and arrays of tables. Quantities have already been turned into unit strings by the caller.
"""
import math
import numbers
import re
from collections.abc import Mapping

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def key(k):
    k = str(k)
    return k if _BARE_KEY.match(k) else string(k)


def string(s):
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value(v):
    """One TOML value: bool, integer, float, string, array or inline table."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        f = float(v)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return repr(f)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }" if v else "{}"
    if hasattr(v, "tolist"):  # numpy arrays and scalars
        return value(v.tolist())
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} {v!r} as a TOML value")


def _is_array_of_tables(v):
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, Mapping) for x in v)


def _table_body(path, table, lines):
    nested = []
    for k, v in table.items():
        if _is_array_of_tables(v):
            nested.append((k, v))
        else:
            lines.append(f"{key(k)} = {value(v)}")
    for k, entries in nested:
        for entry in entries:
            lines.append("")
            lines.append(f"[[{path}.{key(k)}]]")
            _table_body(f"{path}.{key(k)}", entry, lines)


def document(doc):
    """A whole document: top-level tables ([simulation]) and arrays of tables ([[population]])."""
    lines = []
    for k, v in doc.items():
        if _is_array_of_tables(v):
            for entry in v:
                lines.append(f"[[{key(k)}]]")
                _table_body(key(k), entry, lines)
                lines.append("")
        elif isinstance(v, Mapping):
            lines.append(f"[{key(k)}]")
            _table_body(key(k), v, lines)
            lines.append("")
        elif isinstance(v, (list, tuple)) and not v:
            continue  # an empty list of entries
        else:
            lines.insert(0, f"{key(k)} = {value(v)}")
    return "\n".join(lines)
