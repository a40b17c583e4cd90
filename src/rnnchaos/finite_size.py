"""Finite-size extrapolation of a network observable to N -> infinity, with its error and a test against theory.

About 350 lines: the fit, the choice of networks and the stage's Dataset are one chain, read top to bottom.

A self-averaging observable A of a random network of size N (lambda_max, Delta0, Delta_inf, D_KY/N) has a
network-to-network spread and a mean that approaches its N -> infinity value as a power series in 1/N,

    <A>_N = A_inf + a / N + b / N^2 + ...

(the leading 1/N correction is the generic one for mean-field models with Gaussian couplings; Sompolinsky,
Crisanti & Sommers 1988 treat N -> infinity, finite-N corrections are discussed e.g. by Engelken, Wolf & Abbott
2020). Networks (seeds) are the samples: at each size the mean over networks and its standard error
``s_N / sqrt(n_N)`` are the data, and the fit is weighted least squares with weights ``1 / sem_N^2``.

The error of ``A_inf`` is the weighted-least-squares standard error, inflated by ``sqrt(chi2 / dof)`` when the fit
is worse than its error bars say (the Birge ratio; never deflated), so that a model that does not describe the data
widens its own error bar instead of claiming a precision it does not have. ``chi2 / dof`` itself is reported.
With four sizes or more the quadratic form ``A_inf + a/N + b/N^2`` is fitted too, as a check of the leading form.

The comparison with theory is the z-score ``(A_inf - A_theory) / sem(A_inf)``; the theory value is never fitted.

:func:`finite_size_dataset` applies this to a model's summary at one (g, sigma_b): lambda_max (Lyapunov stage),
Delta0 and the replica-overlap Delta_inf (simulate stage) and D_KY/N (where full spectra exist), each against its
mean-field value. Mean-field theory's chaotic solution describes chaotic networks only: where DMFT calls the point
chaotic, only networks whose attractor class (:mod:`rnnchaos.attractor`) is chaotic enter (``attractor="chaotic"``);
every other network is kept in the file with the reason it was left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos.attractor import ATTRACTOR_CLASSES
from rnnchaos.dmft_euler import euler_dmft_point
from rnnchaos.io import with_grid_coords
from rnnchaos.status import NOT_COMPUTED

#: Outcome of an extrapolation (``status`` of :class:`Extrapolation`).
FIT_STATUS = {"ok": 0, "too_few_sizes": 1, "too_few_samples": 2}
#: Fewest sizes for the linear form A_inf + a/N (two parameters and at least one degree of freedom).
MIN_SIZES = 3
#: Fewest networks per size for a network-to-network standard error.
MIN_SAMPLES = 2


@dataclass(frozen=True)
class Extrapolation:
    """Result of :func:`extrapolate` (NaN where the status is not ``"ok"``).

    ``mean``, ``sem``, ``n`` are per size (the data of the fit); ``value``/``value_sem`` the extrapolated
    ``A_inf``; ``slope`` the coefficient ``a`` of ``1/N``; ``chi2_dof`` the reduced chi-square of the linear fit;
    ``value_quad``/``value_quad_sem`` the intercept of the quadratic form (NaN with fewer than 4 sizes).
    """

    N: np.ndarray
    mean: np.ndarray
    sem: np.ndarray
    n: np.ndarray
    value: float
    value_sem: float
    slope: float
    slope_sem: float
    chi2_dof: float
    value_quad: float
    value_quad_sem: float
    status: str
    detail: str
    value_slope_cov: float = float("nan")

    def z_score(self, theory: float) -> float:
        """``(A_inf - theory) / sem(A_inf)``; NaN when the fit failed or the theory value is missing."""
        if self.status != "ok" or not np.isfinite(theory) or not self.value_sem > 0:
            return float("nan")
        return float((self.value - theory) / self.value_sem)


def size_means(samples: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-size mean, standard error of the mean (networks as samples) and count of finite samples.

    Non-finite samples (failed or not computed networks) are left out; a size with fewer than
    :data:`MIN_SAMPLES` finite samples gets NaN mean and error.
    """
    mean, sem, n = [], [], []
    for s in samples:
        s = np.asarray(s, dtype=float).ravel()
        s = s[np.isfinite(s)]
        n.append(s.size)
        if s.size >= MIN_SAMPLES:
            mean.append(s.mean())
            sem.append(s.std(ddof=1) / np.sqrt(s.size))
        else:
            mean.append(np.nan)
            sem.append(np.nan)
    return np.array(mean), np.array(sem), np.array(n, dtype=int)


