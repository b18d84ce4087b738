# SPDX-License-Identifier: MIT
"""Reads a memspike scenario TOML into plain dicts, in memspike's internal units (ms, mV, pA,
nS, pF, MOhm, Hz), written from docs/scenario-format.md alone. Only what the reference simulator
needs is read; anything it cannot reproduce without memspike's random streams (drawn weights,
delays or initial values, random connectivity) raises NotReproducible unless the caller hands
over the synapse list (see simulate(synapses=...))."""
import csv
import math
import os
import re
import tomllib

# unit -> (dimension, factor to the internal unit); docs/scenario-format.md "Quantities"
UNITS = {
    "s": ("time", 1e3), "ms": ("time", 1.0), "us": ("time", 1e-3), "µs": ("time", 1e-3),
    "μs": ("time", 1e-3), "ns": ("time", 1e-6), "min": ("time", 6e4),
    "V": ("voltage", 1e3), "mV": ("voltage", 1.0), "uV": ("voltage", 1e-3), "µV": ("voltage", 1e-3),
    "A": ("current", 1e12), "mA": ("current", 1e9), "uA": ("current", 1e6), "µA": ("current", 1e6),
    "nA": ("current", 1e3), "pA": ("current", 1.0), "fA": ("current", 1e-3),
    "S": ("conductance", 1e9), "mS": ("conductance", 1e6), "uS": ("conductance", 1e3),
    "µS": ("conductance", 1e3), "nS": ("conductance", 1.0), "pS": ("conductance", 1e-3),
    "F": ("capacitance", 1e12), "mF": ("capacitance", 1e9), "uF": ("capacitance", 1e6),
    "µF": ("capacitance", 1e6), "nF": ("capacitance", 1e3), "pF": ("capacitance", 1.0),
    "fF": ("capacitance", 1e-3),
    "Ohm": ("resistance", 1e-6), "ohm": ("resistance", 1e-6), "Ω": ("resistance", 1e-6),
    "kOhm": ("resistance", 1e-3), "MOhm": ("resistance", 1.0), "GOhm": ("resistance", 1e3),
    "Hz": ("frequency", 1.0), "kHz": ("frequency", 1e3), "MHz": ("frequency", 1e6),
}

_QUANTITY = re.compile(r"^\s*\+?([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*(\S*)\s*$")


class NotReproducible(Exception):
    """The scenario needs something only memspike's random streams can produce."""


def quantity(value):
    """'20 ms' -> 20.0 (internal unit); a plain number (dimensionless) is returned as is."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    m = _QUANTITY.match(value)
    if not m:
        raise ValueError(f"not a quantity: {value!r}")
    number, unit = float(m.group(1)), m.group(2)
    if unit == "":
        return number
    if unit not in UNITS:
        raise ValueError(f"unknown unit in {value!r}")
    return number * UNITS[unit][1]


def constant(value, what):
    """A constant quantity; a distribution table is not reproducible without memspike's streams."""
    if isinstance(value, dict):
        if value.get("dist") == "uniform" and quantity(value["low"]) == quantity(value["high"]):
            return quantity(value["low"])  # "equal: every draw is low"
        raise NotReproducible(f"{what} is drawn from a distribution")
    return quantity(value)


# Parameter defaults: docs/models.md (NEST's defaults).
MEMBRANE = {"tau_m": 10.0, "c_m": 250.0, "e_l": -70.0, "v_th": -55.0, "v_reset": -70.0,
            "t_ref": 2.0, "i_e": 0.0}
DEFAULTS = {
    "lif_delta": dict(MEMBRANE),
    "lif_exp": dict(MEMBRANE, tau_syn_ex=2.0, tau_syn_in=2.0),
    "lif_cond_exp": {"c_m": 250.0, "g_l": 16.6667, "e_l": -70.0, "v_th": -55.0, "v_reset": -60.0,
                     "t_ref": 2.0, "e_ex": 0.0, "e_in": -85.0, "tau_syn_ex": 0.2,
                     "tau_syn_in": 2.0, "i_e": 0.0},
    "poisson_source": {"start": 0.0, "stop": math.inf},
    "spike_source": {},
}
PORTS = {"lif_delta": ["v"], "lif_exp": ["ex", "in"], "lif_cond_exp": ["ex", "in"],
         "poisson_source": [], "spike_source": []}

# docs/scenario-format.md, "Plastic projections"; stdp_reward from its rule table (see
# docs/testing.md: it is missing from the format's table).
RULE_DEFAULTS = {
    "stdp": {"tau_plus": 20.0, "tau_minus": 20.0, "lambda": 0.01, "alpha": 1.0, "mu_plus": 0.0,
             "mu_minus": 0.0, "w_min": 0.0, "depression_offset": 0.0},
    "stdp_power_law": {"tau_plus": 15.0, "tau_minus": 30.0, "lambda": 0.1, "alpha": 0.0513,
                       "mu": 0.4, "w_min": 0.0, "w_max": math.inf},
    "stdp_triplet": {"tau_plus": 16.8, "tau_x": 101.0, "tau_minus": 33.7, "tau_y": 125.0,
                     "a2_plus": 5e-10, "a3_plus": 6.2e-3, "a2_minus": 7e-3, "a3_minus": 0.0,
                     "w_min": 0.0},
    "stdp_reward": {"tau_plus": 20.0, "tau_minus": 20.0, "tau_c": 1000.0, "baseline": 0.0,
                    "w_min": 0.0},
}


def ticks_of(ms, h, what):
    """A time on the tick grid -> whole ticks (docs: within a relative 1e-9)."""
    k = round(ms / h)
    if abs(k * h - ms) > 1e-9 * max(1.0, abs(ms)):
        raise ValueError(f"{what} = {ms} ms is not on the grid of {h} ms")
    return int(k)


