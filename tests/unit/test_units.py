"""One spelling of the model's time unit in every written file: ``tau`` (rate network, time constant) and ``step``
(map), ``1/tau`` and ``1/step`` for rates; every other unit is UDUNITS-style (``1``, ``s``)."""

import numpy as np
import pytest

from rnnchaos import dmft, lyapunov, simulate

#: units a file of the grid stages may carry; 'tau' and 'step' are the model's own time units (not UDUNITS ones:
#: the time of the model is dimensionless, counted in time constants or map steps)
TIME = {"rate": {"tau", "1/tau"}, "map": {"step", "1/step"}}
DIMENSIONLESS = {"1", "s"}


def _units(ds):
    return {v: ds[v].attrs["units"] for v in [*ds.data_vars, *ds.coords] if "units" in ds[v].attrs}


@pytest.mark.parametrize("model", ["rate", "map"])
def test_every_stage_writes_one_spelling_of_the_time_unit(model):
    N = 6
    rng = np.random.default_rng(0)
    J, theta = 1.5 / np.sqrt(N) * rng.standard_normal((N, N)), np.zeros(N)
    sim = simulate.simulate(model, J, theta, rng=rng, t_transient=2, t_sim=20, tau_max=2, n_blocks=2,
                            n_units_stored=2, n_snapshots=2)
    lyap = lyapunov.lyapunov_spectrum(model, J, theta, rng=rng, k=2, t_transient=2, t_transient_tangent=1,
                                      t_sim=4, t_ons=1.0, n_batches=2)
    theory = dmft.dmft_point(model, 1.5, 0.0, tau_max=2.0, n_tau=5)
    files = {"simulate": simulate.to_dataset(sim), "lyapunov": lyapunov.to_dataset(lyap),
             "dmft": dmft.to_dataset(theory)}
    written = {stage: set(_units(ds).values()) for stage, ds in files.items()}
    for stage, units in written.items():
        assert units <= TIME[model] | DIMENSIONLESS, (stage, units - TIME[model] - DIMENSIONLESS)
    assert {u for units in written.values() for u in units} & TIME[model], written  # the time unit is written
    assert _units(files["simulate"])["tau"] == _units(files["dmft"])["tau"] == {"rate": "tau", "map": "step"}[model]
