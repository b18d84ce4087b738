# SPDX-License-Identifier: MIT
"""NIR import of malformed or unsupported graphs (issue 18): each is refused with a ScenarioError (or
IOError) naming the file, the node and the key, never half-imported or silently changed."""
import pathlib
import subprocess

import h5py
import numpy as np
import pytest

import memspike
import memspike.nir

from nir_support import write_graph


def lif(n=2, **change):
    p = {"type": "LIF", "tau": np.full(n, 0.01), "r": np.full(n, 0.01), "v_leak": np.zeros(n),
         "v_threshold": np.ones(n), "v_reset": np.zeros(n)}
    p.update(change)
    return p


def graph(**change):
    """Input(3) -> Linear -> LIF(2) -> Output, with nodes replaced (None: removed) or other edges."""
    nodes = {"input": {"type": "Input", "shape": np.array([3])},
             "fc": {"type": "Linear", "weight": np.ones((2, 3))},
             "cell": lif(),
             "output": {"type": "Output", "shape": np.array([2])}}
    edges = [("input", "fc"), ("fc", "cell"), ("cell", "output")]
    for k, v in change.items():
        if k == "edges":
            edges = v
        elif v is None:
            del nodes[k]
        else:
            nodes[k] = v
    return nodes, edges


def refused(tmp_path, nodes, edges, *fragments, error=memspike.ScenarioError):
    path = tmp_path / "bad.nir"
    write_graph(path, nodes, edges)
    with pytest.raises(error) as e:
        memspike.nir.load(path, workdir=tmp_path / "w")
    for f in fragments:
        assert f in str(e.value), f"{f!r} not in {str(e.value)!r}"
    assert not (tmp_path / "w").exists(), "a refused graph left connection files behind"
    return str(e.value)


CASES = {
    "unsupported type": (dict(cell={"type": "CubaLI", "tau_mem": np.ones(2)}),
                         ["node.nodes.cell.type", "\"CubaLI\" is not supported"]),
    "missing parameter": (dict(cell={k: v for k, v in lif().items() if k != "tau"}),
                          ["node.nodes.cell.tau", "LIF node 'cell': missing parameter 'tau'"]),
    "misspelt parameter": (dict(cell=lif(v_thresh=np.ones(2))), ["node.nodes.cell.v_thresh", "unknown parameter"]),
    # IF nodes (if_delta, one value per population) still become one population per set;
    # LIF and CubaLIF take per-neuron parameters (test_nir_import.py).
    "too many parameter sets": (dict(cell={"type": "IF", "r": np.linspace(0.01, 0.02, 70), "v_threshold": np.ones(70),
                                           "v_reset": np.zeros(70)},
                                     fc={"type": "Linear", "weight": np.ones((70, 3))},
                                     output={"type": "Output", "shape": np.array([70])}),
                                ["node.nodes.cell", "more than 64 distinct sets of parameter values"]),
    "parameter lengths differ": (dict(cell=lif(n=2, tau=np.full(3, 0.01))), ["node.nodes.cell.r", "has 2 values, other parameters 3; each must have one or one per neuron"]),
    "tau not positive": (dict(cell=lif(tau=np.zeros(2))), ["node.nodes.cell.tau", "must be > 0"]),
    "nan weight": (dict(fc={"type": "Linear", "weight": np.array([[1, np.nan, 1], [1, 1, 1]])}),
                   ["node.nodes.fc.weight", "finite"]),
    "reset above threshold": (dict(cell=lif(v_reset=np.full(2, 2.0))), ["node.nodes.cell.v_reset", "must be < v_threshold"]),
    "weight width": (dict(fc={"type": "Linear", "weight": np.ones((2, 4))}),
                     ["node.nodes.fc.weight", "has 4 columns, but its input has 3 elements"]),
    "population size": (dict(cell=lif(n=3), output={"type": "Output", "shape": np.array([3])}),
                        ["node.nodes.cell", "has 3 neurons, but its input has 2 elements"]),
    "edge to a missing node": (dict(edges=[("input", "fc"), ("fc", "cel")]), ["node.edges[1]", "\"cel\""]),
    "output after a linear node": (dict(edges=[("input", "fc"), ("fc", "cell"), ("fc", "output")]),
                                   ["node.nodes.output", "is fed by \"fc\" (Linear)"]),
    "edge into an input": (dict(edges=[("fc", "input"), ("input", "fc"), ("fc", "cell")]),
                           ["node.nodes.input", "cannot receive an edge"]),
    "linear cycle": (dict(edges=[("input", "fc"), ("fc", "fc2"), ("fc2", "fc"), ("fc", "cell")],
                          fc2={"type": "Scale", "scale": np.ones(2)}), ["is on a cycle of stateless nodes"]),
    "delay off the grid": (dict(edges=[("input", "fc"), ("fc", "d"), ("d", "cell")],
                                d={"type": "Delay", "delay": np.full(2, 0.00015)}),
                           ["node.nodes.d.delay", "whole number of ticks"]),
    "bad padding": (dict(input={"type": "Input", "shape": np.array([1, 4, 4])},
                         fc={"type": "Conv2d", "weight": np.ones((1, 1, 3, 3)), "bias": np.zeros(1), "padding": "full"},
                         cell=lif(n=4)),
                    ["node.nodes.fc.padding", "\"same\" or \"valid\""]),
    "read-out forwarded": (dict(cell={"type": "LI", "tau": np.full(2, 0.01), "r": np.ones(2), "v_leak": np.zeros(2)},
                               fc2={"type": "Linear", "weight": np.ones((2, 2))}, cell2=lif(),
                               edges=[("input", "fc"), ("fc", "cell"), ("cell", "fc2"), ("fc2", "cell2")]),
                          ["node.nodes.cell", "is a read-out (LI)", "can only feed an Output"]),
    "pool without a spatial shape": (dict(fc={"type": "SumPool2d", "kernel_size": np.array([2, 2]),
                                              "stride": np.array([2, 2]), "padding": np.array([0, 0])}),
                                     ["node.nodes.fc", "needs its input as (channels, height, width)"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_graph_is_refused_naming_node_and_key(tmp_path, case):
    change, fragments = CASES[case]
    nodes, edges = graph(**change)
    message = refused(tmp_path, nodes, edges, *fragments)
    assert "bad.nir" in message


def test_not_a_nir_file(tmp_path):
    path = tmp_path / "x.nir"
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.0")
    with pytest.raises(memspike.ScenarioError, match="needs a group 'node'"):
        memspike.nir.load(path, workdir=tmp_path / "w")
    (tmp_path / "text.nir").write_text("not hdf5")
    with pytest.raises(memspike.IOError, match="not a readable HDF5 file"):
        memspike.nir.load(tmp_path / "text.nir", workdir=tmp_path / "w")


# The command-line tool of the same build tree as the module (<build>/python/memspike -> <build>/cli).
CLI = pathlib.Path(memspike.__file__).resolve().parents[2] / "cli" / "memspike"


@pytest.mark.skipif(not CLI.exists(), reason="no memspike executable beside the module")
def test_cli_refuses_a_bad_graph_with_exit_2(tmp_path):
    nodes, edges = graph(cell={k: v for k, v in lif().items() if k != "tau"})
    write_graph(tmp_path / "bad.nir", nodes, edges)
    r = subprocess.run([str(CLI), "validate", "bad.nir"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert "bad.nir: key 'node.nodes.cell.tau': LIF node 'cell': missing parameter 'tau'" in r.stderr
