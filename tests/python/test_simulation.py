# SPDX-License-Identifier: MIT
# Running from Python: results as numpy arrays, runs in steps, HDF5 output read back, Ctrl-C, the GIL.
import os
import signal
import threading
import time

import h5py
import numpy as np
import pytest

import memspike
from conftest import BRUNEL, brunel_in_python, small_brunel


def test_dtypes_and_shapes(brunel):
    sim = memspike.Simulation(brunel, threads=1)
    assert sim.run() is True
    assert sim.now == 2000 and sim.time_ms == pytest.approx(200.0)
    ids, times_ms = sim.spikes("E")
    assert ids.dtype == np.uint32 and times_ms.dtype == np.float64
    assert ids.ndim == times_ms.ndim == 1 and ids.shape == times_ms.shape and ids.size > 1000
    assert ids.max() < 1000 and times_ms.min() >= 0 and times_ms.max() < 200.0
    assert np.all(np.diff(times_ms) >= 0)
    ids2, ticks = sim.spike_ticks("E")
    assert ticks.dtype == np.int64
    np.testing.assert_array_equal(ids, ids2)
    np.testing.assert_allclose(times_ms, ticks * 0.1)

    tr = sim.traces("E", "v")
    ticks, values = tr  # a 2-tuple
    assert ticks.dtype == np.int64 and values.dtype == np.float64
    assert values.shape == (2000, 5) and ticks.shape == (2000,)
    np.testing.assert_array_equal(ticks, np.arange(2000))
    np.testing.assert_array_equal(tr.neurons, np.arange(5, dtype=np.uint64))
    assert tr.unit == "mV" and tr.interval_ticks == 1
    assert np.all(values < 20.0 + 1e-9)

    v = sim.state("E", "v")
    assert v.dtype == np.float64 and v.shape == (1000,)
    assert sim.state("E", "v", 3) == v[3]
    assert sim.counters["spikes"] == sum(sim.spikes(p)[0].size for p in ("E", "I"))
    with pytest.raises(memspike.UnknownModel, match="known: E, I"):
        sim.spikes("X")
    with pytest.raises(memspike.UnknownModel, match="E/v"):
        sim.traces("I", "v")
    with pytest.raises(memspike.UnknownParameter):
        sim.state("E", "w", 0)
    with pytest.raises(memspike.InvalidParameter, match="neuron"):
        sim.state("E", "v", 1000)
    assert "1250 neurons" in repr(sim) and "200 ms of 200 ms" in repr(sim)


def test_runs_in_steps_equal_one_run(brunel):
    whole = memspike.Simulation(brunel, threads=1)
    whole.run()
    steps = memspike.Simulation(brunel, threads=2)
    assert steps.run("50 ms") is True and steps.now == 500
    assert steps.run("50 ms") is True and steps.now == 1000
    assert steps.run() is True and steps.now == 2000  # default: up to the scenario's duration
    assert steps.run() is True and steps.now == 2000  # already there: nothing to do
    assert whole.result() == steps.result()
    with pytest.raises(memspike.InvalidParameter, match="whole number of ticks"):
        steps.run("0.05 ms")
    with pytest.raises(memspike.InvalidParameter, match="duration"):
        steps.run("-1 ms")
    with pytest.raises(memspike.InvalidParameter, match="duration"):
        steps.run("1 mV")
    with pytest.raises(TypeError):
        steps.run([1])


