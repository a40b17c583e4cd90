"""Figures of the paper studies (config section ``paper``): each states a published claim with theory and
simulation side by side, and writes the agreement into its legend.

* ``scs_autocorrelation`` — Sompolinsky, Crisanti & Sommers 1988: Delta(tau)/Delta0 for several g vs DMFT.
* ``spectra_collapse`` — Engelken, Wolf & Abbott 2020: full spectra vs i/N collapse; D_KY/N, entropy rate vs g.
* ``radial_separation`` — Stubenrauch et al. 2022: <x*^2> of fixed points vs Kac-Rice, and Delta0 of the dynamics.
* ``jacobian_spectrum`` — eigenvalues of the Jacobians at fixed points vs the predicted disc.
* ``fixed_point_count`` — number of fixed points vs N against the Kac-Rice complexity exp(N Sigma).
* ``qr_convergence`` — running exponent estimates vs time and independence of the QR interval t_ons.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, ScalarFormatter

from rnnchaos.io import point_values
from rnnchaos.plotting import MODEL_TITLE, RATE_UNIT, TIME_UNIT, Drawing, _colours, delta0_agreement, listed, seed_stats


def scs_autocorrelation(summary: xr.Dataset, *, model: str) -> Drawing:
    """Normalised autocorrelation Delta(tau)/Delta0 at the largest N for the chaotic g, one panel per sigma_b."""
    s = summary.sel(N=summary.N.max())
    sigmas = s.sigma_b.values[:2]
    fig = Figure(figsize=(4.4 * len(sigmas), 3.8), layout="constrained")
    axes = fig.subplots(1, len(sigmas), sharey=True, squeeze=False)[0]
    drawn = set()
    for ax, sb in zip(axes, sigmas, strict=True):
        p = s.sel(sigma_b=sb)
        gs = [g for g in p.g.values if float(p["dmft_chaotic"].sel(g=g)) == 1] or list(p.g.values)
        drawn.update(gs)
        for c, g in zip(_colours(len(gs)), gs, strict=True):
            q = p.sel(g=g)
            mean, sem, _ = seed_stats(q["sim_delta"] / q["sim_delta0"], q["sim_status"])
            d0, d0_sem, _ = seed_stats(q["sim_delta0"], q["sim_status"])
            label = rf"g={g:g}: $\Delta_0$ {float(d0):.3g}$\pm${float(d0_sem):.2g} (DMFT {float(q['dmft_delta0']):.3g})"
            ax.errorbar(q.tau.values, mean.values, yerr=sem.values, fmt="o", ms=2.5, color=c, label=label)
            if int(q["dmft_status"]) == 0:
                ax.plot(q.tau_dmft.values, (q["dmft_delta"] / q["dmft_delta0"]).values, color=c, lw=1.2)
        ax.axhline(0, color="grey", lw=0.6, ls=":")
        ax.set_xlim(0, float(s.tau.max()))
        ax.set_xlabel(rf"lag $\tau$ [{TIME_UNIT[model]}]")
        ax.set_title(rf"$\sigma_b$ = {sb:g}; dots: N = {int(s.N)}, lines: DMFT", fontsize=9)
        ax.legend(fontsize=6.5)
    axes[0].set_ylabel(r"$\Delta(\tau)/\Delta_0$ [1]")
    fig.suptitle(f"{MODEL_TITLE[model]}\nnormalised autocorrelation (SCS 1988)", fontsize=9)
    caption = (f"Normalised autocorrelation Delta(tau)/Delta0 of the chaotic state of the {model} model "
               f"(Sompolinsky, Crisanti & Sommers 1988): simulation at N = {int(s.N)} (dots, mean +- SEM over "
               f"{s.sizes['seed']} seed(s)) against dynamical mean-field theory (lines) for g = "
               f"{listed(sorted(drawn))} (the gains mean-field theory calls chaotic), one panel per sigma_b in "
               f"{listed(sigmas)}.")
    return Drawing(fig, delta0_agreement(s.sel(sigma_b=sigmas)), caption)


def spectra_collapse(full: Sequence[xr.Dataset], *, model: str) -> Drawing:
    """Full spectra lambda_i vs i/N for each N at one g; D_KY/N and entropy rate vs g at the largest N."""
    rows = [(float(ds.g.item()), float(ds.sigma_b.item()), int(ds.N.item()), ds) for ds in full
            if int(point_values(ds, "status")) == 0]
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    ax_s, ax_d = fig.subplots(1, 2)
    gs = sorted({r[0] for r in rows})
    n_max = max(r[2] for r in rows)
    g_ref = max(gs, key=lambda g: sum(1 for r in rows if r[0] == g))  # the g with the N series
    for n in sorted({r[2] for r in rows if r[0] == g_ref}):
        spectra = np.array([point_values(r[3], "exponent") for r in rows if r[0] == g_ref and r[2] == n])
        dky = np.mean([float(point_values(r[3], "d_ky")) for r in rows if r[0] == g_ref and r[2] == n]) / n
        ax_s.plot(np.arange(1, n + 1) / n, spectra.mean(0), lw=1.2, label=f"N = {n}: $D_{{KY}}/N$ = {dky:.3f}")
    ax_s.axhline(0, color="grey", lw=0.6, ls=":")
    ax_s.set_xlabel(r"$i/N$ [1]")
    ax_s.set_ylabel(rf"$\lambda_i$ [{RATE_UNIT[model]}]")
    ax_s.set_title(rf"g = {g_ref:g}, $\sigma_b$ = {rows[0][1]:g} (mean over seeds)", fontsize=9)
    ax_s.legend(fontsize=7)
    at_n = [r for r in rows if r[2] == n_max]
    g_vals = sorted({r[0] for r in at_n})
    dky = [np.mean([float(point_values(r[3], "d_ky")) / n_max for r in at_n if r[0] == g]) for g in g_vals]
    ent = [np.mean([float(point_values(r[3], "entropy_rate")) / n_max for r in at_n if r[0] == g]) for g in g_vals]
    ax_d.plot(g_vals, dky, "o-", color="C0", label=r"$D_{KY}/N$")
    ax_d.set_xlabel(r"gain $g$ [1]")
    ax_d.set_ylabel(r"$D_{KY}/N$ [1]", color="C0")
    ax_e = ax_d.twinx()
    ax_e.plot(g_vals, ent, "s--", color="C3", label=r"$H/N$")
    ax_e.set_ylabel(rf"entropy rate / N [{RATE_UNIT[model]}]", color="C3")
    ax_d.set_title(f"N = {n_max}", fontsize=9)
    fig.suptitle(f"{MODEL_TITLE[model]}\nextensive chaos: full Lyapunov spectra (Engelken, Wolf & Abbott 2020)",
                 fontsize=9)
    per_n = {n: np.mean([float(point_values(r[3], "d_ky")) / n for r in rows if r[0] == g_ref and r[2] == n])
             for n in sorted({r[2] for r in rows if r[0] == g_ref})}
    vals = np.array(list(per_n.values()))
    spread = (vals.max() - vals.min()) / vals.mean() if vals.mean() > 0 else np.nan
    text = (f"At g = {g_ref:g}, D_KY/N = " + ", ".join(f"{v:.3f} (N = {n})" for n, v in per_n.items())
            + f": relative spread {100 * spread:.1f}% across N (extensive chaos if small).")
    n_seeds = len({int(r[3].seed.item()) for r in rows if "seed" in r[3].coords})
    caption = (f"Full Lyapunov spectra (k = N, QR method) of the {model} model (Engelken, Wolf & Abbott 2020): "
               f"lambda_i against i/N for N = {listed(list(per_n))} at g = {g_ref:g}, sigma_b = {rows[0][1]:g} "
               f"(left, mean over {n_seeds} seed(s); the curves collapse if chaos is extensive), and the "
               f"Kaplan-Yorke dimension D_KY/N and entropy rate H/N against g = {listed(g_vals)} at N = {n_max} "
               f"(right).")
    return Drawing(fig, text, caption)


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


def qr_convergence(t_ons: Sequence[xr.Dataset], *, model: str) -> Drawing:
    """Running estimates of the first exponents vs time, and the spectrum for each QR interval t_ons."""
    ok = [ds for ds in t_ons if int(point_values(ds, "status")) == 0]
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    ax_t, ax_s = fig.subplots(1, 2)
    ref = ok[len(ok) // 2] if ok else None
    if ref is not None:
        run = point_values(ref, "running")
        for j in range(run.shape[1]):
            ax_t.plot(ref.t_running.values, run[:, j], lw=1, label=rf"$\lambda_{{{j + 1}}}$")
        ax_t.set_title(f"t_ons = {float(point_values(ref, 't_ons')):g}", fontsize=9)
    ax_t.set_xscale("log")
    ax_t.xaxis.set_minor_formatter(NullFormatter())
    ax_t.set_xlabel(rf"averaging time [{TIME_UNIT[model]}]")
    ax_t.set_ylabel(rf"running estimate [{RATE_UNIT[model]}]")
    ax_t.legend(fontsize=7, ncols=2)
    for c, ds in zip(_colours(len(ok)), ok, strict=True):
        lam, sem = point_values(ds, "exponent"), point_values(ds, "exponent_sem")
        label = rf"t_ons = {float(point_values(ds, 't_ons')):g}: $\lambda_1$ = {lam[0]:.4f}$\pm${sem[0]:.4f}"
        ax_s.errorbar(ds.i.values, lam, yerr=sem, fmt="o-", ms=3, lw=0.8, color=c, capsize=2, label=label)
    ax_s.set_xlabel(r"index $i$ [1]")
    ax_s.set_ylabel(rf"$\lambda_i$ [{RATE_UNIT[model]}]")
    ax_s.legend(fontsize=7)
    p = ok[0] if ok else t_ons[0]
    fig.suptitle(rf"{MODEL_TITLE[model]}" "\n" rf"QR method, g = {float(p.g.item()):g}, "
                 rf"$\sigma_b$ = {float(p.sigma_b.item()):g}, N = {int(p.N.item())}", fontsize=9)
    lam1 = np.array([point_values(ds, "exponent")[0] for ds in ok])
    sem1 = np.array([point_values(ds, "exponent_sem")[0] for ds in ok])
    spread = (lam1.max() - lam1.min()) / np.sqrt(np.mean(sem1**2)) if lam1.size > 1 else 0.0
    intervals = ", ".join(f"{float(point_values(ds, 't_ons')):g}" for ds in ok)
    text = (f"lambda_1 over t_ons = {intervals}: {lam1.min():.6f} to {lam1.max():.6f}, "
            f"a spread of {spread:.2g} standard errors (the QR interval changes only rounding).")
    caption = (f"Convergence of the QR (Benettin) method for the {model} model at g = {float(p.g.item()):g}, "
               f"sigma_b = {float(p.sigma_b.item()):g}, N = {int(p.N.item())}: running estimates of the first "
               f"exponents against averaging time"
               + (f" at t_ons = {float(point_values(ref, 't_ons')):g}" if ref is not None else "")
               + f" (left), and the exponents lambda_i computed with QR intervals t_ons = {intervals} (right).")
    return Drawing(fig, text, caption)


FIGURES = {
    "scs_autocorrelation": scs_autocorrelation,
    "spectra_collapse": spectra_collapse,
    "radial_separation": radial_separation,
    "jacobian_spectrum": jacobian_spectrum,
    "fixed_point_count": fixed_point_count,
    "qr_convergence": qr_convergence,
}