def load(path):
    """The scenario as a dict of plain Python values in internal units."""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    base = os.path.dirname(os.path.abspath(path))
    sim = doc["simulation"]
    h = quantity(sim.get("resolution", "0.1 ms"))
    out = {
        "h": h,
        "ticks": ticks_of(quantity(sim["duration"]), h, "duration"),
        "tol": float(sim.get("quiescence_tolerance", 1e-9)),
        "populations": [],
        "projections": [],
        "stimuli": [],
        "modulators": [],
        "backend": {"kind": "digital"},
    }
    if float(sim.get("scale", 1.0)) != 1.0:
        raise NotReproducible("scale != 1 is not handled by the reference")
    for p in doc.get("population", []):
        model = p["model"]
        params = dict(DEFAULTS[model])
        for k, v in p.get("params", {}).items():
            params[k] = quantity(v)
        if model == "lif_cond_exp":
            params["tau_m"] = params["c_m"] / params["g_l"]
        init = {k: constant(v, f"init {k}") for k, v in p.get("init", {}).items()}
        times = p.get("spike_times")
        size = len(times) if times is not None else int(p["size"])
        pop = {"name": p["name"], "model": model, "size": size, "params": params, "init": init}
        if times is not None:
            pop["spike_ticks"] = [[ticks_of(quantity(t), h, "spike time") for t in row] for row in times]
        out["populations"].append(pop)
    names = [p["name"] for p in out["populations"]]
    for j in doc.get("projection", []):
        proj = {k: j[k] for k in ("source", "target", "rule")}
        proj["name"] = j.get("name", f"{j['source']}->{j['target']}")
        proj["source_index"], proj["target_index"] = names.index(j["source"]), names.index(j["target"])
        target_model = out["populations"][proj["target_index"]]["model"]
        ports = PORTS[target_model]
        proj["port"] = ports.index(j["receptor"]) if "receptor" in j else 0
        proj["weight_spec"], proj["delay_spec"] = j.get("weight"), j.get("delay")
        proj["allow_autapses"] = j.get("allow_autapses", True)
        if "file" in j:
            proj["file"] = os.path.join(base, j["file"])
        pl = j.get("plasticity")
        if pl is not None:
            rule = pl["rule"]
            params = dict(RULE_DEFAULTS[rule])
            for k, v in pl.items():
                if k not in ("rule", "interaction"):
                    params[k] = quantity(v)
            proj["plasticity"] = {"rule": rule, "interaction": pl.get("interaction", "all_to_all"),
                                  "params": params}
        out["projections"].append(proj)
    for index, s in enumerate(doc.get("stimulus", [])):
        st = {"kind": s["kind"], "target_index": names.index(s["target"]), "neurons": s.get("neurons")}
        st["name"] = s.get("name", f"{s['kind']}{index}")
        for key in ("rate", "weight", "amplitude"):
            if key in s:
                st[key] = quantity(s[key])
        st["start"] = ticks_of(quantity(s.get("start", "0 ms")), h, "start")
        st["stop"] = ticks_of(quantity(s["stop"]), h, "stop") if "stop" in s else None
        if "times" in s:
            st["times"] = [ticks_of(quantity(t), h, "times") for t in s["times"]]
            st["amplitudes"] = [quantity(a) for a in s["amplitudes"]]
        tp = out["populations"][st["target_index"]]
        st["port"] = PORTS[tp["model"]].index(s["receptor"]) if "receptor" in s else 0
        st["shared"] = s.get("shared", False)
        out["stimuli"].append(st)
    for m in doc.get("modulator", []):
        out["modulators"].append({"projections": list(m["projections"]),
                                  "ticks": [ticks_of(quantity(t), h, "modulator time") for t in m["times"]],
                                  "values": [float(v) for v in m["values"]]})
    if "backend" in doc:
        out["backend"] = {k: (v if k == "kind" or isinstance(v, bool) else quantity(v)) for k, v in doc["backend"].items()}
    return out


def connect(sc, proj):
    """The synapses of a seed-independent projection: (sources, targets, weights, delays_ms)."""
    ns = sc["populations"][proj["source_index"]]["size"]
    nt = sc["populations"][proj["target_index"]]["size"]
    rule = proj["rule"]
    if rule == "explicit":
        src, tgt, w, d = [], [], [], []
        with open(proj["file"], newline="") as f:
            rows = list(csv.reader(f))
        header = [c.strip() for c in rows[0]]
        for row in rows[1:]:
            if not row or not "".join(row).strip():
                continue
            rec = dict(zip(header, (c.strip() for c in row)))
            src.append(int(rec["source"]))
            tgt.append(int(rec["target"]))
            w.append(float(rec["weight"]) if "weight" in rec else constant(proj["weight_spec"], "weight"))
            d.append(float(rec["delay"]) if "delay" in rec else constant(proj["delay_spec"], "delay"))
        return src, tgt, w, d
    if rule == "one_to_one":
        pairs = [(i, i) for i in range(ns)]
    elif rule == "all_to_all":
        recurrent = proj["source_index"] == proj["target_index"]
        pairs = [(i, j) for i in range(ns) for j in range(nt)
                 if proj["allow_autapses"] or not recurrent or i != j]
    else:
        raise NotReproducible(f"rule {rule!r} draws its connections from memspike's streams")
    w = constant(proj["weight_spec"], "weight")
    d = constant(proj["delay_spec"], "delay")
    return [p[0] for p in pairs], [p[1] for p in pairs], [w] * len(pairs), [d] * len(pairs)
