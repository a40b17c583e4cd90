"""The FORCE family exported as Elman RNNs: the export is the trained network, and the feature-performance
analysis runs end to end on real trained networks without torch (small N)."""

import importlib.util
import os
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from rnnchaos import array_files, force_family, spectrum_features, state_dict, trained_rnn, training

ROOT = Path(__file__).resolve().parents[2]


def test_exported_elman_rnn_reproduces_the_trained_closed_loop():
    net = training.train_flipflop(rng=np.random.default_rng(0), N=40, g=1.2, tau=1.0, dt=1.0, train_time=400,
                                  test_time=100, input_scale=1.0, update_every=1)
    stack = state_dict.stack_from_arrays({k: v for k, v in force_family.export_elman(net).items() if "." not in k})
    u = force_family.flipflop_inputs(rng=np.random.default_rng(1), batch=1, steps=60)[0]
    x0 = 0.3 * np.random.default_rng(2).standard_normal(40)
    W_out = net.W_out.copy()
    _, z, states, _ = training.run_network(net.J, net.W_fb, net.W_in, W_out, u, x0, tau=1.0, dt=1.0, record_every=1)
    h = np.tanh(x0)
    for n in range(59):
        h = stack.step(h, u[n])
        np.testing.assert_allclose(h, np.tanh(states[n + 1]), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(net.W_out @ h, z[59], rtol=1e-10, atol=1e-12)
    leaky = training.train_flipflop(rng=np.random.default_rng(0), N=20, tau=10.0, dt=1.0, train_time=50,
                                    test_time=10)
    with pytest.raises(ValueError, match="only for dt == tau"):
        force_family.export_elman(leaky)


def test_family_feature_performance_analysis_end_to_end(tmp_path):
    family = force_family.train_family(gs=[0.8, 1.1, 1.4, 1.7, 2.0], seeds=[0], N=60, train_time=2000,
                                       test_time=500)
    assert [m.name for m in family][0] == "g~0.8_seed~0"
    np.save(tmp_path / "inputs.npy", force_family.flipflop_inputs(rng=np.random.default_rng(9), batch=2, steps=300))
    spectra, perf = [], []
    for m in family:
        path = tmp_path / f"{m.name}.safetensors"
        array_files.write_arrays(path, m.state_dict)
        ds = trained_rnn.analyse_trained_rnn(path, rng=np.random.default_rng(0), inputs="file",
                                             input_path=tmp_path / "inputs.npy", k=10, warmup=50, warmup_tangent=50,
                                             n_batches=5, n_fp_starts=4, n_extra=0, performance=m.performance)
        assert int(ds.lyap_status) == 0 and ds.attrs["ignored_keys"] == "readout.weight"
        spectra.append(ds.lyap_exponent.values)
        perf.append(ds.attrs["performance"])
    table = spectrum_features.feature_table(spectra, 60, [m.name for m in family], performance=perf)
    corr = spectrum_features.feature_correlations(table, rng=np.random.default_rng(0), n_boot=200)
    assert corr.attrs["n_networks"] == 5 and np.isfinite(corr.rho.sel(feature="lambda_max"))
    # at this N and training length the networks learn only partly (sign errors 0.3-0.4): the test checks the
    # chain, not the training; the performance values differ between networks
    assert len(set(perf)) == 5 and all(0 < p < 4 for p in perf) and all(0 <= m.sign_error <= 1 for m in family)


def test_family_benchmark_prints_networks_correlations_and_cost(capsys):
    spec = importlib.util.spec_from_file_location("bench_family", ROOT / "benchmarks" / "trained_rnn_family.py")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ):
        spec.loader.exec_module(module)
    module.main(["--N", "40", "--g", "0.8,1.2,1.6,2.0,2.4", "--seeds", "0", "--train-time", "500", "--k", "6",
                 "--batch", "2", "--steps", "300", "--warmup", "50", "--n-boot", "100"])
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("g~")]
    assert [r[0] for r in rows] == ["g~0.8_seed~0", "g~1.2_seed~0", "g~1.6_seed~0", "g~2_seed~0", "g~2.4_seed~0"]
    feats = [line.split()[0] for line in out.split("Spearman rho")[1].splitlines()[2:12]]
    assert feats == list(spectrum_features.FEATURES) and "cost per network" in out


def test_member_file_round_trip_and_a_failed_training(tmp_path):
    """The pipeline's family file (rule trained_rnn_force_family) gives back the state dict bitwise and the test
    MSE; a training that failed (status only, as io.save_stage writes it) raises its own status."""
    from rnnchaos import io
    from rnnchaos.status import NumericalFailure

    (m,) = force_family.train_family(gs=[1.2], seeds=[3], N=20, train_time=300, test_time=100)
    io.save_stage(tmp_path / "m.nc", lambda: force_family.to_dataset(m), stage="s", params={}, point={})
    arrays, perf = force_family.from_dataset(io.read_dataset(tmp_path / "m.nc"))
    assert perf == m.performance and arrays.keys() == m.state_dict.keys()
    assert all(np.array_equal(arrays[k], m.state_dict[k]) for k in arrays)

    def diverge():
        raise NumericalFailure("diverged", "FORCE training produced non-finite readout weights")

    io.save_stage(tmp_path / "f.nc", diverge, stage="s", params={}, point={})
    with pytest.raises(NumericalFailure, match="training failed: FORCE training produced") as err:
        force_family.from_dataset(io.read_dataset(tmp_path / "f.nc"))
    assert err.value.status == "diverged"
