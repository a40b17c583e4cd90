"""The trained_rnn config section: schema defaults, the networks it lists and generates, and every parse-time
check naming its key."""

import copy

import pytest
import yaml

from rnnchaos.config import check_config
from rnnchaos.config_schema import validate
from rnnchaos.grid import ConfigError
from rnnchaos.trained_rnn_config import n_with_performance, networks

from ..conftest import ROOT

SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
BASE = yaml.safe_load((ROOT / "config.yaml").read_text())


def checked(section):
    config = copy.deepcopy(BASE)
    config["trained_rnn"] = copy.deepcopy(section)
    validate(config, SCHEMA)
    check_config(config)
    return config


def test_off_by_default_and_defaults_filled():
    t = checked({})["trained_rnn"]
    assert t["networks"] == [] and not t["force_family"]["enabled"] and networks(t) == []
    assert t["inputs"]["kind"] == "white_noise" and t["analysis"]["k"] is None and t["correlation"]["level"] == 0.95


def test_networks_listed_then_family(tmp_path):
    w = tmp_path / "w.npz"
    w.write_bytes(b"")
    t = checked({"networks": [{"name": "a", "path": str(w)}, {"name": "b", "path": str(w), "performance": 0.1}],
                 "force_family": {"enabled": True, "g": [0.8, 2.0], "seeds": 2}})["trained_rnn"]
    assert [n["name"] for n in networks(t)] == ["a", "b", "force_g~0.8_seed~0", "force_g~0.8_seed~1",
                                                "force_g~2_seed~0", "force_g~2_seed~1"]
    assert networks(t)[0]["performance"] is None and networks(t)[0]["cell"] is None
    assert n_with_performance(t) == 5


@pytest.mark.parametrize(("section", "message"), [
    ({"networks": [{"name": "a"}]}, "trained_rnn.networks[0].path: missing"),
    ({"networks": [{"name": "a b", "path": "{w}"}]}, "trained_rnn.networks[0].name = 'a b': must be a string matching"),
    ({"networks": [{"name": "a", "path": "{w}", "cel": "gru"}]}, "trained_rnn.networks[0].cel: unknown key (did you "
                                                                   "mean `cell`?)"),
    ({"networks": [{"name": "a", "path": "{w}", "cell": "rnn"}]}, "trained_rnn.networks[0].cell = 'rnn': must be one "
                                                                   "of rnn_tanh, rnn_relu, gru, lstm, null"),
    ({"networks": [{"name": "a", "path": "{w}"}, {"name": "a", "path": "{w}"}]},
     "trained_rnn.networks[1].name = 'a' is given twice (also trained_rnn.networks[0])"),
    ({"networks": [{"name": "features", "path": "{w}"}]}, "trained_rnn.networks[0].name = 'features' is reserved"),
    ({"networks": [{"name": "a", "path": "missing.npz"}]}, "trained_rnn.networks[0].path = 'missing.npz': no such"),
    ({"networks": [{"name": "a", "path": "w.h5"}]}, "trained_rnn.networks[0].path = 'w.h5': the suffix must be one "
                                                    "of .npz, .safetensors, .pt, .pth"),
    ({"analysis": {"k": 0}}, "trained_rnn.analysis.k = 0: must be an integer in [1, 20000] or null"),
    ({"force_family": {"enabled": True, "N": 10}, "analysis": {"k": 20}},
     "trained_rnn.analysis.k = 20 must be in [1, trained_rnn.force_family.N = 10]"),
    ({"force_family": {"g": [0.0]}}, "trained_rnn.force_family.g[0] = 0.0: must be a number in (0, 6]"),
    ({"inputs": {"kind": "file"}}, "trained_rnn.inputs.path must name a .npy or .npz file"),
    ({"inputs": {"kind": "noise"}}, "trained_rnn.inputs.kind = 'noise': must be one of white_noise, zeros, file, "
                                    "flipflop"),
    ({"correlation": {"level": 1.0}}, "trained_rnn.correlation.level = 1.0: must be a number in (0, 1)"),
    ({"force_family": {"enabled": True}, "inputs": {"kind": "flipflop", "n_bits": 2}},
     "trained_rnn.inputs.n_bits = 2 must be 3"),
])
def test_bad_section_names_the_key(tmp_path, section, message):
    w = tmp_path / "w.npz"
    w.write_bytes(b"")
    text = yaml.safe_dump(section).replace("'{w}'", str(w)).replace("{w}", str(w))
    with pytest.raises(ConfigError) as err:
        checked(yaml.safe_load(text))
    assert message in str(err.value)