def test_output_file_equals_memory(tmp_path, brunel):
    out = tmp_path / "run.h5"
    sim = memspike.Simulation(brunel, threads=1)
    calls = []
    assert sim.run(output=out, progress=lambda done, total: calls.append((done, total))) is True
    assert calls and calls[-1] == (pytest.approx(200.0), pytest.approx(200.0))
    loaded = memspike.load(out)
    mem = sim.result()
    assert loaded == mem
    assert loaded.complete and mem.complete
    assert loaded.attrs["schema_version"] == 1
    for key in ("seed", "resolution_ms", "threads", "scenario", "scenario_file"):
        assert loaded.attrs[key] == mem.attrs[key], key
    assert "--set" in loaded.attrs["command_line"]
    ids, t = loaded.spikes("I")
    assert ids.dtype == np.uint32 and t.dtype == np.float64
    assert loaded.traces("E", "v")[1].shape == (2000, 5)
    assert "complete" in repr(loaded) and str(out) in repr(loaded)
    with pytest.raises(memspike.IOError):
        sim.run("1 ms", output=tmp_path / "no" / "such" / "dir.h5")

    # Each output file holds the call that wrote it; memory holds everything.
    sim.run("10 ms")
    assert sim.run("20 ms", output=tmp_path / "b.h5") is True
    b = memspike.load(tmp_path / "b.h5")
    assert b.complete and b.attrs["duration_ms"] == pytest.approx(20.0)
    assert b.attrs["ticks_simulated"] == sim.now == 2300
    ticks = b.spike_ticks("E")[1]
    assert ticks.size > 0 and ticks.min() >= 2100 and ticks.max() < 2300
    np.testing.assert_array_equal(b.traces("E", "v").ticks, np.arange(2100, 2300))
    ids_all, ticks_all = sim.spike_ticks("E")
    np.testing.assert_array_equal(ticks_all[ticks_all >= 2100], ticks)


def test_ctrl_c_stops_promptly_and_run_continues(tmp_path):
    sc = small_brunel(**{"simulation.duration": "100 s"})  # ~20 s of wall time if not stopped
    sim = memspike.Simulation(sc, threads=1)
    out = tmp_path / "interrupted.h5"
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sim.run(output=out)
    elapsed = time.monotonic() - t0
    timer.join()
    assert elapsed < 3.0
    now = sim.now
    assert isinstance(now, int) and 0 < now < 1_000_000
    assert sim.time_ms == pytest.approx(now * 0.1)
    # Spikes and samples up to the tick reached, nothing beyond.
    assert sim.spike_ticks("E")[1].max() < now
    assert sim.traces("E", "v").ticks[-1] == now - 1
    assert not sim.result().complete
    f = memspike.load(out)
    assert not f.complete and f.attrs["ticks_simulated"] == now
    assert f == sim.result()
    # A later run continues from there, by exactly the requested time.
    assert sim.run("50 ms") is True
    assert sim.now == now + 500
    assert sim.result().complete


def test_run_releases_the_gil():
    sc = small_brunel(**{"simulation.duration": "3 s"})
    sim = memspike.Simulation(sc, threads=1)
    counter = 0
    stop = threading.Event()

    def spin():
        nonlocal counter
        while not stop.is_set():
            counter += 1

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        while counter == 0:  # the spinning thread is running (an observable condition, not a fixed sleep)
            time.sleep(0.001)
        before = counter
        t0 = time.monotonic()
        sim.run()
        wall = time.monotonic() - t0
        during = counter - before
    finally:
        stop.set()
        thread.join()
    assert wall > 0.1, "the run was too short to tell"
    assert during > 10_000, f"the other thread counted only {during} in {wall:.2f} s"


def test_results_do_not_depend_on_threads(brunel):
    one = memspike.Simulation(brunel, threads=1)
    two = memspike.Simulation(brunel, threads=2)
    one.run()
    two.run()
    assert two.threads == 2
    assert one.result() == two.result()


def test_progress_errors_stop_the_run_and_reading_while_running_is_refused(brunel):
    sim = memspike.Simulation(brunel, threads=1)
    with pytest.raises(RuntimeError, match="running"):
        sim.run(progress=lambda done_ms, total_ms: sim.spikes("E"))
    now = sim.now
    assert sim.spikes("E")[0].size >= 0  # readable again
    with pytest.raises(ZeroDivisionError):
        sim.run(progress=lambda done_ms, total_ms: 1 / 0)
    assert sim.now >= now
    assert sim.run() is True and sim.now == 2000


