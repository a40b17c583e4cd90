"""The noise study's numbers (config/noise_large.yaml) from its results: lambda_max and Delta0 at the largest N and
extrapolated (finite_size stage) against the mean field with noise (z), and the noise-induced shift
lambda(sigma_xi) - lambda(0) network by network (same J) against the theory's.

    .venv/bin/python benchmarks/noise_table.py   # after: snakemake --configfile config.yaml config/noise_large.yaml
"""
import glob

import numpy as np
import xarray as xr


def mean_sem(v):
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    return (v.mean(), v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else (np.nan, np.nan)


for model in ("rate", "map"):
    s = xr.open_dataset(f"results/summary/{model}.nc").sel(sigma_b=0.0)
    n = int(s.N.max())
    print(f"## {model}: largest N = {n}")
    for g in s.g.values:
        p0 = s.sel(g=g, N=n, sigma_xi=0.0)
        for x in s.sigma_xi.values:
            p = s.sel(g=g, N=n, sigma_xi=x)
            lam, lam_e = mean_sem(p.lyap_lambda_max.where(p.lyap_status == 0))
            d0, d0_e = mean_sem(p.sim_delta0.where(p.sim_status == 0))
            th, th_d0 = float(p.dmft_lambda_max), float(p.dmft_delta0)
            line = (f"g = {g:g}, sigma_xi = {x:g}: lambda_max {lam:.4f} +- {lam_e:.4f} vs {th:.4f} "
                    f"(z {(lam - th) / lam_e:+.1f}); Delta0 {d0:.4f} +- {d0_e:.4f} vs {th_d0:.4f} "
                    f"(z {(d0 - th_d0) / d0_e:+.1f})")
            if x > 0:
                shift, shift_e = mean_sem(p.lyap_lambda_max.values - p0.lyap_lambda_max.values)
                th_shift = th - float(p0.dmft_lambda_max)
                z = (shift - th_shift) / shift_e
                line += f"; shift {shift:.4f} +- {shift_e:.4f} vs {th_shift:.4f} (z {z:+.1f}, r {shift / th_shift:.2f})"
            print(line)
    print(f"## {model}: extrapolated to N -> infinity")
    for f in sorted(glob.glob(f"results/finite_size/{model}/g~*/sigma_b~0/sigma_xi~*.nc")):
        ds = xr.open_dataset(f)
        v = lambda k, ds=ds: float(ds[k].values.ravel()[0]) if k in ds else np.nan  # noqa: E731
        print(f"{f.split(model + '/')[1]}: lambda_inf {v('lambda_max_inf'):.4f} +- {v('lambda_max_inf_sem'):.4f} vs "
              f"{v('lambda_max_dmft'):.4f} (z {v('lambda_max_z'):+.1f}); Delta0_inf {v('delta0_inf'):.4f} +- "
              f"{v('delta0_inf_sem'):.4f} vs {v('delta0_dmft'):.4f} (z {v('delta0_z'):+.1f})")
