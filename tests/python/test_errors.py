# SPDX-License-Identifier: MIT
# The C++ error hierarchy is mapped, in one place (python/bind_errors.cpp), to Python classes that
# also derive from the matching built-in exception; the message is the C++ what().
import pytest

import memspike
from memspike import _memspike

MAPPING = [
    ("error", memspike.Error, (Exception,)),
    ("invalid_parameter", memspike.InvalidParameter, (memspike.Error, ValueError)),
    ("unknown_parameter", memspike.UnknownParameter, (memspike.Error, KeyError)),
    ("unknown_model", memspike.UnknownModel, (memspike.Error, KeyError)),
    ("scenario_error", memspike.ScenarioError, (memspike.Error, ValueError)),
    ("io_error", memspike.IOError, (memspike.Error, OSError)),
    ("backend_unavailable", memspike.BackendUnavailable, (memspike.Error,)),
    ("unit_error", memspike.UnitError, (memspike.Error, ValueError)),
    ("internal_error", memspike.InternalError, (RuntimeError,)),
]


@pytest.mark.parametrize("kind,cls,bases", MAPPING)
def test_each_cpp_error_maps_to_its_class(kind, cls, bases):
    with pytest.raises(cls) as info:
        _memspike._test_throw(kind)
    for base in bases:
        assert isinstance(info.value, base)
    assert type(info.value) is cls
    assert cls.__module__ == "memspike"


def test_messages_are_the_cpp_what_without_quotes():
    with pytest.raises(memspike.InvalidParameter) as info:
        _memspike._test_throw("invalid_parameter")
    assert str(info.value) == "lif_delta: tau_m = -1 ms is invalid (must be > 0 ms)"
    # KeyError subclasses would print repr(message) by default; memspike's print the message.
    with pytest.raises(memspike.UnknownParameter) as info:
        _memspike._test_throw("unknown_parameter")
    assert str(info.value) == "lif_delta: unknown parameter 'tau_M' (known: tau_m, v_th)"


def test_errors_carry_their_data():
    with pytest.raises(memspike.ScenarioError) as info:
        _memspike._test_throw("scenario_error")
    e = info.value
    assert (e.file, e.line, e.column, e.key) == ("net.toml", 12, 9, "population.E.params.tau_m")
    assert e.what == "expected a time"
    assert str(e) == "net.toml:12:9: key 'population.E.params.tau_m': expected a time"

    with pytest.raises(memspike.InvalidParameter) as info:
        _memspike._test_throw("invalid_parameter")
    assert (info.value.owner, info.value.name, info.value.value, info.value.rule) == \
        ("lif_delta", "tau_m", "-1 ms", "must be > 0 ms")
    with pytest.raises(memspike.UnknownParameter) as info:
        _memspike._test_throw("unknown_parameter")
    assert info.value.known == ["tau_m", "v_th"]
    with pytest.raises(memspike.UnknownModel) as info:
        _memspike._test_throw("unknown_model")
    assert (info.value.kind, info.value.name) == ("neuron model", "lif")
    with pytest.raises(memspike.BackendUnavailable) as info:
        _memspike._test_throw("backend_unavailable")
    assert info.value.backend == "crossbar"


def test_other_std_exceptions_stay_runtime_errors():
    with pytest.raises(RuntimeError, match="a std::runtime_error"):
        _memspike._test_throw("std")
    with pytest.raises(memspike.InvalidParameter, match="kind"):
        _memspike._test_throw("no such kind")


def test_missing_scenario_file_is_an_os_error(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(OSError) as info:
        memspike.load_scenario(missing)
    assert isinstance(info.value, memspike.IOError)
    assert str(missing) in str(info.value)
