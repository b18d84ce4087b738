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
    if name == "energy_sweep":
        check_energy_sweep(printed, module["ETAS"])
    if name == "brunel_phase_diagram":
        # The AI state fires near the Siegert rate (~38 Hz); SR near saturation.
        ai = next(line for line in printed.splitlines() if line.startswith("AI"))
        rate = float(ai.split(":")[1].split("Hz")[0])
        assert 30.0 < rate < 46.0


def check_energy_sweep(printed, etas):
    """The dense baselines of examples/python/energy_sweep.py, derived by hand from the presets'
    cited figures: they do not depend on activity, so every row of each table must show them.
    2,500 neurons (2,000 E + 500 I), 10,000 ticks per simulated second. Dense: 2,500^2 = 6.25e6
    fp32 weights (25 MB, in SRAM for both presets), a MAC and 4 weight bytes each per tick, and
    8 B of state read and written per neuron and tick. CSR: A has 2,500 x 1,250 synapses, B
    2,500^2 - 2,500 (no autapses), each 4 B weight + 4 B index, and 2,501 row pointers of 4 B."""
    mac = {"cpu_45nm": 4.6, "gpu_h100": 1.4}      # pJ: Horowitz 2014; H100 700 W / 989 TFLOPS x 2
    sram = {"cpu_45nm": 12.5, "gpu_h100": 1.25}   # pJ per byte
    state = 2500 * 16
    want = {m: 1e4 * (6.25e6 * (mac[m] + 4 * sram[m]) + state * sram[m]) * 1e-12 for m in mac}  # J/s
    csr = {t: 1e4 * (s * 1.4 + (s * 8 + 2501 * 4) * 1.25 + state * 1.25) * 1e-12
           for t, s in (("A", 2500 * 1250), ("B", 2500**2 - 2500))}
    lines = printed.splitlines()
    tables = [i for i, line in enumerate(lines) if line.startswith(("A:", "B:"))]
    assert len(tables) == 2
    for start in tables:
        which = lines[start][0]
        header = lines[start + 1].split()
        col = {m: header.index(m) - 1 for m in ("loihi", "truenorth", "cpu_45nm", "gpu_h100", "gpu_h100_csr",
                                                 "cpu_event_driven", "gpu_event_driven")}  # after "rate [Hz]"
        rows = [list(map(float, line.split())) for line in lines[start + 2:start + 9]]
        assert len(rows) == 7  # one per drive
        for r in rows:
            # printed with 4 significant digits
            assert r[col["cpu_45nm"]] == pytest.approx(want["cpu_45nm"], rel=1e-3)
            assert r[col["gpu_h100"]] == pytest.approx(want["gpu_h100"], rel=1e-3)
            assert r[col["gpu_h100_csr"]] == pytest.approx(csr[which], rel=1e-3)
        # TrueNorth prices 26 pJ per synaptic event and per input event: the drive is eta x 10 kHz
        # of Poisson events into each neuron, and each spike reaches its out-degree (1,250 in A,
        # 2,499 in B) of targets. The rate is printed to 0.01 Hz, hence the absolute slack; the
        # spikes of the last 1.5 ms (the delay) are counted but not yet delivered, which in the
        # synchronous states at high drive makes up to 1.6 % (measured), hence 3 %.
        k = 1250 if which == "A" else 2499
        for eta, r in zip(etas, rows):
            want_tn = 26e-12 * 2500 * (eta * 1e4 + r[0] * k)
            assert r[col["truenorth"]] == pytest.approx(want_tn, rel=0.03, abs=2e-6)
        # The event-driven baselines at the lowest drive (~0.01 Hz), in expectation, derived by hand
        # (tests/python/test_energy_baselines.py: floor_j); they grow with activity.
        from test_energy_baselines import floor_j
        for m in ("cpu_event_driven", "gpu_event_driven"):
            assert rows[0][col[m]] == pytest.approx(floor_j(etas[0])[f"{m} {which}"], rel=0.03), m
            assert rows[-1][col[m]] > rows[0][col[m]]
        # Loihi's energy grows with activity: more spikes, more synaptic events.
        rates = [r[0] for r in rows]
        loihi = [r[col["loihi"]] for r in rows]
        assert rates == sorted(rates) and loihi == sorted(loihi) and rates[-1] > 2 * rates[0]
        # Latency per tick (the figure's lower panels): the event-driven GPU is launch-bound, two
        # kernel launches of 5 us per tick (gpu_event_driven.toml) plus HBM time, which at these
        # byte counts is below 0.2 us; the chips' critical path grows with activity.
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(("A:", "B:", "wrote")))
        latency = {line.split(",")[1].split(":")[0].strip(): [float(x) for x in line.split(":")[1].split(",")]
                   for line in lines[start:end] if line.startswith("  latency per tick [us],")}
        assert set(latency) == {"loihi", "loihi_sanafe", "cpu_event_driven", "gpu_event_driven", "reram_isaac (crossbar backend)"}
        for v in latency["gpu_event_driven"]:
            assert 10.0 <= v < 10.2
        for chip in ("loihi", "loihi_sanafe", "reram_isaac (crossbar backend)"):
            assert latency[chip] == sorted(latency[chip]), chip


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


def test_nir_digits_quick(capsys):
    # examples/nir_digits.py --quick: a numpy-trained network written as NIR with h5py, imported and
    # run on both backends. A wrong weight, bias, time constant or read-out mapping in the NIR
    # import drops the spiking accuracy toward chance (0.1); the network itself scores > 0.9.
    pytest.importorskip("sklearn")  # Debian: python3-sklearn (scripts/bootstrap.sh installs it)
    r = runpy.run_path(str(ROOT / "examples" / "nir_digits.py"))["main"](quick=True)
    assert "via NIR" in capsys.readouterr().out
    assert r["ann"] > 0.9
    assert r["digital"] > 0.85 and r["digital"] > r["ann"] - 0.1
    # The crossbar at its defaults (8-bit ADC, read noise, IR drop) stays near the digital result.
    assert abs(r["crossbar"] - r["digital"]) <= 0.05
    ed, ex = r["energy"]["digital"], r["energy"]["crossbar"]
    # The same network for the same time: the clock-driven baselines do not depend on the backend.
    assert ed["cpu_45nm"] == ex["cpu_45nm"] > 0 and ed["gpu_h100"] == ex["gpu_h100"] > 0
    assert "reram_crossbar" in ex and "reram_crossbar" not in ed
    assert ex["truenorth"] == pytest.approx(ed["truenorth"], rel=0.02)
