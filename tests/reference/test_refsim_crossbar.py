# SPDX-License-Identifier: MIT
"""memspike's crossbar backend against the reference's own crossbar read (docs/crossbar.md,
docs/crossbar-ir-drop.md), deterministic non-idealities only (no read noise, no device
variation): conductance levels, the ADC (signed difference or per polarity, clipping), the
first-order IR drop; natural order, tiles small enough that the network spans several."""
import numpy as np
import pytest

import networks
from harness import compare

BACKEND = """
[backend]
kind = "crossbar"
reorder = false
tile_rows = 5
tile_cols = 4
sigma_read = 0.0
{more}
"""

IDEAL = {"levels": "inf", "adc_bits": "inf", "r_wire": '"0 Ohm"'}
CASES = {
    "ideal": {},
    "levels": {"levels": "6"},
    # Coarse, and clipping: one fully-on pair reads 9,524 nS x 0.2 V = 1.9 uA.
    "adc": {"adc_bits": "5", "adc_range": '"1.5 uA"'},
    "adc_per_polarity": {"adc_bits": "6", "adc_range": '"1.8 uA"', "adc_per_polarity": "true"},
    "ir_drop": {"r_wire": '"400 Ohm"'},
    "everything": {"levels": "12", "adc_bits": "6", "adc_range": '"1.8 uA"', "r_wire": '"200 Ohm"'},
}
CLIPS = {"adc", "adc_per_polarity", "everything"}


@pytest.mark.parametrize("case", list(CASES))
def test_crossbar_deterministic_non_idealities(tmp_path, case):
    # Catches: a level grid or write-verify rounding off, the weight scale s, an ADC that clips or
    # rounds differently (e.g. negative columns to 0, per-polarity as a sum), IR drop with a wrong
    # sign or wire count, a tile's used columns or rows mapped differently.
    settings = {**IDEAL, **CASES[case]}
    more = "\n".join(f"{k} = {v}" for k, v in settings.items())
    extra = BACKEND.format(more=more) + '\n[recording]\nspikes = "all"\n[[recording.weights]]\nprojection = "in_v"\n'
    path = networks.neuron_network(tmp_path, "lif_delta", extra=extra, duration_ms=200.0)
    ref, got = compare(path)
    # The initial programming: the weights the devices hold, synapse by synapse.
    rs, rt, rd, rw = ref["weights"]["in_v"]
    gs, gt, gd, gv = got["weights"]["in_v"]
    key = lambda s, t, d: {(a, b, c): k for k, (a, b, c) in enumerate(zip(s.tolist(), t.tolist(), d.tolist()))}
    rk, gk = key(rs, rt, rd), key(gs, gt, gd)
    assert rk.keys() == gk.keys()
    held_ref = np.array([rw[rk[k]] for k in sorted(rk)])
    held_got = np.array([gv[0][gk[k]] for k in sorted(gk)])
    np.testing.assert_allclose(held_got, held_ref, rtol=1e-6, atol=1e-9)
    assert len(ref["spikes"]["N"][0]) > 20
    # The ADC cases must reach full scale somewhere, or clipping would go untested.
    assert (got["energy"]["crossbar_adc_clipped"] > 0) == (case in CLIPS), got["energy"]["crossbar_adc_clipped"]
