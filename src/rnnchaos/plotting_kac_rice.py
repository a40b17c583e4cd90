"""Paper figures of the fixed points against Kac-Rice theory (config section ``paper``; registered in
:data:`rnnchaos.figures.FIGURES`):

* ``radial_separation`` — Stubenrauch et al. 2022: <x*^2> of fixed points vs Kac-Rice, and Delta0 of the dynamics.
* ``jacobian_spectrum`` — eigenvalues of the Jacobians at fixed points vs the predicted disc.
* ``fixed_point_count`` — number of fixed points vs N against the Kac-Rice complexity exp(N Sigma).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, ScalarFormatter

from rnnchaos.io import point_values
from rnnchaos.plotting_base import MODEL_TITLE, Drawing, listed, seed_stats


def radial_separation(summary: xr.Dataset, kac_rice: Sequence[xr.Dataset], *, model: str) -> Drawing:
    """<x*^2> of the fixed points by the kind of start that found them against Kac-Rice, and Delta0 of the
    dynamics (simulated; DMFT), vs g.

    Only the unbiased sample (points reached from Gaussian draws of the Kac-Rice variance,
    :data:`rnnchaos.fixed_points.UNBIASED_ROOTS`) is compared with Kac-Rice; the points reached from trajectory
    states (near the attractor) and from homotopy paths (one connected chain) are drawn as their own series. Where
    no network has an unbiased sample at a chaotic g, the panel and the agreement text say so instead of drawing
    a biased mean as the population's. Means +- SEM over networks (each network's sample mean counts once).
    """
    s = summary.sel(N=summary.N.max())
    sigmas = s.sigma_b.values[:2]
    theory = {(round(float(ds.g.item()), 12), round(float(ds.sigma_b.item()), 12)): ds for ds in kac_rice}
    fig = Figure(figsize=(4.2 * len(sigmas), 3.8), layout="constrained")
    axes = fig.subplots(1, len(sigmas), sharey=True, squeeze=False)[0]
    series = (("unbiased", "o", "C1", "fixed points, Gaussian starts (unbiased)"),
              ("trajectory", "^", "C3", "fixed points, trajectory starts"),
              ("homotopy", "d", "0.55", "fixed points, homotopy path"))
    for ax, sb in zip(axes, sigmas, strict=True):
        p = s.sel(sigma_b=sb)
        g = p.g.values
        for k, (c, marker, colour, label) in enumerate(series):
            mean, sem = _origin_mean(p, c)
            shift = 0.02 * (k - 1) * (g.max() - g.min())  # side by side where the series overlap
            ax.errorbar(g + shift, mean, yerr=np.nan_to_num(sem), fmt=marker, color=colour,
                        ms=4.5 if c == "unbiased" else 3.5, mfc=colour if c == "unbiased" else "none",
                        label=label)
        d0, d0_sem, _ = seed_stats(p["sim_delta0"], p["sim_status"])
        ax.errorbar(g, d0.values, yerr=d0_sem.values, fmt="s", color="C0", label=r"dynamics $\Delta_0$")
        ax.plot(g, _kac_rice_values(theory, g, sb), "-", color="C1", label=r"Kac-Rice $<y^2>_{\mu_*}$")
        ax.plot(g, p["dmft_delta0"].values, "-", color="C0", label=r"DMFT $\Delta_0$")
        for gi in g[_no_unbiased(p)]:
            ax.annotate("no unbiased sample", (gi, 0.02), xycoords=("data", "axes fraction"), rotation=90,
                        fontsize=6.5, ha="center", va="bottom", color="C1")
        ax.set_xlabel(r"gain $g$ [1]")
        ax.set_title(rf"$\sigma_b$ = {sb:g}, N = {int(s.N)}", fontsize=9)
    axes[0].set_ylabel(r"mean squared coordinate [1]")
    axes[0].legend(fontsize=6.5)
    fig.suptitle(f"{MODEL_TITLE[model]}\nradial separation of fixed points and dynamics\n(Stubenrauch et al. 2022)",
                 fontsize=9)
    text = _radial_agreement(s.sel(sigma_b=sigmas[0]), theory, float(sigmas[0]), int(s.N))
    caption = (f"Radial separation of fixed points and dynamics in the {model} model (Stubenrauch et al. 2022): "
               f"mean squared coordinate <x*^2> of the fixed points other than 0 reached from Gaussian draws of the "
               f"Kac-Rice variance (filled circles, the unbiased sample compared with Kac-Rice <y^2>_mu*, line), "
               f"from trajectory states (triangles) and from homotopy paths (diamonds), and the variance Delta0 of "
               f"the dynamics (squares, simulated; DMFT, line) against g = {listed(s.g.values)} at N = {int(s.N)}, "
               f"mean +- SEM over up to {s.sizes['seed']} network(s) (those with such points; each network's "
               f"sample mean counts once), one panel per sigma_b in {listed(sigmas)}.")
    return Drawing(fig, text, caption)


def _origin_mean(p: xr.Dataset, c: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SEM over networks of <x*^2> of origin class ``c`` (NaN where the summary has no such sample; SEM
    NaN from one network)."""
    name = f"fp_mean_sq_radius_from_{c}"
    if f"{name}_seed_mean" not in p:
        return np.full(p.sizes["g"], np.nan), np.full(p.sizes["g"], np.nan)
    return p[f"{name}_seed_mean"].values, p[f"{name}_seed_sem"].values


