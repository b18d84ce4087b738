#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes one ring network in two formats, for comparing memspike's `loihi_sanafe` chip model with
SANA-FE (github SLAM-Lab/SANA-FE; build it outside the repository, /work/shared/PEERS.md):

    scripts/sanafe_ring.py G N STEPS [F]   ->  ring.yaml (SANA-FE) and ring.toml (memspike)
    sim -o OUT arch/loihi.yaml ring.yaml STEPS          # SANA-FE: OUT/run_summary.yaml
    memspike run ring.toml -o ring.h5 && memspike report ring.h5 --chips loihi_sanafe

G groups of N LIF neurons, group k mapped to core k (tile k // 4, core k % 4, SANA-FE's mapping;
memspike's greedy fill gives the same), group k feeding groups k+1 .. k+F one-to-one with zero
weights, and a drive of a quarter of the threshold per step (SANA-FE: bias 1, threshold 3.5, no
leak; memspike: 250 pA into 250 pF, tau_m 1e9 ms), so every neuron fires every 4th step whatever
the input. The results are in docs/chips.md ("Validation") and the test "chip validation:
loihi_sanafe against SANA-FE's own prediction" (tests/unit/core/test_chip_mapping.cpp)."""
import sys


def main(G, N, steps, F=1):
    with open("ring.yaml", "w") as f:
        f.write("network:\n  name: ring\n  groups:\n")
        for k in range(G):
            f.write(f"    - name: g{k}\n      attributes: [soma: {{threshold: 3.5, bias: 1.0, reset: 0.0, leak_decay: 1.0}}]\n"
                    f"      neurons:\n        - 0..{N - 1}: []\n")
        f.write("  edges:\n")
        pairs = "[" + ", ".join(f"[{i}, {i}]" for i in range(N)) + "]"
        weights = "[" + ", ".join("0.0" for _ in range(N)) + "]"
        for k in range(G):
            for d in range(1, F + 1):
                f.write(f"    - g{k} -> g{(k + d) % G}: [type: sparse, source_target_pairs: {pairs}, weight: {weights}]\n")
        f.write("mappings:\n")
        for k in range(G):
            f.write(f"  - g{k}: [core: {k // 4}.{k % 4}, synapse: loihi_sparse_synapse, soma: loihi_lif]\n")
    with open("ring.toml", "w") as f:
        f.write(f'[simulation]\nduration = "{steps} ms"\nresolution = "1 ms"\nseed = 1\n')
        for k in range(G):
            f.write(f'[[population]]\nname = "g{k}"\nmodel = "lif_delta"\nsize = {N}\n'
                    'params = { tau_m = "1e9 ms", c_m = "250 pF", e_l = "0 mV", v_th = "3.5 mV", v_reset = "0 mV", t_ref = "0 ms" }\n'
                    'init = { v = "0 mV" }\n')
        for k in range(G):
            for d in range(1, F + 1):
                f.write(f'[[projection]]\nsource = "g{k}"\ntarget = "g{(k + d) % G}"\nrule = "one_to_one"\nweight = "0 mV"\ndelay = "1 ms"\n')
        for k in range(G):
            f.write(f'[[stimulus]]\nkind = "dc"\ntarget = "g{k}"\namplitude = "250 pA"\n')
        f.write('[recording]\nspikes = "all"\n')


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*(int(a) for a in sys.argv[1:]))