def extrapolate(N: Sequence[int], samples: Sequence[np.ndarray]) -> Extrapolation:
    """Fit ``A_inf + a/N`` (and ``+ b/N^2`` with >= 4 sizes) to per-network samples at each size ``N``.

    Parameters
    ----------
    N : sizes, one per entry of ``samples`` (distinct, >= 1).
    samples : for each size, the observable of every network (NaN for a failed or missing network).

    A size whose standard error is zero (identical samples) is weighted with the smallest positive error of the
    other sizes, so that one degenerate size cannot pin the fit. Sizes with fewer than :data:`MIN_SAMPLES` finite
    samples are left out; fewer than :data:`MIN_SIZES` usable sizes give status ``"too_few_sizes"``.
    """
    N = np.asarray(N, dtype=float)
    if N.ndim != 1 or len(samples) != N.size:
        raise ValueError(f"N and samples must have the same length, got {N.size} and {len(samples)}")
    if np.any(N < 1) or np.unique(N).size != N.size:
        raise ValueError(f"N must be distinct sizes >= 1, got {N.tolist()}")
    mean, sem, n = size_means(samples)
    use = np.isfinite(mean)
    nan = float("nan")
    fail = dict(N=N.astype(int), mean=mean, sem=sem, n=n, value=nan, value_sem=nan, slope=nan, slope_sem=nan,
                chi2_dof=nan, value_quad=nan, value_quad_sem=nan, value_slope_cov=nan)
    if use.sum() < MIN_SIZES:
        status = "too_few_samples" if N.size >= MIN_SIZES else "too_few_sizes"
        return Extrapolation(**fail, status=status,
                             detail=f"{int(use.sum())} sizes with >= {MIN_SAMPLES} finite samples "
                                    f"(sizes {N.astype(int).tolist()}, samples {n.tolist()}); need >= {MIN_SIZES}")
    x, y, e = 1.0 / N[use], mean[use], sem[use].copy()
    positive = e[e > 0]
    floor = positive.min() if positive.size else max(1e-12, 1e-12 * np.abs(y).max())
    e[e <= 0] = floor
    coef, cov, chi2_dof = _wls(np.column_stack([np.ones_like(x), x]), y, e)
    quad, quad_sem = nan, nan
    if x.size >= 4:
        cq, covq, _ = _wls(np.column_stack([np.ones_like(x), x, x**2]), y, e)
        quad, quad_sem = float(cq[0]), float(np.sqrt(covq[0, 0]))
    return Extrapolation(
        N=N.astype(int), mean=mean, sem=sem, n=n, value=float(coef[0]), value_sem=float(np.sqrt(cov[0, 0])),
        slope=float(coef[1]), slope_sem=float(np.sqrt(cov[1, 1])), chi2_dof=chi2_dof, value_quad=quad,
        value_quad_sem=quad_sem, status="ok", detail="", value_slope_cov=float(cov[0, 1]))