def _no_unbiased(p: xr.Dataset) -> np.ndarray:
    """Chaotic gains (mean field) where no network has an unbiased sample of fixed points."""
    n = p["fp_networks_from_unbiased"].values if "fp_networks_from_unbiased" in p else np.zeros(p.sizes["g"])
    return (p["dmft_chaotic"].values == 1) & ~(n > 0)


def _kac_rice_values(theory: dict, gs: np.ndarray, sb: float) -> np.ndarray:
    kr = [theory.get((round(float(g), 12), round(float(sb), 12))) for g in gs]
    return np.array([float(point_values(t, "mean_sq_radius")) if t is not None and int(point_values(t, "status")) == 0
                     else np.nan for t in kr])


def _pm(mean: float, sem: float) -> str:
    return f"{mean:.2f} +- {sem:.2f}" if np.isfinite(sem) else f"{mean:.2f} (no error from one network)"


def _radial_agreement(p: xr.Dataset, theory: dict, sb: float, n_units: int) -> str:
    """Per chaotic g: the unbiased <x*^2> against Kac-Rice and the trajectory-started one against Delta0, or
    why there is no unbiased sample."""
    d0, _, _ = seed_stats(p["sim_delta0"], p["sim_status"])
    _, _, failed = seed_stats(p["fp_n_fixed_points"], p["fp_status"])
    kr = _kac_rice_values(theory, p.g.values, sb)
    none = _no_unbiased(p)
    parts = []
    for i, g in enumerate(p.g.values):
        if float(p["dmft_chaotic"].sel(g=g)) != 1:
            continue
        (u, u_sem), (t, t_sem) = (_origin_mean(p.sel(g=[g]), c) for c in ("unbiased", "trajectory"))
        q = p.sel(g=g)
        fails = f", {int(failed.sel(g=g))} search(es) failed" if int(failed.sel(g=g)) else ""
        if none[i]:
            pooled = float(seed_stats(q["fp_mean_sq_radius"], q["fp_status"])[0]) if "seed" in q.dims else np.nan
            found = (f"the points found (<x*^2> {pooled:.2f}) are not the population's" if np.isfinite(pooled)
                     else "no other point was found")
            parts.append(f"g = {g:g}: no unbiased sample (no Gaussian start reached a fixed point in "
                         f"{int((q['fp_status'] == 0).sum())} network(s){fails}); {found}, Kac-Rice {kr[i]:.2f}")
            continue
        n_u = int(q["fp_networks_from_unbiased"])
        near = (f"trajectory-started {_pm(t[0], t_sem[0])}" if np.isfinite(t[0])
                else "no trajectory start reached a fixed point")
        parts.append(f"g = {g:g}: unbiased <x*^2> {_pm(u[0], u_sem[0])} ({n_u} network(s){fails}) vs "
                     f"Kac-Rice {kr[i]:.2f}; {near}, Delta0 {float(d0.sel(g=g)):.2f}")
    if not parts:
        return "No chaotic grid point with fixed points to compare."
    return (f"At sigma_b = {sb:g}, N = {n_units} (unbiased: points reached from Gaussian draws of the Kac-Rice "
            f"variance, each point once, mean +- SEM over networks): " + "; ".join(parts) + ".")


