# SPDX-License-Identifier: MIT
# memspike.load on damaged result files (issue 11, defect 13, the Python half): each fault is refused
# with memspike.IOError naming the file, the dataset or attribute and what was expected, instead of
# a Result that holds impossible data (resolution 0, spikes of neuron 10**6 in a population of 1,000)
# or an obscure numpy error later.
import math

import h5py
import numpy as np
import pytest

import memspike
from conftest import small_brunel


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    path = tmp_path_factory.mktemp("load") / "good.h5"
    sc = small_brunel(**{"simulation.duration": "20 ms", "recording.inference": "5 ms"})
    sc.set("recording.trace", [{"population": "E", "variables": ["v"], "neurons": [0, 1], "interval": "1 ms"}])
    memspike.Simulation(sc, threads=1).run(output=str(path))
    return path


def replace(path, name, data):
    def change(f):
        del f[name]
        f[name] = data
    return change


def set_attr(node, name, value):
    def change(f):
        f[node].attrs[name] = value
    return change


def resized(name, delta):
    def change(f):
        data = f[name][()]
        del f[name]
        f[name] = np.concatenate([data, data[:delta]]) if delta > 0 else data[:delta]
    return change


def shifted(name, by):
    def change(f):
        data = f[name][()]
        data[0] = by
        f[name][...] = data
    return change


CASES = [
    ("resolution 0", set_attr("/", "resolution_ms", 0.0), "/ attribute resolution_ms", "0.0 must be a finite number > 0"),
    ("resolution NaN", set_attr("/", "resolution_ms", math.nan), "/ attribute resolution_ms", "finite number > 0"),
    ("resolution negative", set_attr("/", "resolution_ms", -0.1), "/ attribute resolution_ms", "> 0"),
    ("inference negative", set_attr("energy", "inference_ms", -5.0), "/energy attribute inference_ms",
     "-5.0 must be a finite number >= 0"),
    ("inference inf", set_attr("energy", "inference_ms", math.inf), "/energy attribute inference_ms", ">= 0"),
    ("id out of range", shifted("spikes/E/ids", 1000), "/spikes/E/ids", "id 1000 is out of range: the population "
                                                                       "has 1000 neurons"),
    ("ids longer than ticks", resized("spikes/E/ids", 3), "/spikes/E", "ids but"),
    ("ticks longer than ids", resized("spikes/I/ticks", 2), "/spikes/I", "one tick per spike id"),
    ("negative tick", shifted("spikes/E/ticks", -4), "/spikes/E/ticks", "tick -4 is negative"),
    ("ids of floats", lambda f: replace(None, "spikes/E/ids", f["spikes/E/ids"][()].astype(float))(f), "/spikes/E/ids",
     "expected a 1-D dataset of integers"),
    ("size missing", lambda f: f["spikes/E"].attrs.__delitem__("size"), "/spikes/E", "attribute 'size' is missing"),
    ("trace values short", resized("traces/E/v/values", -1), "/traces/E/v/values", "one row per tick"),
    ("ledger rows", resized("energy/ticks", 2), "/energy/counts", "one row per row of /energy/ticks"),
    ("ledger rank 3", lambda f: replace(None, "energy/counts", f["energy/counts"][()][..., None])(f), "/energy/counts",
     "expected a 2-D dataset"),
    ("no spikes group", lambda f: f.__delitem__("spikes"), "/spikes", "group is missing"),
]


def test_the_good_file_loads(good):
    r = memspike.load(good)
    assert r.complete and r.spike_ticks("E")[0].size > 0 and r.ledger.inference_ms == 5.0


@pytest.mark.parametrize("name, change, where, what", CASES, ids=[c[0] for c in CASES])
def test_damaged_file_is_refused_naming_file_and_dataset(name, change, where, what, good, tmp_path):
    path = tmp_path / "damaged.h5"
    path.write_bytes(good.read_bytes())
    with h5py.File(path, "r+") as f:
        change(f)
    with pytest.raises(memspike.IOError) as info:
        memspike.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {where}: "), message
    assert what in message, message
    assert isinstance(info.value, OSError)
