"""The finite-size study's numbers (config/finite_size_paper.yaml, and config/finite_size_threshold.yaml for the
rate network at g = 1.5) from its results: for each (model, g, sigma_b) at sigma_xi = 0, lambda_max, Delta0 and
Delta_inf extrapolated to N -> infinity (A_inf + a/N, and + b/N^2 where there are >= 4 sizes) against the mean-field
theory (z), and for the rate network also against the mean field of the Euler map it integrates; then the per-N
means with the networks included and left out (by attractor class).

    .venv/bin/python benchmarks/finite_size_table.py   # after the studies (their headers give the commands)
"""
import glob

import numpy as np
import xarray as xr

from rnnchaos.finite_size import SEED_USE, extrapolate


def value(ds: xr.Dataset, name: str) -> float:
    return float(ds[name].values.ravel()[0]) if name in ds else np.nan


def fit_line(ds: xr.Dataset, o: str) -> str:
    inf, sem, th = value(ds, f"{o}_inf"), value(ds, f"{o}_inf_sem"), value(ds, f"{o}_dmft")
    if not np.isfinite(inf):
        return f"{o}: no fit ({ds[f'{o}_status'].attrs.get('detail', '') if f'{o}_status' in ds else ''})"
    line = (f"{o}_inf {inf:.4f} +- {sem:.4f} ({100 * sem / abs(inf):.1f} %) vs {th:.4f} (z {value(ds, f'{o}_z'):+.1f}, "
            f"chi2/dof {value(ds, f'{o}_chi2_dof'):.2f})")
    if f"{o}_dmft_euler" in ds and np.isfinite(value(ds, f"{o}_dmft_euler")):
        line += f"; Euler map {value(ds, f'{o}_dmft_euler'):.4f} (z {value(ds, f'{o}_z_euler'):+.1f})"
    quad, quad_sem = value(ds, f"{o}_inf_quad"), value(ds, f"{o}_inf_quad_sem")
    if np.isfinite(quad):
        ref = value(ds, f"{o}_dmft_euler") if np.isfinite(value(ds, f"{o}_dmft_euler")) else th
        line += f"; + b/N^2: {quad:.4f} +- {quad_sem:.4f} (z {(quad - ref) / quad_sem:+.1f})"
    return line


def largest_sizes(ds: xr.Dataset, o: str, n_sizes: int = 3) -> str:
    """A + a/N over the ``n_sizes`` largest sizes with included networks: is the linear form's trouble the small N?"""
    use = ds[f"{o}_seed_use"].squeeze() == 0
    values = ds[f"{o}_sample"].squeeze().where(use)
    sizes = [n for n in ds.N.values if int(use.sel(N=n).sum()) >= 2][-n_sizes:]
    if len(sizes) < n_sizes:
        return ""
    fit = extrapolate(sizes, [values.sel(N=n).values for n in sizes])
    th = value(ds, f"{o}_dmft_euler") if f"{o}_dmft_euler" in ds else value(ds, f"{o}_dmft")
    return (f"A + a/N over N = {', '.join(str(n) for n in sizes)}: {fit.value:.4f} +- {fit.value_sem:.4f} "
            f"(chi2/dof {fit.chi2_dof:.2f}, z {(fit.value - th) / fit.value_sem:+.1f})")


def attractor_counts(ds: xr.Dataset) -> str:
    """How many networks fell in each attractor class over all sizes: the simulated ones (a Delta0 file), and the
    Lyapunov-only ones (classed by lambda_max alone)."""
    att = ds["attractor"].squeeze()
    names = dict(zip(np.ravel(att.attrs["flag_values"]).tolist(), att.attrs["flag_meanings"].split(), strict=True))
    simulated = (ds["delta0_seed_use"].squeeze() != SEED_USE["not_computed"]).values

    def counted(mask):
        codes, counts = np.unique(att.values[mask], return_counts=True)
        return ", ".join(f"{names[int(c)]} {n}" for c, n in zip(codes, counts, strict=True)) or "none"

    return f"attractors, simulated: {counted(simulated)}; Lyapunov only: {counted(~simulated)}"


def per_n(ds: xr.Dataset, o: str) -> str:
    mean, sem = ds[f"{o}_mean"].values.ravel(), ds[f"{o}_sem"].values.ravel()
    inc, exc = ds[f"{o}_n_included"].values.ravel(), ds[f"{o}_n_excluded"].values.ravel()
    return "  ".join(f"N={n}: {m:.4f}+-{s:.4f} ({i:.0f} in, {e:.0f} out)"
                     for n, m, s, i, e in zip(ds.N.values, mean, sem, inc, exc, strict=True) if i + e > 0)


for f in sorted(glob.glob("results/finite_size/*/g~*/sigma_b~*/sigma_xi~0.nc")):
    ds = xr.open_dataset(f)
    print(f"## {f.removeprefix('results/finite_size/').removesuffix('/sigma_xi~0.nc')}"
          f" (DMFT chaotic: {value(ds, 'dmft_chaotic'):.0f})")
    print(f"  {attractor_counts(ds)}")
    for o in ("lambda_max", "delta0", "delta_inf"):
        print(f"  {fit_line(ds, o)}")
        print(f"    {per_n(ds, o)}")
        if o == "lambda_max" and value(ds, f"{o}_chi2_dof") > 3:
            print(f"    {largest_sizes(ds, o)}")
