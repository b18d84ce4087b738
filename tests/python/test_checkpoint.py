# SPDX-License-Identifier: MIT
# Damaged checkpoints reach Python as memspike.IOError naming the file and the fault, and a
# refused load leaves the simulation as it was (issue 11, defect 5).
import sys

import pytest

import memspike as ms
from conftest import small_brunel


def _spikes(sim, pop="E"):
    ids, ticks = sim.spike_ticks(pop)
    return ids.tolist(), ticks.tolist()


def test_damaged_checkpoints_are_refused_and_change_nothing(tmp_path):
    sc = small_brunel(**{"simulation.duration": "100 ms"})
    a = ms.Simulation(sc, threads=1)
    a.run("50 ms")
    path = tmp_path / "state.bin"
    a.save_state(str(path))
    good = path.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name != "state.bin"]  # no temporary file left

    victim = ms.Simulation(sc, threads=1)
    cases = {
        "flipped.bin": (good[:len(good) // 2] + bytes([good[len(good) // 2] ^ 0x10]) + good[len(good) // 2 + 1:],
                        "is damaged: its checksum"),
        "short.bin": (good[:len(good) - 100], "is truncated"),
        "long.bin": (good + b"\0" * 3, "3 bytes appended after its end"),
        "v1.bin": (good[:16] + (1).to_bytes(4, sys.byteorder) + good[20:], "this memspike reads version 2 only"),
    }
    for name, (data, what) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ms.IOError, match=what) as info:
            victim.load_state(str(tmp_path / name))
        assert name in str(info.value) and "the simulation is unchanged" in str(info.value)
        assert victim.now == 0
    victim.run("50 ms")
    untouched = ms.Simulation(sc, threads=1)
    untouched.run("50 ms")
    assert _spikes(victim) == _spikes(untouched)

    other = ms.Simulation(small_brunel(**{"simulation.duration": "100 ms", "simulation.seed": 99}))
    with pytest.raises(ms.IOError, match="another scenario"):
        other.load_state(str(path))
