"""PyTorch-layout state dicts from .npz, .safetensors (and .pt with torch): bitwise round trips, inference of the
cell and its sizes, and bad files refused with the key and the shape named."""

import io as pyio
import json
import struct
import zipfile

import numpy as np
import pytest
from safetensors.numpy import save_file

from rnnchaos import array_files, state_dict
from rnnchaos.rnn_stack import random_stack
from rnnchaos.weight_files import ExternalNetworkError

CELLS = ["rnn_tanh", "rnn_relu", "gru", "lstm"]
SUFFIXES = [".npz", ".safetensors"]


def sd_of(cell="gru", layers=2, d=3, H=4, seed=0):
    return random_stack(cell, input_size=d, hidden_size=H, num_layers=layers, rng=np.random.default_rng(seed)
                        ).state_dict()


def write(path, arrays):
    if path.suffix == ".npz":
        np.savez(path, **arrays)
    else:
        save_file(arrays, str(path))
    return path


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_raw_round_trip_preserves_every_array_bitwise(tmp_path, suffix):
    rng = np.random.default_rng(1)
    arrays = {"weight_ih_l0": rng.normal(size=(12, 3)).astype(np.float32), "weight_hh_l0": rng.normal(size=(12, 4)),
              "bias_ih_l0": rng.normal(size=12), "bias_hh_l0": np.array([np.nextafter(0, 1)] * 12)}
    path = tmp_path / f"w{suffix}"
    array_files.write_arrays(path, arrays)
    reader = array_files.read_npz if suffix == ".npz" else array_files.read_safetensors
    seen = []
    back = reader(path, lambda key, shape, dtype: seen.append((key, shape, np.dtype(dtype))))
    assert sorted(seen) == sorted((k, v.shape, v.dtype) for k, v in arrays.items())
    for k, v in arrays.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and back[k].tobytes() == v.tobytes()
    assert not list(tmp_path.glob(".*tmp*"))  # the temporary name is gone


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("cell", CELLS)
def test_load_infers_cell_sizes_and_layers_and_keeps_the_weights_bitwise(tmp_path, suffix, cell):
    sd = sd_of(cell, layers=2, d=3, H=5)
    stack, meta = state_dict.load_state_dict(write(tmp_path / f"w{suffix}", sd),
                                             nonlinearity="relu" if cell == "rnn_relu" else "tanh")
    assert (stack.name, stack.hidden_size, stack.num_layers, stack.n_inputs) == (cell, 5, 2, 3)
    assert meta["prefix"] == "" and meta["ignored"] == [] and meta["bias"] and meta["format"] == suffix[1:]
    back = stack.state_dict()
    assert back.keys() == sd.keys() and all(back[k].tobytes() == sd[k].tobytes() for k in sd)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_prefix_found_and_other_modules_not_read(tmp_path, suffix):
    sd = {f"encoder.rnn.{k}": v for k, v in sd_of("lstm", layers=1).items()}
    sd["readout.weight"] = np.ones((2, 4))
    sd["encoder.rnn.sub.weight"] = np.full((3, 3, 3), np.nan)  # a submodule under the prefix: not ours, not read
    stack, meta = state_dict.load_state_dict(write(tmp_path / f"w{suffix}", sd))
    assert meta["prefix"] == "encoder.rnn." and meta["ignored"] == ["encoder.rnn.sub.weight", "readout.weight"]
    assert stack.name == "lstm" and stack.n == 8


def test_ignored_npz_members_are_never_unpickled(tmp_path):
    path = tmp_path / "w.npz"
    pickled = np.array([{"a": 1}], dtype=object)
    np.savez(path, **{"extra.meta": pickled}, **sd_of("rnn_tanh", layers=1))
    stack, meta = state_dict.load_state_dict(path)
    assert meta["ignored"] == ["extra.meta"] and stack.name == "rnn_tanh"
    np.savez(path, **{"extra.meta": pickled}, **bad(sd_of("rnn_tanh", layers=1), weight_hh_l0=pickled))
    with pytest.raises(ExternalNetworkError, match=r"'weight_hh_l0' must be 2-D, got shape \(1,\)"):
        state_dict.load_state_dict(path)
    np.savez(path, **bad(sd_of("rnn_tanh", layers=1), bias_hh_l0=np.array([{"a": 1}] * 4, dtype=object)))
    with pytest.raises(ExternalNetworkError, match=r"'bias_hh_l0' \(shape \(4,\)\) must be a real.*object"):
        state_dict.load_state_dict(path)


def test_bias_free_network_gets_zero_biases(tmp_path):
    sd = {k: v for k, v in sd_of("gru").items() if k.startswith("weight")}
    stack, meta = state_dict.load_state_dict(write(tmp_path / "w.npz", sd))
    assert not meta["bias"] and all(not w.b_ih.any() and not w.b_hh.any() for w in stack.layers)


def bad(sd, **changes):
    out = dict(sd)
    for k, v in changes.items():
        if v is None:
            out.pop(k)
        else:
            out[k] = v
    return out