def test_checkpoint_continues_identically(tmp_path):
    """run 1 s; save; run 1 s  ==  load; run 1 s (identical spikes)."""
    import memspike as ms
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    sc = ms.load_scenario(str(root / "examples" / "brunel.toml"),
                          overrides={"simulation.scale": 0.1, "simulation.duration": "2 s"})
    a = ms.Simulation(sc, threads=2)
    a.run("1 s")
    a.save_state(str(tmp_path / "state.bin"))
    a.run("1 s")
    b = ms.Simulation(sc, threads=1)
    b.load_state(str(tmp_path / "state.bin"))
    assert b.now == 10000
    b.run("1 s")
    for pop in ("E", "I"):
        ids_a, t_a = a.spike_ticks(pop)
        ids_b, t_b = b.spike_ticks(pop)
        late = t_a >= 10000
        assert late.sum() > 0
        assert (ids_a[late] == ids_b).all() and (t_a[late] == t_b).all()
    other = ms.Simulation(ms.load_scenario(str(root / "examples" / "brunel.toml"),
                                           overrides={"simulation.scale": 0.1, "simulation.seed": 1}))
    import pytest
    with pytest.raises(ms.IOError, match="another scenario"):
        other.load_state(str(tmp_path / "state.bin"))


def test_spikes_frame_with_pandas():
    pd = __import__("pytest").importorskip("pandas")
    import memspike as ms
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    sim = ms.Simulation(ms.load_scenario(str(root / "examples" / "single_neuron.toml")))
    sim.run()
    df = sim.result().spikes_frame()
    ids, times = sim.spikes("n")
    assert isinstance(df, pd.DataFrame) and len(df) == ids.size > 0
    assert list(df.columns) == ["population", "neuron", "tick", "time_ms"]
    assert (df["time_ms"].to_numpy() == times).all()


def test_energy_from_python():
    import memspike as ms
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    sim = ms.Simulation(ms.load_scenario(str(root / "examples" / "brunel.toml"),
                                         overrides={"simulation.scale": 0.1, "simulation.duration": "100 ms"}))
    sim.run()
    ev = sim.events
    assert ev["synaptic_events"] > 0 and ev["spikes"] == sim.counters["spikes"]
    tn = sim.energy("truenorth")
    assert abs(tn["total_j"] - 26e-12 * (ev["synaptic_events"] + ev["stimulus_events"])) < 1e-9 * tn["total_j"]
    cpu = sim.energy("cpu_45nm")
    assert cpu["memory_j"] > 0 and cpu["lines"][0]["category"] == "mac"
    import pytest
    with pytest.raises(ms.Error, match="loihi"):
        sim.energy("no_such_chip")


def test_energy_of_a_loaded_file_equals_the_live_run(tmp_path):
    # Brunel at scale 0.1 for 100 ms, run once with an output file: the ledger read back from /energy
    # must price exactly like the live simulation (same counts, same profile, same ticks), for every
    # shipped model. Equality is exact: both sides run the same C++ estimate on the same integers.
    sim = memspike.Simulation(small_brunel(**{"simulation.duration": "100 ms", "recording.energy_bin": "10 ms"}), threads=1)
    out = tmp_path / "run.h5"
    sim.run(output=out)
    loaded = memspike.load(out)
    assert loaded.events == sim.events == sim.result().events
    assert loaded.ledger == sim.ledger
    names = memspike.energy_models("digital")
    assert {"loihi", "truenorth", "cpu_45nm", "gpu_h100"} <= set(names)
    for m in names:
        assert loaded.energy(m) == sim.energy(m), m
    if "reram_crossbar" in memspike.energy_models():  # prices crossbar counts only: refused here, as by `report`
        assert "reram_crossbar" not in names
        for obj in (sim, loaded):
            with pytest.raises(memspike.Error, match="crossbar"):
                obj.energy("reram_crossbar")
    # Like `memspike run`, run(output=) prices the run into /energy/models: every model that applies.
    with h5py.File(out, "r") as f:
        assert set(f["energy/models"]) == set(names)
        for m in names:
            assert f["energy/models"][m].attrs["total_j"] == pytest.approx(sim.energy(m)["total_j"], rel=1e-12), m
    # The C++ reader behind `memspike report` sums the same bins.
    report = memspike._memspike.read_energy_ledger(str(out))
    assert report["totals"] == sim.events and report["ticks"] == sim.now == loaded.ledger.simulated_ticks
    # Per bin, independently: the spikes column counts the recorded spikes whose tick lies in the bin.
    ledger = loaded.ledger
    assert ledger.bin_ticks == 100 and list(ledger.ticks) == list(range(100, 1001, 100))
    ticks = np.concatenate([loaded.spike_ticks(p)[1] for p in loaded.populations])
    per_bin, _ = np.histogram(ticks, bins=np.concatenate([[0], ledger.ticks]))
    assert list(ledger.counts[:, ledger.categories.index("spikes")]) == list(per_bin)
    assert (ledger.neurons, ledger.synapses) == (sim.neuron_count, sim.synapse_count)


