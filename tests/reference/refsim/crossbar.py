# SPDX-License-Identifier: MIT
"""The crossbar's read path for one static projection, from docs/crossbar.md and
docs/crossbar-ir-drop.md, deterministic parts only (levels, ADC, IR drop; no noise, drift,
device variation or faults, which need memspike's random streams).

Mapping (natural order, `reorder = false`): a row is a (source, delay) pair with synapses, in
ascending source then delay; a column is a target with synapses; both are numbered among the
used ones, and cut into tiles of tile_rows x tile_cols. Cells of used columns that hold no
synapse are the pair (g_min, g_min). A weight w is the pair G+ = g_min + max(w,0)/s,
G- = g_min + max(-w,0)/s with s = W / (g_max − g_min), W the projection's largest |w|, each
device programmed to the nearest of `levels` uniform levels in [g_min, g_max]."""
import math

import numpy as np


class CrossbarProjection:
    def __init__(self, be, src, tgt, w, d):
        self.g_min, self.g_max = be.get("g_min", 476.0), be.get("g_max", 10000.0)
        self.levels = be.get("levels", 32.0)
        self.adc_bits = be.get("adc_bits", 8.0)
        self.adc_range = be.get("adc_range", 8e6)   # pA
        self.v_read = be.get("v_read", 200.0)        # mV
        self.r_wire = be.get("r_wire", 2e-6)         # MOhm
        self.per_polarity = bool(be.get("adc_per_polarity", False))
        self.R, self.C = int(be.get("tile_rows", 128)), int(be.get("tile_cols", 128))
        if be.get("reorder", True):
            raise ValueError("the reference maps in natural order only: set reorder = false")
        # Read noise is on by default; the others default to 0.
        for key, default in (("sigma_read", 0.0289), ("sigma_d2d", 0.0), ("p_stuck_on", 0.0),
                             ("p_stuck_off", 0.0), ("drift_nu", 0.0)):
            if be.get(key, default) != 0.0:
                raise ValueError(f"the reference needs {key} = 0 (noise is drawn from memspike's streams)")
        pairs = sorted(set(zip(src, d)))
        self.row_of = {p: k for k, p in enumerate(pairs)}
        used_cols = sorted(set(tgt))
        self.col_of = {c: k for k, c in enumerate(used_cols)}
        self.target_of_col = np.array(used_cols, dtype=np.int64)
        self.n_rows, self.n_cols = len(pairs), len(used_cols)
        W = float(np.max(np.abs(w))) if len(w) else 0.0
        W = W if W > 0 else 1.0
        self.scale = W / (self.g_max - self.g_min)
        gp = np.full((self.n_rows, self.n_cols), np.nan)
        gm = np.full((self.n_rows, self.n_cols), np.nan)
        self.has = np.zeros((self.n_rows, self.n_cols), dtype=bool)
        for s, t, wj, dj in zip(src, tgt, w, d):
            r, c = self.row_of[(s, dj)], self.col_of[t]
            if self.has[r, c]:
                raise ValueError("multapses need replica rows: not handled by the reference")
            self.has[r, c] = True
            gp[r, c] = self.program(self.g_min + max(wj, 0.0) / self.scale)
            gm[r, c] = self.program(self.g_min + max(-wj, 0.0) / self.scale)
        empty = self.program(self.g_min)
        gp[~self.has], gm[~self.has] = empty, empty
        # The devices hold single-precision conductances (docs/testing.md, gaps).
        self.gp, self.gm = gp.astype(np.float32).astype(float), gm.astype(np.float32).astype(float)

    def program(self, g):
        """Write-verify: the nearest of `levels` uniform levels; a target outside saturates."""
        g = min(max(g, self.g_min), self.g_max)
        if self.levels == math.inf:
            return g
        top = self.levels - 1
        k = math.floor((g - self.g_min) / (self.g_max - self.g_min) * top + 0.5)
        return self.g_min + k * (self.g_max - self.g_min) / top

    def held_weights(self, src, tgt, d):
        """The weights the devices hold, s (G+ − G−), per synapse."""
        out = []
        for s, t, dj in zip(src, tgt, d):
            r, c = self.row_of[(s, dj)], self.col_of[t]
            out.append(self.scale * (self.gp[r, c] - self.gm[r, c]))
        return np.array(out, dtype=np.float32).astype(float)

    def adc(self, x, signed):
        """x in nS of column conductance; 2^(bits-1) codes each side of zero over ±range (signed)
        or 2^bits codes over [0, range) per polarity; nearest code; beyond full scale clips."""
        if self.adc_bits == math.inf:
            return x
        full = self.adc_range / self.v_read  # pA / mV = nS
        codes = 2.0 ** (self.adc_bits - 1 if signed else self.adc_bits)
        lsb = full / codes
        lo = -codes if signed else 0.0
        code = np.clip(np.round(x / lsb), lo, codes - 1)   # numpy rounds halves to even, as nearbyint
        return code * lsb

    def column_sums(self, rows, cols, g):
        """Column conductance seen by the sense amp for the driven rows (tile positions `rows`,
        ascending) and used columns at tile positions `cols`: ideal, or first-order IR drop."""
        ideal = g.sum(axis=0)
        if self.r_wire == 0.0:
            return ideal
        # docs/crossbar-ir-drop.md: cell currents c = g v; row wire i drops r sum_j' c_ij' (min(j,j')+1)
        # at column j; column wire j rises r sum_i' c_i'j (R − max(i,i')) at row i; I_j = sum_i g (v − drop − rise).
        v = self.v_read * 1e-3        # V
        r = self.r_wire * 1e6         # Ohm
        gs = g * 1e-9                 # S
        c = gs * v
        out = np.zeros(len(cols))
        for a, i in enumerate(rows):
            for b, j in enumerate(cols):
                drop = r * sum(c[a, b2] * (min(j, j2) + 1) for b2, j2 in enumerate(cols))
                rise = r * sum(c[a2, b] * (self.R - max(i, i2)) for a2, i2 in enumerate(rows))
                out[b] += gs[a, b] * (v - drop - rise)
        return out / v * 1e9

    def read(self, driven_rows, n_targets):
        """The input to each target neuron from the rows driven this tick."""
        out = np.zeros(n_targets)
        driven = np.array(sorted(driven_rows), dtype=np.int64)
        for rt in range(0, self.n_rows, self.R):
            rows = driven[(driven >= rt) & (driven < rt + self.R)]
            if rows.size == 0:
                continue
            for ct in range(0, self.n_cols, self.C):
                block = self.has[rt:rt + self.R, ct:ct + self.C]
                used = np.flatnonzero(block.any(axis=0))   # used columns of this tile
                if used.size == 0:
                    continue
                cols = ct + used
                gp = self.gp[np.ix_(rows, cols)]
                gm = self.gm[np.ix_(rows, cols)]
                ap = self.column_sums(rows - rt, used, gp)
                am = self.column_sums(rows - rt, used, gm)
                if self.per_polarity:
                    x = self.adc(ap, False) - self.adc(am, False)
                else:
                    x = self.adc(ap - am, True)
                tg = self.target_of_col[cols]
                np.add.at(out, tg, x * self.scale)   # converted value x s into the target
        return out
