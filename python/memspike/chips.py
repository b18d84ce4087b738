# SPDX-License-Identifier: MIT
"""A recorded run priced per tick on chip architectures (docs/chips.md): memspike.chip_report.

The pricing is core's (price_run_on_chips), the same as `memspike report --chips --json`: the
extension module returns that JSON text, and this file only turns it into a DataFrame."""
import json
import os

from . import _memspike

# The per-chip columns, in the order of `memspike report --chips --json`.
COLUMNS = ("dynamic_j", "static_j", "total_j", "paced_static_j", "paced_total_j", "static_mw", "tick_latency_us",
           "tick_latency_max_us", "chip_time_s", "model_time_s", "real_time_factor", "cores", "tiles", "chips",
           "synaptic_events", "energy_per_event_pj", "edp_js", "noc_messages", "hops", "placement",
           "messages_per_spike", "hops_per_message", "lines", "notes")


def chip_models():
    """Names of the shipped chip descriptions (models/chips/*.toml): ['loihi', 'loihi_sanafe', ...]."""
    return list(_memspike.chip_models())


def _chip_names(chips):
    if isinstance(chips, str):
        return _memspike.chip_models() if chips == "all" else [c for c in chips.split(",") if c]
    try:
        names = [os.fspath(c) for c in chips]
    except TypeError:
        raise TypeError(f"chip_report: chips must be \"all\", a comma-separated string or a list of chip names or "
                        f"paths, not {type(chips).__name__}") from None
    return names


def chip_report(run, chips="all"):
    """The run priced per tick on each chip of `chips` ("all", "loihi,truenorth", or a list of names
    or description paths), as `memspike report FILE --chips ... --json` gives it: a pandas DataFrame
    with one row per chip that prices the run (index: the chip's name) and the columns of the
    JSON's "chips" entries (energies in J, latencies in us; `lines` holds the itemised activities
    as dicts, `notes` the assumptions made). Chips that were asked for but give no number are in
    `frame.attrs`: "not_applicable" and "does_not_fit" map each such chip to the reason, and
    "note" says when an older file (without the root attribute scenario_overrides) had --set/--seed
    overrides that could not be applied (None: none).

    `run` is the path of a memspike output file or a Result read with memspike.load(path): the
    mapping needs the scenario text and the ledger per bin that the file holds. Needs pandas
    (Debian: python3-pandas)."""
    source = getattr(run, "source", None) if not isinstance(run, (str, os.PathLike)) else run
    if source is None:
        raise TypeError(f"chip_report needs the path of a memspike output file or a Result from memspike.load(path), "
                        f"not {type(run).__name__} (a run in memory has no file: run it with output=PATH)")
    try:
        import pandas as pd
    except ImportError as e:
        raise ImportError("chip_report needs pandas (Debian: apt-get install python3-pandas)") from e
    r = json.loads(_memspike.chip_report_json(os.fspath(source), _chip_names(chips)))
    frame = pd.DataFrame([[c[k] for k in COLUMNS] for c in r["chips"].values()], columns=list(COLUMNS),
                         index=pd.Index(list(r["chips"]), name="chip"))
    frame.attrs["not_applicable"] = {x["chip"]: x["reason"] for x in r["chips_not_applicable"]}
    frame.attrs["does_not_fit"] = {x["chip"]: x["reason"] for x in r["chips_does_not_fit"]}
    frame.attrs["note"] = r["chips_note"]
    return frame