def _wls(X: np.ndarray, y: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted least squares: coefficients, covariance inflated by max(1, chi2/dof), and chi2/dof."""
    w = 1.0 / e
    coef, *_ = np.linalg.lstsq(X * w[:, None], y * w, rcond=None)
    cov = np.linalg.inv((X * w[:, None] ** 2).T @ X)
    dof = y.size - X.shape[1]
    chi2 = float(np.sum(((y - X @ coef) * w) ** 2))
    chi2_dof = chi2 / dof if dof > 0 else float("nan")
    if dof > 0 and chi2_dof > 1:
        cov = cov * chi2_dof
    return coef, cov, chi2_dof


# --- the finite-size stage: one (g, sigma_b) of a model's summary ------------------------------------------------
#: Observables extrapolated: summary variable (or None: computed), its status, its mean-field variable, long name.
OBSERVABLES = {
    "lambda_max": ("lyap_lambda_max", "lyap_status", "dmft_lambda_max", "largest Lyapunov exponent"),
    "delta0": ("sim_delta0", "sim_status", "dmft_delta0", "population variance Delta0"),
    "delta_inf": ("sim_delta_inf_overlap", "sim_status", "dmft_delta_inf",
                  "frozen variance Delta_inf (replica overlap)"),
    "d_ky_per_n": (None, "lyap_status", None, "Kaplan-Yorke dimension per unit D_KY/N (full spectra only)"),
}
#: Why a network did or did not enter an extrapolation (flags of ``<observable>_seed_use``).
SEED_USE = {"included": 0, "fixed_point": 1, "limit_cycle": 2, "undecided": 3, "failed": 4, "not_computed": 5,
            "no_value": 6, "noise_driven": 7}
#: Which networks enter a comparison with the chaotic mean-field solution.
SELECTIONS = ("chaotic", "all")


def comparison_seeds(summary: xr.Dataset, *, attractor: str = "chaotic") -> xr.DataArray:
    """Boolean (g, sigma_b, N, seed): the networks an average compared with mean-field theory includes.

    Where DMFT calls (g, sigma_b) chaotic (``dmft_chaotic == 1``) and ``attractor == "chaotic"``: the networks
    whose attractor class is chaotic; elsewhere (DMFT not chaotic, or ``attractor == "all"``): every network.
    """
    if attractor not in SELECTIONS:
        raise ValueError(f"attractor must be one of {SELECTIONS}, got {attractor!r}")
    every = xr.ones_like(summary["lyap_lambda_max"] if "lyap_lambda_max" in summary else summary["sim_delta0"],
                         dtype=bool)
    if attractor == "all":
        return every
    chaotic_theory = summary["dmft_chaotic"] == 1
    chaotic_net = summary["attractor"] == ATTRACTOR_CLASSES["chaotic"] if "attractor" in summary else ~every
    return (every & (chaotic_net | ~chaotic_theory)).transpose(*every.dims)


def seed_use(values: xr.DataArray, status: xr.DataArray, classes: xr.DataArray, select: xr.DataArray) -> xr.DataArray:
    """``int8`` flags of :data:`SEED_USE` per (N, seed): included, the attractor class that left a network out,
    failed (non-zero status), not computed (no file: status ``not_computed``) or no value (a file without this
    observable, e.g. D_KY/N where the spectrum is not full)."""
    names = {v: k for k, v in ATTRACTOR_CLASSES.items()}
    out = np.full(values.shape, SEED_USE["included"], dtype=np.int8)
    st, cl, sel, val = (np.asarray(a.values) for a in xr.broadcast(status, classes, select, values))
    for idx in np.ndindex(out.shape):
        if st[idx] < 0:
            out[idx] = SEED_USE["not_computed"]
        elif st[idx] != 0:
            out[idx] = SEED_USE["failed"]
        elif not np.isfinite(val[idx]):
            out[idx] = SEED_USE["no_value"]
        elif not sel[idx]:
            out[idx] = SEED_USE[names.get(int(cl[idx]), "undecided")]
    return xr.DataArray(out, dims=values.dims, coords=values.coords, attrs={
        "units": "1", "long_name": "whether the network entered the extrapolation, or why not",
        "flag_values": np.array(list(SEED_USE.values()), dtype=np.int8), "flag_meanings": " ".join(SEED_USE)})


def finite_size_dataset(summary: xr.Dataset, *, g: float, sigma_b: float, sigma_xi: float = 0.0,
                        attractor: str = "chaotic", euler_dt: float | None = None,
                        nonlinearity: str = "tanh") -> xr.Dataset:
    """The extrapolation to N -> infinity of every observable of :data:`OBSERVABLES` at one (g, sigma_b), and one
    noise amplitude ``sigma_xi`` where the summary has that dimension (the file then carries its coordinate).

    Per observable ``o``: ``o_inf``, ``o_inf_sem``, ``o_slope`` (+ sem), ``o_inf_slope_cov``, ``o_chi2_dof``,
    ``o_inf_quad`` (+ sem; >= 4 sizes), ``o_dmft``, ``o_z`` = (o_inf - o_dmft) / o_inf_sem, ``o_status`` (flags of
    :data:`FIT_STATUS`, with a ``detail`` naming the sizes, counts and reasons), per size ``o_mean``, ``o_sem``,
    ``o_n_included``, ``o_n_excluded``, and per network ``o_sample`` and ``o_seed_use`` (:data:`SEED_USE`).
    Networks enter as selected by :func:`comparison_seeds`; sizes where the observable's stage has no file are
    left out of its fit. ``attractor`` (N, seed) and ``dmft_chaotic`` are copied from the summary.

    ``euler_dt``: the step of a rate network integrated by forward Euler (None: a map, RK4 or a noisy network). Its
    exponents are those of the discretised flow, so ``lambda_max`` and ``delta0`` are also compared with the
    mean-field theory of that map (:func:`rnnchaos.dmft_euler.euler_dmft_point`, same ``g``, ``sigma_b``, ``h =
    euler_dt``, ``nonlinearity``): ``o_dmft_euler`` and ``o_z_euler``; the gap between ``o_dmft`` and
    ``o_dmft_euler`` is the step's, not a finite-size effect.
    """
    at = {"g": g, "sigma_b": sigma_b, **({"sigma_xi": sigma_xi} if "sigma_xi" in summary.dims else {})}
    p = summary.sel(at)
    select = comparison_seeds(summary, attractor=attractor).sel(at)
    classes = p["attractor"] if "attractor" in p else xr.full_like(select, NOT_COMPUTED, dtype=np.int8)
    chaotic = float(p["dmft_chaotic"]) if "dmft_chaotic" in p else float("nan")
    dmft_ok = "dmft_status" in p and int(p["dmft_status"]) == 0
    data: dict[str, xr.DataArray] = {}
    unit = "1/tau or 1/step (the model's time unit)"
    for o, (var, status_var, theory_var, name) in OBSERVABLES.items():
        status = p[status_var] if status_var in p else xr.full_like(select, NOT_COMPUTED, dtype=np.int8)
        values = _values(p, o, var)
        use = seed_use(values, status, classes, select)
        computed = [n for n in p.N.values if bool((use.sel(N=n) != SEED_USE["not_computed"]).any())]
        samples = [values.sel(N=n).where(use.sel(N=n) == 0).values for n in computed]
        fit = extrapolate(computed, samples)
        theory = float(p[theory_var]) if theory_var and theory_var in p and dmft_ok else float("nan")
        units = unit if o == "lambda_max" else "1"
        scalars = {"inf": (fit.value, f"{name}, extrapolated to N -> infinity (A_inf of A_inf + a/N)", units),
                   "inf_sem": (fit.value_sem, f"standard error of {o}_inf (Birge-inflated)", units),
                   "slope": (fit.slope, f"coefficient a of 1/N of {o}", units),
                   "slope_sem": (fit.slope_sem, f"standard error of {o}_slope", units),
                   "inf_slope_cov": (fit.value_slope_cov, f"covariance of {o}_inf and {o}_slope", "1"),
                   "chi2_dof": (fit.chi2_dof, f"reduced chi-square of the linear fit of {o}", "1"),
                   "inf_quad": (fit.value_quad, f"{o}_inf of the form A_inf + a/N + b/N^2 (>= 4 sizes)", units),
                   "inf_quad_sem": (fit.value_quad_sem, f"standard error of {o}_inf_quad", units),
                   "dmft": (theory, f"mean-field {name} (N -> infinity theory)", units),
                   "z": (fit.z_score(theory), f"z-score ({o}_inf - {o}_dmft) / {o}_inf_sem", "1")}
        for key, (value, long_name, u) in scalars.items():
            data[f"{o}_{key}"] = xr.DataArray(float(value), attrs={"units": u, "long_name": long_name})
        data[f"{o}_status"] = xr.DataArray(np.int8(FIT_STATUS[fit.status]), attrs={
            "units": "1", "long_name": f"outcome of the extrapolation of {o}",
            "flag_values": np.array(list(FIT_STATUS.values()), dtype=np.int8), "flag_meanings": " ".join(FIT_STATUS),
            "detail": "; ".join(filter(None, [fit.detail, _reasons(use)]))})
        per_n = {"mean": (fit.mean, f"mean of {o} over the included networks", units),
                 "sem": (fit.sem, f"standard error of {o}_mean (networks as samples)", units)}
        for key, (arr, long_name, u) in per_n.items():
            data[f"{o}_{key}"] = _on_sizes(arr, computed, p.N.values, long_name, u)
        data[f"{o}_n_included"] = (use == 0).sum("seed").astype(float).assign_attrs(
            units="1", long_name=f"networks in the extrapolation of {o}")
        data[f"{o}_n_excluded"] = ((use != 0) & (use != SEED_USE["not_computed"])).sum("seed").astype(float) \
            .assign_attrs(units="1", long_name=f"networks with a file left out of {o} (see {o}_seed_use)")
        data[f"{o}_sample"] = values.astype(float).assign_attrs(units=units, long_name=f"{name} of every network")
        data[f"{o}_seed_use"] = use
    if euler_dt is not None and dmft_ok and float(sigma_xi) == 0.0:
        euler = euler_dmft_point(g, sigma_b, h=euler_dt, nonlinearity=nonlinearity)
        for o, value in (("lambda_max", euler.lambda_max), ("delta0", euler.delta0)):
            units = data[f"{o}_inf"].attrs["units"]
            data[f"{o}_dmft_euler"] = xr.DataArray(float(value), attrs={"units": units, "long_name": (
                f"mean-field {OBSERVABLES[o][3]} of the forward-Euler map at dt = {euler_dt:g} (what is integrated)")})
            sem = float(data[f"{o}_inf_sem"])
            z = (float(data[f"{o}_inf"]) - float(value)) / sem if np.isfinite(sem) and sem > 0 else float("nan")
            data[f"{o}_z_euler"] = xr.DataArray(z, attrs={"units": "1", "long_name": (
                f"z-score ({o}_inf - {o}_dmft_euler) / {o}_inf_sem")})
    flags = {"not_computed": NOT_COMPUTED, **ATTRACTOR_CLASSES}
    data["attractor"] = xr.DataArray(classes.values.astype(np.int8), dims=classes.dims, coords=classes.coords, attrs={
        "units": "1", "long_name": "attractor of the simulated network (rnnchaos.attractor)",
        "flag_values": np.array(list(flags.values()), dtype=np.int8), "flag_meanings": " ".join(flags)})
    data["dmft_chaotic"] = xr.DataArray(chaotic, attrs={"units": "1", "long_name": "1 if DMFT calls the point "
                                                         "chaotic, 0 if not, NaN if the theory failed"})
    ds = xr.Dataset(data).drop_vars([c for c in at if c in p.coords], errors="ignore")
    ds.attrs["selection"] = (f"attractor={attractor}: " + ("where dmft_chaotic == 1 only networks of attractor class "
                             "chaotic enter; elsewhere every network" if attractor == "chaotic" else "every network"))
    return with_grid_coords(ds, **at)


def finite_size_datasets(summary: xr.Dataset, *, attractor: str = "chaotic", euler_dt: float | None = None,
                         nonlinearity: str = "tanh") -> dict[tuple[float, float, float], xr.Dataset]:
    """:func:`finite_size_dataset` at every (g, sigma_b, sigma_xi) of the summary, keyed by (g, sigma_b, sigma_xi)
    (sigma_xi 0 where the summary has no such dimension)."""
    noise = summary.sigma_xi.values if "sigma_xi" in summary.dims else [0.0]
    return {(float(g), float(sb), float(x)): finite_size_dataset(summary, g=float(g), sigma_b=float(sb),
                                                                 sigma_xi=float(x), attractor=attractor,
                                                                 euler_dt=euler_dt, nonlinearity=nonlinearity)
            for g in summary.g.values for sb in summary.sigma_b.values for x in noise}


def _values(p: xr.Dataset, o: str, var: str | None) -> xr.DataArray:
    """The observable per (N, seed): a summary variable, or D_KY/N where the spectrum is full (k = N)."""
    shape = p["lyap_lambda_max"] if "lyap_lambda_max" in p else p["sim_delta0"]
    if var is not None:
        return p[var] if var in p else xr.full_like(shape, np.nan, dtype=float)
    if "lyap_d_ky" not in p or "lyap_exponent" not in p:
        return xr.full_like(shape, np.nan, dtype=float)
    full = np.isfinite(p["lyap_exponent"]).sum("i") == p.N
    return (p["lyap_d_ky"] / p.N).where(full)


def _on_sizes(arr: np.ndarray, computed, sizes, long_name: str, units: str) -> xr.DataArray:
    out = xr.DataArray(np.full(len(sizes), np.nan), dims="N", coords={"N": sizes},
                       attrs={"units": units, "long_name": long_name})
    for n, v in zip(computed, np.asarray(arr, dtype=float), strict=False):
        out.loc[{"N": n}] = v
    return out


def _reasons(use: xr.DataArray) -> str:
    """``"N=100: 3 of 4 included, left out: fixed_point seed 2"`` for every size with a network left out."""
    names = {v: k for k, v in SEED_USE.items()}
    parts = []
    for n in use.N.values:
        u = use.sel(N=n).values
        have = u != SEED_USE["not_computed"]
        out = [f"{names[int(c)]} seed {int(s)}" for s, c in zip(use.seed.values, u, strict=True)
               if c not in (SEED_USE["included"], SEED_USE["not_computed"])]
        if out:
            parts.append(f"N={int(n)}: {int((u == 0).sum())} of {int(have.sum())} included, left out: {', '.join(out)}")
    return "; ".join(parts)


def fit_growth_rate(N: Sequence[int], y: Sequence[float], sem: Sequence[float]) -> tuple[float, float, float]:
    """Slope ``s`` of ``y_N = c + s N`` by weighted least squares (weights ``1 / sem_N^2``), its standard error
    (Birge-inflated as in :func:`extrapolate`) and ``chi2 / dof`` (NaN with two sizes). For the growth rate
    ``d ln E[#] / dN`` of a count against the complexity ``Sigma`` (:mod:`rnnchaos.fixed_point_pooling`).
    Sizes with a non-finite value or error are left out; fewer than 2 give NaN."""
    N, y, e = (np.asarray(a, dtype=float) for a in (N, y, sem))
    if not N.shape == y.shape == e.shape or N.ndim != 1:
        raise ValueError(f"N, y and sem must be 1-D of one length, got {N.shape}, {y.shape}, {e.shape}")
    use = np.isfinite(y) & np.isfinite(e) & (e > 0)
    if use.sum() < 2:
        return float("nan"), float("nan"), float("nan")
    coef, cov, chi2_dof = _wls(np.column_stack([np.ones(int(use.sum())), N[use]]), y[use], e[use])
    return float(coef[1]), float(np.sqrt(cov[1, 1])), chi2_dof
