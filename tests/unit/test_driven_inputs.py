"""Input sequences: files read back bitwise, generated sequences seeded, bad files named with key and shape."""

import numpy as np
import pytest

from rnnchaos import driven_inputs
from rnnchaos.weight_files import ExternalNetworkError


def test_npy_and_npz_round_trips_are_bitwise(tmp_path):
    a = np.random.default_rng(0).normal(size=(3, 20, 2))
    np.save(tmp_path / "u.npy", a)
    np.savez(tmp_path / "u.npz", inputs=a, labels=np.arange(3))
    np.savez(tmp_path / "one.npz", x=a[0].astype(np.float32))
    assert driven_inputs.load_inputs(tmp_path / "u.npy", 2).tobytes() == a.tobytes()
    assert driven_inputs.load_inputs(tmp_path / "u.npz", 2, key="inputs").tobytes() == a.tobytes()
    one = driven_inputs.load_inputs(tmp_path / "one.npz", 2)  # the only member; (T, d) is one sequence
    assert one.shape == (1, 20, 2) and one.dtype == np.float64 and np.array_equal(one[0], a[0].astype(np.float32))


def test_bad_input_files_name_the_key_and_the_shape(tmp_path):
    np.savez(tmp_path / "u.npz", inputs=np.zeros((3, 20, 2)), labels=np.arange(3))
    with pytest.raises(ExternalNetworkError, match=r"holds \['inputs', 'labels'\]; give key="):
        driven_inputs.load_inputs(tmp_path / "u.npz", 2)
    with pytest.raises(ExternalNetworkError, match=r"no array 'u'"):
        driven_inputs.load_inputs(tmp_path / "u.npz", 2, key="u")
    with pytest.raises(ExternalNetworkError, match=r"'labels' must be \(batch, T, d\) or \(T, d\).*shape \(3,\)"):
        driven_inputs.load_inputs(tmp_path / "u.npz", 2, key="labels")
    with pytest.raises(ValueError, match=r"\['inputs'\] has shape \(3, 20, 2\): input dimension 2.*n_inputs = 4"):
        driven_inputs.load_inputs(tmp_path / "u.npz", 4, key="inputs")
    np.save(tmp_path / "nan.npy", np.full((1, 5, 2), np.nan))
    with pytest.raises(ValueError, match=r"\(shape \(1, 5, 2\)\) has 10 non-finite"):
        driven_inputs.load_inputs(tmp_path / "nan.npy", 2)
    np.save(tmp_path / "obj.npy", np.array([[{"a": 1}]], dtype=object), allow_pickle=True)
    with pytest.raises(ExternalNetworkError, match=r"'inputs' \(shape \(1, 1\)\) must be real numbers.*object"):
        driven_inputs.load_inputs(tmp_path / "obj.npy", 1)
    with pytest.raises(ExternalNetworkError, match="unsupported input file type '.csv'"):
        driven_inputs.load_inputs(tmp_path / "u.csv", 2)


def test_generated_sequences_are_seeded_and_scaled():
    a = driven_inputs.white_noise(np.random.default_rng(4), batch=50, steps=200, n_inputs=3, sigma=0.3)
    b = driven_inputs.white_noise(np.random.default_rng(4), batch=50, steps=200, n_inputs=3, sigma=0.3)
    assert a.shape == (50, 200, 3) and np.array_equal(a, b)
    assert abs(a.std() / 0.3 - 1) < 0.02 and abs(a.mean()) < 0.01
    assert not driven_inputs.zeros(batch=2, steps=3, n_inputs=1).any()
    with pytest.raises(ValueError, match="sigma must be a finite number >= 0"):
        driven_inputs.white_noise(np.random.default_rng(0), batch=1, steps=2, n_inputs=1, sigma=-1.0)
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        driven_inputs.zeros(batch=1, steps=0, n_inputs=1)
