"""How much of the rate network's lambda_max is the Euler step: the exponent of the discretised flow at several dt.

The exponents of ``lyapunov_spectrum`` are those of the integrator's map (forward Euler or RK4 at step ``dt``), while
mean-field theory (SCS 1988) gives the continuous flow's. This prints, for each gain, the mean +- SEM over seeds of
lambda_max at N (default 1000), sigma_b = 0, for Euler at dt = 0.1, 0.05, 0.025 and RK4 at dt = 0.1, with each
network's value, so the step's share of a gap to DMFT can be read against the seed-to-seed error. Each scheme after
the first also prints its difference from the first, network by network (same network, same initial state): the
quenched network-to-network spread cancels in it.

Usage: ``python benchmarks/lyapunov_dt.py [--N 1000] [--g 1.5,2,3] [--seeds 4] [--t-sim 400]
[--schemes euler:0.1,euler:0.05,euler:0.025,rk4:0.1]`` (about 10 CPU-min at the defaults).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from rnnchaos import dmft, lyapunov, models, network

SCHEMES = "euler:0.1,euler:0.05,euler:0.025,rk4:0.1"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=1000)
    ap.add_argument("--g", default="1.5,2,3")
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--t-sim", type=float, default=400.0)
    ap.add_argument("--schemes", default=SCHEMES, help="method:dt pairs, the first the reference of the differences")
    a = ap.parse_args()
    schemes = [(m, float(dt)) for m, dt in (v.split(":") for v in a.schemes.split(","))]
    for g in (float(v) for v in a.g.split(",")):
        theory = dmft.dmft_point("rate", g, 0.0).lambda_max
        reference = None
        for method, dt in schemes:
            t0, lams = time.process_time(), []
            for seed in range(a.seeds):
                d = network.draw_disorder(a.N, seed)
                model = models.RateModel(d.couplings(g), d.biases(0.0), dt=dt, method=method)
                r = lyapunov.lyapunov_spectrum(model, k=1, t_sim=a.t_sim, t_ons=1.0,
                                               rng=network.rng_for(a.N, seed, "lyapunov"),
                                               x0=network.initial_state(a.N, seed))
                lams.append(r.lambda_max)
            lam = np.array(lams)
            print(f"N={a.N} g={g:g} {method} dt={dt:g}: lambda_max = {lam.mean():.4f} +- "
                  f"{lam.std(ddof=1) / np.sqrt(lam.size):.4f} (DMFT {theory:.4f}); networks {np.round(lam, 4)}; "
                  f"{time.process_time() - t0:.0f} CPU-s", flush=True)
            if reference is None:
                reference = lam
            else:
                d = lam - reference
                print(f"    minus {schemes[0][0]} dt={schemes[0][1]:g}, network by network: {d.mean():+.4f} +- "
                      f"{d.std(ddof=1) / np.sqrt(d.size):.4f}", flush=True)


if __name__ == "__main__":
    main()
