# SPDX-License-Identifier: MIT
"""The Python examples run (each well under a minute here) and write their figures."""
import pathlib
import runpy

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["brunel_phase_diagram", "stdp_song", "energy_sweep"])
def test_example_writes_its_figure(name, tmp_path, capsys):
    out = tmp_path / f"{name}.png"
    module = runpy.run_path(str(ROOT / "examples" / "python" / f"{name}.py"))
    module["main"](str(out))
    assert out.stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "wrote" in printed
    if name == "brunel_phase_diagram":
        # The AI state fires near the Siegert rate (~38 Hz); SR near saturation.
        ai = next(line for line in printed.splitlines() if line.startswith("AI"))
        rate = float(ai.split(":")[1].split("Hz")[0])
        assert 30.0 < rate < 46.0


def test_digits_crossbar_quick(tmp_path, capsys):
    # The quick mode: 120 test samples, levels 2, 8, 32 and continuous, three read-noise values.
    pytest.importorskip("sklearn")  # Debian: python3-sklearn (scripts/bootstrap.sh installs it)
    out = tmp_path / "digits.png"
    module = runpy.run_path(str(ROOT / "examples" / "python" / "digits_crossbar.py"))
    r = module["main"](str(out), quick=True)
    assert out.stat().st_size > 10_000 and "wrote" in capsys.readouterr().out
    n = r["samples"]
    assert n == 120
    # Logistic regression on digits scores well above 90 %; the spiking classifier is well above chance.
    assert r["offline"] > 0.9 and r["digital"] > 0.8
    # The ideal crossbar (continuous levels, no noise, ideal ADC, no IR drop) computes the digital sums
    # up to float rounding of the conductance pairs: at most two samples may flip.
    assert abs(r["ideal"] - r["digital"]) <= 2 / n
    # Two levels leave each weight -W, 0 or +W: far worse than 32 levels, at every noise level.
    for s in (0.0, 0.0289, 0.1):
        assert r["crossbar"][(2, s)] < r["crossbar"][(32, s)] - 0.2
    ed, ex = r["energy_digital"], r["energy_crossbar"]
    # Both runs simulate the same network for the same time: the dense baselines are equal, and
    # the closed form of the cpu_45nm baseline per inference holds: 1,200 ticks of 640 MACs and
    # 640 fp32 weight reads from SRAM plus a state read and write (8 B each way) for 10 neurons.
    assert ed["cpu_45nm"] == ex["cpu_45nm"] and ed["gpu_h100"] == ex["gpu_h100"]
    mac_pj, sram_pj = 4.6, 12.5  # models/energy/cpu_45nm.toml (Horowitz 2014)
    ticks = 1200
    expect = ticks * (640 * (mac_pj + 4 * sram_pj) + 10 * 16 * sram_pj) * 1e-12
    assert ed["cpu_45nm"] == pytest.approx(expect, rel=1e-9)
    # The input spikes are the same on both backends, so the chips' synaptic-event energy agrees
    # (the output spikes differ by a few; 1 % is far wider than that).
    assert ex["truenorth"] == pytest.approx(ed["truenorth"], rel=0.01)
    if "reram_crossbar" in ex:
        assert "reram_crossbar" not in ed and ex["reram_crossbar"] < ex["cpu_45nm"]