def jacobian_spectrum(fixed_points: Sequence[xr.Dataset], kac_rice_point: Sequence[xr.Dataset], *,
                      model: str) -> Drawing:
    """Jacobian eigenvalues at the fixed points found (pooled over seeds) against the Kac-Rice bulk: the disc, the
    radial law F(r) of |eigenvalue - centre| and the expected index per unit (points other than x* = 0)."""
    ok = [ds for ds in fixed_points if int(point_values(ds, "status")) == 0 and "eig_real" in ds]
    eig = [point_values(ds, "eig_real") + 1j * point_values(ds, "eig_imag") for ds in ok]
    nonzero = [np.abs(point_values(ds, "x")).max(axis=1, initial=0) > 1e-8 for ds in ok]
    ev = np.concatenate([e.ravel() for e in eig]) if ok else np.array([], complex)
    n_fp = sum(int(point_values(ds, "n_fixed_points")) for ds in ok)
    centre = -1.0 if model == "rate" else 0.0
    bulk = np.concatenate([e[m].ravel() for e, m in zip(eig, nonzero, strict=True)]) if ok else np.array([], complex)
    index = np.concatenate([point_values(ds, "n_unstable")[m] / ds.sizes["i"] for ds, m in
                            zip(ok, nonzero, strict=True)]) if ok else np.array([])
    fig = Figure(figsize=(9.0, 4.4), layout="constrained")
    ax, ax_r = fig.subplots(1, 2)
    ax.plot(ev.real, ev.imag, ".", ms=1.5, color="0.35", alpha=0.5,
            label=f"{ev.size} eigenvalues of {n_fp} fixed points")
    kr = kac_rice_point[0]
    theory = int(point_values(kr, "status")) == 0
    if theory:
        r = float(point_values(kr, "jacobian_radius"))
        t = np.linspace(0, 2 * np.pi, 400)
        inside = np.mean(np.abs(ev - centre) <= r) if ev.size else np.nan
        ax.plot(centre + r * np.cos(t), r * np.sin(t), color="C3", lw=1.5,
                label=f"Kac-Rice disc, radius {r:.3f} ({100 * inside:.1f}% inside)")
    ax.axvline(0.0 if model == "rate" else 1.0, color="grey", lw=0.8, ls=":", label="stability boundary")
    ax.set_aspect("equal")
    ax.set_xlabel("Re eigenvalue [1]")
    ax.set_ylabel("Im eigenvalue [1]")
    p = ok[0] if ok else kr
    fig.suptitle(rf"{MODEL_TITLE[model]}: g = {float(p.g.item()):g}, $\sigma_b$ = {float(p.sigma_b.item()):g}, "
                 f"N = {int(p.N.item()) if 'N' in p.coords else '?'}", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    modulus = np.sort(np.abs(bulk - centre))
    if modulus.size:
        ax_r.step(modulus, np.arange(1, modulus.size + 1) / modulus.size, where="post", color="0.3",
                  label=f"{modulus.size} eigenvalues, {index.size} points other than 0")
    ks = np.nan
    if theory and "bulk_radius" in kr:
        rr, F = point_values(kr, "bulk_radius"), point_values(kr, "bulk_cdf")
        ax_r.plot(rr, F, color="C3", lw=1.5, label="Kac-Rice radial law F(r)")
        if modulus.size:
            ks = float(np.abs(np.searchsorted(modulus, rr, side="right") / modulus.size - F).max())
    ax_r.set_xlabel(f"|eigenvalue - ({centre:g})| [1]")
    ax_r.set_ylabel("fraction of eigenvalues within [1]")
    ax_r.legend(fontsize=7, loc="upper left")
    if theory and ev.size:
        text = (f"{100 * inside:.1f}% of the {ev.size} Jacobian eigenvalues of {n_fp} fixed points lie inside the "
                f"Kac-Rice disc of radius {r:.3f} around {centre:g}.")
        if index.size and "bulk_radius" in kr:
            expected = float(point_values(kr, f"index_fraction_{model}"))
            text += (f" Radial law of the {index.size} points other than 0: largest distance between the measured "
                     f"and predicted F(r) {ks:.3f}; index / N {index.mean():.4f} (sd {index.std():.4f}) against the "
                     f"Kac-Rice bulk's {expected:.4f}.")
    else:
        text = "No Kac-Rice disc or no eigenvalues to compare."
    caption = (f"Jacobian eigenvalues at the {n_fp} fixed points of the {model} model found in {len(ok)} "
               f"network(s) at g = {float(p.g.item()):g}, sigma_b = {float(p.sigma_b.item()):g}"
               + (f", N = {int(p.N.item())}" if "N" in p.coords else "")
               + f": in the complex plane against the Kac-Rice disc around {centre:g} (left), and the fraction "
               f"within distance r of {centre:g} for the points other than x* = 0 against the Kac-Rice radial "
               f"law F(r) (right).")
    return Drawing(fig, text, caption)


def fixed_point_count(fixed_points_count: Sequence[xr.Dataset], kac_rice_point: Sequence[xr.Dataset], *,
                      model: str) -> Drawing:
    """Number of fixed points found vs N (mean over seeds, and the capture-recapture estimate) vs exp(N Sigma)."""
    rows = [(int(ds.N.item()), float(point_values(ds, "n_fixed_points")),
             float(point_values(ds, "capture_recapture_estimate"))) for ds in fixed_points_count
            if int(point_values(ds, "status")) == 0]
    sizes = np.array(sorted({r[0] for r in rows}))
    found = np.array([np.mean([r[1] for r in rows if r[0] == n]) for n in sizes])
    estimate = np.array([np.mean([r[2] for r in rows if r[0] == n]) for n in sizes])
    fig = Figure(figsize=(5.0, 3.8), layout="constrained")
    ax = fig.add_subplot()
    slope = np.polyfit(sizes, np.log(found), 1)[0] if sizes.size > 1 else np.nan
    ax.semilogy(sizes, found, "o", label=f"found (mean over seeds): slope {slope:.3f} per unit")
    ax.semilogy(sizes, estimate, "x", label="capture-recapture estimate")
    kr = kac_rice_point[0]
    if int(point_values(kr, "status")) == 0:
        sigma = float(point_values(kr, "complexity"))
        ref = found[0] * np.exp(sigma * (sizes - sizes[0]))
        ax.semilogy(sizes, ref, "-", color="black", label=rf"Kac-Rice $e^{{N\Sigma}}$, $\Sigma$ = {sigma:.3f}")
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("network size N [1]")
    ax.set_ylabel("number of fixed points [1]")
    p = fixed_points_count[0]
    ax.set_title(rf"{MODEL_TITLE[model]}" "\n" rf"g = {float(p.g.item()):g}, $\sigma_b$ = {float(p.sigma_b.item()):g}",
                 fontsize=9)
    ax.legend(fontsize=7)
    sigma = float(point_values(kr, "complexity")) if int(point_values(kr, "status")) == 0 else np.nan
    text = (f"The number of fixed points found grows as exp({slope:.3f} N) over N = {sizes.min()}..{sizes.max()}; "
            f"the Kac-Rice complexity is Sigma = {sigma:.3f}.")
    caption = (f"Number of fixed points of the {model} model against network size N = {listed(sizes)} at "
               f"g = {float(p.g.item()):g}, sigma_b = {float(p.sigma_b.item()):g}: found (circles, mean over "
               f"{len(rows) // max(sizes.size, 1)} network(s) per N) and the capture-recapture estimate of the "
               f"total (crosses), against the Kac-Rice growth exp(N Sigma) through the first point (line).")
    return Drawing(fig, text, caption)