def test_ledger_in_steps_sweeps_and_per_inference(tmp_path):
    over = {"simulation.duration": "60 ms", "recording.inference": "20 ms"}
    once = memspike.Simulation(small_brunel(**over), threads=1)
    once.run()
    steps = memspike.Simulation(small_brunel(**over), threads=1)
    steps.run("35 ms")  # stops inside a bin: the partial bin ends at 35 ms and the next one at 40 ms
    steps.run()
    assert list(steps.ledger.ticks) == [100, 200, 300, 350, 400, 500, 600]
    assert steps.ledger.totals == steps.events == once.events
    e = once.energy("truenorth")
    # 60 ms simulated, 20 ms per inference: three inferences.
    assert e["simulated_ms"] == 60.0 and e["inference_ms"] == 20.0
    assert abs(e["per_inference_j"] - e["total_j"] / 3) <= 1e-15 * e["total_j"]
    # A sweep point's result carries its ledger too, equal to running that point alone.
    point = memspike.sweep(small_brunel(**over), {"simulation.seed": [12345]}, threads=1)[0]
    assert point.events == once.events and point.energy("loihi") == once.energy("loihi")
    # Without a ledger, asking for it says why; events and energy of the live run still work.
    off = memspike.Simulation(small_brunel(**{"simulation.duration": "10 ms", "recording.energy_bin": "0 ms"}), threads=1)
    off.run(output=tmp_path / "off.h5")
    assert off.events["spikes"] >= 0
    for obj in (off, memspike.load(tmp_path / "off.h5")):
        with pytest.raises(memspike.Error, match="energy_bin"):
            obj.ledger


def test_crossbar_energy_of_a_loaded_file_equals_the_live_run(tmp_path):
    # The same on the crossbar backend (a short run of the small Brunel network): the crossbar
    # counts and the backend travel through /energy, so every model that applies prices the file
    # exactly as the live run.
    sc = brunel_in_python(duration="20 ms").record(inference="5 ms").backend("crossbar")
    sim = memspike.Simulation(sc, threads=1)
    sim.run(output=tmp_path / "xbar.h5")
    loaded = memspike.load(tmp_path / "xbar.h5")
    assert loaded.attrs["backend"] == "crossbar" and loaded.ledger.backend == "crossbar"
    assert loaded.events == sim.events and sim.events["crossbar_adc_conversions"] > 0
    names = memspike.energy_models("crossbar")
    for m in names:
        assert loaded.energy(m) == sim.energy(m), m
    if "reram_crossbar" in names:
        e = loaded.energy("reram_crossbar")
        assert e["backend"] == "crossbar" and e["per_inference_j"] == pytest.approx(e["total_j"] / 4, rel=1e-12)


def test_output_file_gets_the_weight_snapshots(tmp_path):
    # [[recording.weights]] reaches a file written from Python (through the memory + HDF5 fan-out):
    # the last snapshot is the final weights, and the counters are those of the simulation.
    h5py = pytest.importorskip("h5py")
    sc = memspike.load_scenario(str(BRUNEL.parent / "stdp_song.toml"), {"simulation.duration": "1 s"})
    sim = memspike.Simulation(sc, threads=1)
    sim.run(output=tmp_path / "song.h5")
    with h5py.File(tmp_path / "song.h5") as f:
        g = f["weights/plastic"]
        assert np.array_equal(g["values"][-1], sim.weights("plastic")["weights"])
        assert int(g.attrs["weight_updates"]) == sim.plasticity("plastic")["weight_updates"] > 0


