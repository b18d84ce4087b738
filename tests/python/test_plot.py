# SPDX-License-Identifier: MIT
# Plots render headless (Agg) to PNG.
import memspike


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