BAD = {
    "missing_layer_input": (dict(weight_ih_l1=None), r"missing key 'weight_ih_l1'"),
    "no_chain": (dict(weight_ih_l1=np.zeros((12, 5))),
                 r"'weight_ih_l1' has shape \(12, 5\), expected \(12, 4\).*do not chain"),
    "wrong_bias": (dict(bias_hh_l0=np.zeros(11)), r"'bias_hh_l0' has shape \(11,\), expected \(12,\)"),
    "one_bias": (dict(bias_ih_l1=None), r"missing key 'bias_ih_l1'.*both ih and hh"),
    "nan": (dict(weight_hh_l1=np.full((12, 4), np.nan)), r"'weight_hh_l1' \(shape \(12, 4\)\) has 48 non-finite"),
    "inf": (dict(bias_ih_l0=np.array([np.inf] + [0.0] * 11)), r"'bias_ih_l0' \(shape \(12,\)\) has 1 non-finite"),
    "gate_multiple": (dict(weight_hh_l0=np.zeros((8, 4))),
                      r"'weight_hh_l0' has shape \(8, 4\); its rows must be 1, 3 or 4 times"),
    "bidirectional": (dict(weight_hh_l0_reverse=np.zeros((12, 4))), r"'weight_hh_l0_reverse'.*bidirectional"),
    "projection": (dict(weight_hr_l0=np.zeros((2, 4))), r"'weight_hr_l0' \(shape \(2, 4\)\).*projections"),
    "unknown_key": (dict(alpha=np.zeros(3)), r"unsupported key 'alpha' \(shape \(3,\)\)"),
    "gap_in_layers": (dict(weight_hh_l3=np.zeros((12, 4))), r"numbered 0..2, found .* \[0, 1, 3\]"),
    "stray_layer": (dict(bias_ih_l2=np.zeros(12)), r"'bias_ih_l2' \(shape \(12,\)\) belongs to no layer"),
    "3d_header": (dict(weight_hh_l1=np.zeros((12, 4, 1))), r"'weight_hh_l1' must be 2-D, got shape \(12, 4, 1\)"),
    "complex": (dict(weight_hh_l1=np.zeros((12, 4), complex)), r"'weight_hh_l1' \(shape \(12, 4\)\) must be a real"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_state_dicts_name_the_key_and_the_shape(tmp_path, name):
    changes, pattern = BAD[name]
    path = tmp_path / "w.npz"
    np.savez(path, **bad(sd_of("gru", layers=2, d=3, H=4), **changes))
    with pytest.raises(ExternalNetworkError, match=pattern):
        state_dict.load_state_dict(path)


def test_cell_and_input_size_requests_are_checked(tmp_path):
    path = write(tmp_path / "w.safetensors", sd_of("gru", layers=1, d=3, H=4))
    with pytest.raises(ExternalNetworkError, match=r"cell 'lstm' was requested but 'weight_hh_l0' has shape \(12, 4\)"):
        state_dict.load_state_dict(path, cell="lstm")
    with pytest.raises(ExternalNetworkError, match=r"'weight_ih_l0' has shape \(12, 3\).*dimension 5"):
        state_dict.load_state_dict(path, input_size=5)
    assert state_dict.load_state_dict(path, cell="gru", input_size=3)[0].n == 4


def test_a_header_claiming_a_huge_array_is_refused_before_allocation(tmp_path):
    """A hand-made .npz member whose header claims a (4 * 10^5, 10^5) float64 matrix (320 GB) with no data."""
    buf = pyio.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (400000, 100000)})
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("weight_hh_l0.npy", buf.getvalue())
    with pytest.raises(ExternalNetworkError, match=r"'weight_hh_l0' has shape \(400000, 100000\); allowed"):
        state_dict.load_state_dict(path)
    with zipfile.ZipFile(path, "w") as zf:  # a plausible shape but truncated data
        buf = pyio.BytesIO()
        np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (12, 4)})
        zf.writestr("weight_hh_l0.npy", buf.getvalue() + b"\0" * 16)
    with pytest.raises(ExternalNetworkError, match="truncated"):
        state_dict.load_state_dict(path)


def test_bfloat16_safetensors_and_damaged_files_are_refused(tmp_path):
    path = tmp_path / "w.safetensors"  # written by hand: 8-byte header length, JSON header, data
    header = json.dumps({"weight_hh_l0": {"dtype": "BF16", "shape": [4, 4], "data_offsets": [0, 32]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 32)
    with pytest.raises(ExternalNetworkError, match=r"'weight_hh_l0' \(shape \(4, 4\)\) has dtype BF16"):
        state_dict.load_state_dict(path)
    (tmp_path / "junk.safetensors").write_bytes(b"not a file at all")
    with pytest.raises(ExternalNetworkError, match="not a readable .safetensors"):
        state_dict.load_state_dict(tmp_path / "junk.safetensors")
    with pytest.raises(ExternalNetworkError, match="unsupported file type '.h5'"):
        state_dict.load_state_dict(tmp_path / "w.h5")
    with pytest.raises(ExternalNetworkError, match="no such file"):
        state_dict.load_state_dict(tmp_path / "absent.npz")


def test_pt_without_torch_says_how_to_convert(tmp_path, monkeypatch):
    path = tmp_path / "w.pt"
    path.write_bytes(b"whatever")
    real = state_dict.importlib.util.find_spec
    monkeypatch.setattr(state_dict.importlib.util, "find_spec", lambda name, *a: None if name == "torch" else
                        real(name, *a))
    with pytest.raises(ExternalNetworkError, match=r"needs PyTorch, which is not installed.*safetensors"):
        state_dict.load_state_dict(path)


def test_pt_with_torch_loads_a_real_modules_state_dict(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is not installed; .pt files are then refused (test above)")
    net = torch.nn.LSTM(3, 5, num_layers=2)
    torch.save(net.state_dict(), tmp_path / "w.pt")
    stack, meta = state_dict.load_state_dict(tmp_path / "w.pt")
    assert (stack.name, stack.num_layers, stack.hidden_size, meta["format"]) == ("lstm", 2, 5, "pt")
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(stack.state_dict()[k], v.double().numpy())
    torch.save({"net": net}, tmp_path / "obj.pt")  # a pickled module, not a state dict
    with pytest.raises(ExternalNetworkError, match="weights_only"):
        state_dict.load_state_dict(tmp_path / "obj.pt")