def test_energy_report_arrays_and_frames_match_energy():
    """energy_report / energy_frame hold the same itemised lines and totals as Simulation.energy,
    for the live run and its Ledger frame sums to the events."""
    import pandas as pd
    sc = memspike.load_scenario(str(BRUNEL),
                                {"simulation.scale": 0.05, "simulation.duration": "50 ms"})
    sim = memspike.Simulation(sc, threads=1)
    sim.run()
    rep = memspike.energy_report(sim)
    assert set(rep["model"]) == {"cpu_45nm", "gpu_h100", "gpu_h100_csr", "loihi", "truenorth",
                                 "cpu_event_driven", "gpu_event_driven"}  # no reram: digital run
    for name in set(rep["model"]):
        e = sim.energy(name)
        rows = rep["model"] == name
        assert rep["total_j"][rows].sum() == pytest.approx(e["total_j"] - e["idle_j"], rel=1e-12)
        assert np.all(rep["model_total_j"][rows] == e["total_j"])
        assert list(rep["category"][rows]) == [line["category"] for line in e["lines"]]
    frame = memspike.energy_frame(sim)
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(rep["model"])
    ledger = sim.ledger.frame()
    assert ledger.index.name == "time_ms" and list(ledger.columns) == sim.ledger.categories
    assert {c: int(ledger[c].sum()) for c in ledger.columns} == sim.events


def test_damaged_ledgers_are_refused_with_the_file_and_the_fault(tmp_path):
    # The energy ledger reader (C++, used by `memspike report` and Result.energy) on files whose
    # /energy was damaged after a good run: each fault is named with the file, nothing crashes or
    # reads past a buffer (a counts dataset of rank 3 or a ticks dataset of another length used to
    # be read with the other dataset's sizes).
    good = tmp_path / "good.h5"
    memspike.Simulation(small_brunel(**{"simulation.duration": "20 ms"}), threads=1).run(output=good)
    assert memspike._memspike.read_energy_ledger(str(good))["ticks"] == 200

    def damaged(name, change):
        path = tmp_path / name
        path.write_bytes(good.read_bytes())
        with h5py.File(path, "r+") as f:
            change(f["energy"])
        return str(path)

    def replace(name, data):
        def change(g):
            del g[name]
            g[name] = data
        return change

    def categories(text):
        def change(g):
            g.attrs["categories"] = text
        return change

    with h5py.File(good, "r") as f:
        counts = f["energy/counts"][()]
    cases = {
        "rank3.h5": (replace("counts", counts.reshape(counts.shape + (1,))), "must be a 2-D dataset"),
        "columns.h5": (replace("counts", counts[:, :-1]), "columns, expected"),
        "ticks.h5": (replace("ticks", np.arange(counts.shape[0] + 3, dtype=np.int64)), "one row per row"),
        "order.h5": (categories("synaptic_events,spikes"), "must start with the engine's"),
    }
    for name, (change, fault) in cases.items():
        path = damaged(name, change)
        with pytest.raises(memspike.IOError, match=fault) as err:
            memspike._memspike.read_energy_ledger(path)
        assert path in str(err.value), name
    no_energy = damaged("none.h5", lambda g: None)
    with h5py.File(no_energy, "r+") as f:
        del f["energy"]
    with pytest.raises(memspike.IOError, match="no /energy group"):
        memspike._memspike.read_energy_ledger(no_energy)


def test_thread_counts_from_python_obey_the_scenario_rule():
    # Issue 11, defect 4: Simulation(sc, threads=65537) used to crash at teardown.
    with pytest.raises(memspike.InvalidParameter, match="65536"):
        memspike.Simulation(small_brunel(**{"simulation.duration": "1 ms"}), threads=65537)
    with pytest.raises(memspike.InvalidParameter, match="65536"):
        memspike.sweep(small_brunel(**{"simulation.duration": "1 ms"}), {"simulation.seed": [1]}, threads=65537)
