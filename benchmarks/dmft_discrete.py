"""The simulation's extrapolated lambda_max against the mean field of the flow and of the Euler map it integrates.

For each ``(g, sigma_b)`` prints the continuous mean-field ``lambda_max`` and ``Delta0`` (SCS 1988,
``rnnchaos.dmft.dmft_point("rate", ...)``), the mean field of the Euler map at step ``h`` (default 0.1, the
simulation's ``lyapunov.dt``; ``rnnchaos.dmft_euler``), and, where the finite-size study has a file
(``results/finite_size/rate/g~{g}/sigma_b~{sigma_b}.nc``: ``lambda_max_inf +- lambda_max_inf_sem``, ``delta0_inf +-
delta0_inf_sem``, the N -> infinity extrapolation), that value with its z-scores against both theories. Then the
convergence of the Euler theory to the flow at ``(g, sigma_b) = (2, 0)``: ``lambda_max(h) - lambda_max(0)`` for
``h = 0.1 .. 0.0125`` (O(h): halves with ``h``), with the Richardson value ``2 lambda(h/2) - lambda(h)``.

Usage: ``python benchmarks/dmft_discrete.py [--h 0.1] [--g 1.5,2,3] [--sigma-b 0,0.5,1] [--root results]``
(about a minute; the theory only, the simulation's numbers are read). CPU seconds are printed per line.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rnnchaos import dmft, io
from rnnchaos.dmft_euler import euler_dmft_point
from rnnchaos.grid import format_value


def _finite_size(root: Path, g: float, sigma_b: float) -> dict[str, float] | None:
    path = root / "finite_size" / "rate" / f"g~{format_value(g)}" / f"sigma_b~{format_value(sigma_b)}.nc"
    if not path.is_file():
        return None
    ds = io.read_dataset(path, quarantine=False)
    keys = ("lambda_max_inf", "lambda_max_inf_sem", "delta0_inf", "delta0_inf_sem")
    return {k: float(ds[k].values.ravel()[0]) for k in keys if k in ds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--h", type=float, default=0.1, help="Euler step of the simulation")
    ap.add_argument("--g", default="1.5,2,3")
    ap.add_argument("--sigma-b", default="0,0.5,1")
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1] / "results"))
    a = ap.parse_args()
    root = Path(a.root)
    print(f"{'g':>4} {'s_b':>4} | {'lam flow':>9} {'lam Euler':>9} {'diff':>9} | {'lam sim':>15} {'z flow':>6} "
          f"{'z Euler':>7} | {'D0 flow':>8} {'D0 Euler':>8} {'D0 sim':>15} {'z flow':>6} {'z Euler':>7} | cpu s")
    for g in (float(v) for v in a.g.split(",")):
        for sb in (float(v) for v in a.sigma_b.split(",")):
            t0 = time.process_time()
            c, e = dmft.dmft_point("rate", g, sb), euler_dmft_point(g, sb, h=a.h)
            line = (f"{g:4g} {sb:4g} | {c.lambda_max:9.5f} {e.lambda_max:9.5f} {e.lambda_max - c.lambda_max:+9.5f} | ")
            fs = _finite_size(root, g, sb)
            if fs and "lambda_max_inf" in fs:
                m, s = fs["lambda_max_inf"], fs["lambda_max_inf_sem"]
                line += f"{m:7.4f}+-{s:6.4f} {(m - c.lambda_max) / s:+6.2f} {(m - e.lambda_max) / s:+7.2f} | "
            else:
                line += f"{'-':>15} {'-':>6} {'-':>7} | "
            line += f"{c.delta0:8.4f} {e.delta0:8.4f} "
            if fs and "delta0_inf" in fs:
                m, s = fs["delta0_inf"], fs["delta0_inf_sem"]
                line += f"{m:7.4f}+-{s:6.4f} {(m - c.delta0) / s:+6.2f} {(m - e.delta0) / s:+7.2f}"
            else:
                line += f"{'-':>15} {'-':>6} {'-':>7}"
            print(line + f" | {time.process_time() - t0:.1f}")
    c = dmft.dmft_point("rate", 2.0, 0.0)
    print(f"\nconvergence to the flow at g = 2, sigma_b = 0: lambda_max(0) = {c.lambda_max:.7f}, "
          f"Delta0(0) = {c.delta0:.7f}")
    print(f"{'h':>7} {'lambda_max':>11} {'diff':>11} {'ratio':>6} {'Richardson':>11} {'Delta0 diff':>12} | cpu s")
    prev = None
    for h in (0.1, 0.05, 0.025, 0.0125):
        t0 = time.process_time()
        r = euler_dmft_point(2.0, 0.0, h=h)
        d = r.lambda_max - c.lambda_max
        ratio = f"{prev[1] / d:6.3f}" if prev else f"{'-':>6}"
        rich = f"{2 * r.lambda_max - prev[0] - c.lambda_max:+11.2e}" if prev else f"{'-':>11}"
        print(f"{h:7g} {r.lambda_max:11.7f} {d:+11.3e} {ratio} {rich} {r.delta0 - c.delta0:+12.3e} | "
              f"{time.process_time() - t0:.1f}")
        prev = (r.lambda_max, d)


if __name__ == "__main__":
    main()
