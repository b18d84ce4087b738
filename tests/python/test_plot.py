# SPDX-License-Identifier: MIT
# Plots render headless (Agg) to PNG.
import pytest

import memspike

from conftest import EXAMPLES


def test_raster_and_rate_to_png(tmp_path, brunel):
    sim = memspike.Simulation(brunel, threads=1)
    sim.run("100 ms")
    result = sim.result()
    ax = memspike.plot.raster(result)
    assert ax.get_xlabel() == "time [ms]"
    ax.figure.savefig(tmp_path / "raster.png")
    ax = memspike.plot.rate(result, bin_ms=5)
    ax.figure.savefig(tmp_path / "rate.png")
    ax = memspike.plot.raster(sim, populations=["I"])  # a Simulation works too
    for name in ("raster.png", "rate.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_weight_histogram_png(tmp_path):
    import memspike
    from memspike import plot
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    sim = memspike.Simulation(memspike.load_scenario(str(root / "examples" / "stdp_song.toml"),
                                                     overrides={"simulation.duration": "1 s"}))
    before = sim.weights("plastic")
    sim.run()
    ax = plot.weights(before, "plastic", label="start")
    plot.weights(sim, "plastic", ax=ax, label="after 1 s")
    out = tmp_path / "w.png"
    ax.figure.savefig(out)
    assert out.stat().st_size > 5000


def test_energy_breakdown_bars_are_the_energy_numbers(tmp_path, brunel):
    # One bar per model, one BarContainer per category: the segments of a model's bar must be its
    # itemised lines of sim.energy(model) per simulated second, and they must add up to total_j per
    # second (float sums of a handful of terms: 1e-12 relative).
    sim = memspike.Simulation(brunel, threads=1)
    sim.run("100 ms")
    models = ["loihi", "truenorth", "cpu_45nm", "gpu_h100"]
    ax = memspike.plot.energy(sim, models=models)
    assert ax.get_yscale() == "log"
    order = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    assert order == models  # event models first, then the dense baselines
    heights = {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}
    for i, m in enumerate(models):
        e = sim.energy(m)
        per_s = 1.0 / (e["simulated_ms"] * 1e-3)
        assert sum(h[i] for h in heights.values()) == pytest.approx(e["total_j"] * per_s, rel=1e-12)
        for line in e["lines"]:
            if line["total_j"] > 0:
                assert heights[line["category"]][i] == pytest.approx(line["total_j"] * per_s, rel=1e-12)
    texts = [t.get_text() for t in ax.texts]
    ratio = sim.energy("cpu_45nm")["total_j"] / sim.energy("loihi")["total_j"]
    assert ratio > 100 and any(f"1/{ratio:,.0f} of cpu_45nm" in t for t in texts)
    ax.figure.savefig(tmp_path / "energy.png")
    assert (tmp_path / "energy.png").read_bytes()[:4] == b"\x89PNG"


def test_energy_plot_of_a_loaded_file(tmp_path, brunel):
    sim = memspike.Simulation(brunel, threads=1)
    sim.run("50 ms", output=tmp_path / "r.h5")
    live = memspike.plot.energy(sim)
    loaded = memspike.plot.energy(memspike.load(tmp_path / "r.h5"))
    assert [[p.get_height() for p in c.patches] for c in live.containers] == \
           [[p.get_height() for p in c.patches] for c in loaded.containers]
    with pytest.raises(ValueError, match="inference"):
        memspike.plot.energy(sim, per="inference")


def test_energy_plot_with_chips_shows_dynamic_static_and_latency(tmp_path):
    # The bug this catches: chip bars that are not chip_report's numbers (static left out, the
    # wrong time base) or a latency annotation that is not the chip's. TrueNorth on one neuron is
    # mostly static power (34.9 mW x one 1 ms step per 0.1 ms tick); Loihi's is its measured
    # idle power (29.7 mW per chip, models/chips/loihi.toml) over its chip time.
    out = tmp_path / "single.h5"
    memspike.Simulation(memspike.load_scenario(EXAMPLES / "single_neuron.toml")).run(output=out)
    frame = memspike.chip_report(out, ["truenorth", "loihi"])
    ax = memspike.plot.energy(out, models=["loihi", "cpu_event_driven"], chips=["truenorth", "loihi", "reram_isaac"])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[:2] == ["truenorth\n(chip)", "loihi\n(chip)"] and labels[2:] == ["loihi\n(event)", "cpu_event_driven\n(event_driven)"]
    heights = {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}
    per_s = 1.0 / frame.loc["truenorth", "model_time_s"]
    for i, chip in enumerate(["truenorth", "loihi"]):
        assert heights["chip dynamic"][i] == pytest.approx(frame.loc[chip, "dynamic_j"] * per_s, rel=1e-12)
        assert heights["chip static"][i] == pytest.approx(frame.loc[chip, "static_j"] * per_s, rel=1e-12)
    assert heights["chip static"][0] > heights["chip dynamic"][0]
    loihi = frame.loc["loihi"]
    assert heights["chip static"][1] == pytest.approx(29.7e-3 * loihi["chips"] * loihi["chip_time_s"] * per_s, rel=1e-9)
    texts = [t.get_text() for t in ax.texts]
    assert any(f"{frame.loc['truenorth', 'tick_latency_us']:.3g} us/tick\n10x real time" in t for t in texts)
    assert "reram_isaac: it prices crossbar counts" in ax.get_xlabel()
    ax.figure.savefig(tmp_path / "chips.png")
    assert (tmp_path / "chips.png").read_bytes()[:4] == b"\x89PNG"
