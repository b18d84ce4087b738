#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The communication model of docs/mpi.md: memspike's spike exchange (an allgather of every spike
once per minimum delay) projected to many ranks, strong and weak scaling.

    scripts/mpi_model.py [--c-spike NS] [--alpha US] [--beta-gbs GBS]

Per simulated second and rank, with N neurons, mean rate nu, in-degree K, minimum delay d_min and
R ranks (T = time per simulated second):
    exchanges        X = 1 / d_min                    (idle intervals skipped: fewer)
    bytes per exch.  M = 8 N nu d_min + 16 R          (every rank receives every spike)
    T_comm = X (alpha ceil(log2 R) + beta M (R - 1) / R)    Hockney model of MPI_Allgatherv
    T_recv = c_spike N nu                              every rank sorts and files every spike
    T_comp = c_syn N K nu / R                          synaptic events (and neuron updates) divided
    memory per rank  = 8 N (source delay offsets, every rank) + bytes per synapse N K / R
c_syn (per network: all run CPU time divided by synaptic events) and c_spike are fitted from this
machine's runs (docs/benchmarks.md, issue 17); alpha and beta are not measurable here (2 ranks
share one loaded host) and are assumptions, stated as such.
"""
import argparse
import math

NETWORKS = {
    # name: (neurons, in-degree, mean rate [Hz], d_min [ms], c_syn [CPU ns per synaptic event]).
    # Brunel: examples/brunel.toml, 38.6 Hz, 1.5 ms delays; 1.74 CPU s for 300.6 M events.
    # PD14: 298.9 M synapses / 77,169 neurons, 4.4 Hz mean, delays drawn and rounded to 0.1 ms;
    # c_syn from scale 0.25 (3.21 CPU s for 100.7 M events, Poisson drive and grid updates included).
    "brunel": (12_500, 1_250, 38.6, 1.5, 5.8),
    "pd14": (77_169, 3_873, 4.4, 0.1, 31.9),
}


def project(n, k, nu, dmin_ms, c_syn, r, a):
    x = 1000.0 / dmin_ms
    m = 8.0 * n * nu * dmin_ms / 1000.0 + 16.0 * r
    t_comm = x * (a.alpha * 1e-6 * math.ceil(math.log2(r)) + m * (r - 1) / r / (a.beta_gbs * 1e9)) if r > 1 else 0.0
    t_recv = a.c_spike * 1e-9 * n * nu if r > 1 else 0.0
    t_comp = c_syn * 1e-9 * n * k * nu / r
    mem = 8.0 * n + a.bytes_per_synapse * n * k / r
    return m, t_comp, t_recv, t_comm, mem


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--c-spike", type=float, default=330.0, help="CPU ns to receive and file one spike (fitted bound)")
    ap.add_argument("--alpha", type=float, default=2.0, help="latency per allgather step [us] (assumed)")
    ap.add_argument("--beta-gbs", type=float, default=10.0, help="bandwidth per rank [GB/s] (assumed)")
    ap.add_argument("--bytes-per-synapse", type=float, default=4.0)
    a = ap.parse_args()
    print(f"c_spike {a.c_spike} ns, alpha {a.alpha} us, beta 1/({a.beta_gbs} GB/s)")
    for name, (n, k, nu, dmin, c_syn) in NETWORKS.items():
        print(f"\n{name}: N {n}, K {k}, nu {nu} Hz, d_min {dmin} ms: time per simulated second [s] by ranks")
        print("  scaling  ranks        N   M [kB]    comp    recv    comm   total   comm+recv share   mem/rank [GiB]")
        for kind in ("strong", "weak"):
            for r in (1, 2, 8, 64, 128, 256, 1024):
                nn = n * r if kind == "weak" else n
                m, c, rv, cm, mem = project(nn, k, nu, dmin, c_syn, r, a)
                total = c + rv + cm
                print(f"  {kind:7} {r:6} {nn:9} {m / 1e3:8.1f} {c:7.3f} {rv:7.3f} {cm:7.3f} {total:7.3f} "
                      f"{(rv + cm) / total:17.0%} {mem / 2**30:16.2f}")


if __name__ == "__main__":
    main()
