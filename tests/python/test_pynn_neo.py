# SPDX-License-Identifier: MIT
"""Result.to_neo(): any memspike result (in memory or a file) as a neo.Block laid out as PyNN's."""
import numpy as np

import memspike
from conftest import small_brunel


def test_to_neo_holds_every_spike_and_sample_of_a_result_file(tmp_path):
    sc = small_brunel(**{"simulation.duration": "50 ms"})
    sc.set("recording.trace", [{"population": "E", "variables": ["v"], "neurons": [3, 7], "interval": "0.5 ms"}])
    sim = memspike.Simulation(sc)
    out = tmp_path / "brunel.h5"
    sim.run(output=str(out))
    res = memspike.load(out)
    block = res.to_neo()
    seg = block.segments[0]
    assert block.annotations["seed"] == res.attrs["seed"] and block.annotations["resolution_ms"] == 0.1
    for pop in res.populations:
        trains = [st for st in seg.spiketrains if st.annotations["source_population"] == pop]
        assert len(trains) == res.sizes[pop]
        ids, times = res.spikes(pop)
        assert sum(len(st) for st in trains) == ids.size > 0
        for i in (0, 5, res.sizes[pop] - 1):
            st = trains[i]
            assert st.annotations["source_index"] == i
            np.testing.assert_allclose(np.asarray(st.magnitude), np.sort(times[ids == i]))
            assert float(st.t_stop.rescale("ms")) == 50.0
    sig = seg.filter(name="v")[0]
    tr = res.traces("E", "v")
    assert str(sig.units.dimensionality) == "mV" and sig.annotations["source_population"] == "E"
    np.testing.assert_array_equal(np.asarray(sig.magnitude), tr.values)
    assert list(sig.array_annotations["channel_index"]) == [3, 7]
    assert float(sig.sampling_period.rescale("ms")) == 0.5 and float(sig.t_start.rescale("ms")) == 0.0
    # the in-memory result converts to the same block
    live = sim.result().to_neo().segments[0]
    assert [len(s) for s in live.spiketrains] == [len(s) for s in seg.spiketrains]
