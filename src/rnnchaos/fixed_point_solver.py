"""The fixed-point solver: batched Newton (capped, deflated, line search), its fallback and the verification step.

Kernels on a batch ``X`` (B, N) of points for a residual ``R(X)`` (B, N) -> (B, N) with Jacobian ``DR(X)``
(B, N, N); :mod:`rnnchaos.fixed_point_search` runs them and keeps the books.

* :func:`newton`: Newton on stacked ``(B, N, N)`` systems (``np.linalg.solve``) with the step length capped at a
  trust radius ``cap`` (optionally also an Armijo backtracking line search on ``|G|``; for random networks at
  g = 2 the capped full step converges 2-3 times as often). Deflated (Farrell, Birkisson & Funke, SIAM J. Sci.
  Comput. 37, A2026, 2015) when known roots are given: Newton on ``G(x) = M(x) R(x)``,
  ``M(x) = prod_k (ell^p / |x - x_k|^p + 1)`` over the 8 nearest known roots ``x_k`` (``p = 2``), whose step is
  the Newton step ``d`` of ``R`` divided by ``1 - d . grad ln M``, so a solve cannot return the point it started
  next to.
* :func:`levenberg_marquardt`: the fallback for stalled solves, minimisation of ``q = |R|^2 / 2`` (Sussillo &
  Barak 2013); its end points are fixed points (if ``q`` reaches the tolerance) or slow points with ``q``.
* :func:`polish`: the verification step, one final undeflated Newton step kept where it does not raise the
  residual, and the test ``|R(x*)|_inf < tol``.
"""

from __future__ import annotations

import numpy as np


def newton(R, DR, X, tol, max_iter, known, ell, cap, line_search=False, n_backtrack=12, n_deflate=8):
    """Newton from the rows of ``X`` with a step cap ``cap`` (optionally deflated, optionally with an Armijo line
    search on ``|G|``).

    ``known`` (k, N): roots to deflate (None: plain Newton), over the ``n_deflate`` nearest, with length ``ell``;
    a solve converges when ``|R|_inf < tol`` within ``max_iter`` iterations; ``n_backtrack`` halvings at most per
    line search. Returns the end points, the converged mask and the iterations used.
    """
    X = np.array(X, dtype=float)
    F = R(X)
    res = np.abs(F).max(axis=1)
    conv, alive, it = res < tol, np.isfinite(res) & (res >= tol), np.zeros(X.shape[0], dtype=int)
    for _ in range(max_iter):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        x, f = X[idx], F[idx]
        d = solve(DR(x), -f)
        near = _nearest(x, known, n_deflate) if known is not None else None
        if near is not None:
            lnM, v = _deflation(x, known, near, ell)
            den = 1.0 - np.sum(v * d, axis=1)
            d /= np.where(np.abs(den) > 1e-8, den, 1e-8)[:, None]
        d *= np.minimum(1.0, cap / np.maximum(np.linalg.norm(d, axis=1), 1e-300))[:, None]
        if not line_search:
            xn = x + d
            fn = R(xn)
            acc = np.isfinite(fn).all(axis=1)
        else:
            merit = _log_norm(f) + (lnM if near is not None else 0.0)
            t, acc, xn, fn = np.ones(idx.size), np.zeros(idx.size, bool), x.copy(), f.copy()
            for _k in range(n_backtrack):
                p = np.flatnonzero(~acc)
                xt = x[p] + t[p, None] * d[p]
                ft = R(xt)
                mt = _log_norm(ft) + (_deflation(xt, known, near[p], ell)[0] if near is not None else 0.0)
                ok = np.isfinite(mt) & (mt <= merit[p] + np.log1p(-1e-4 * t[p]))
                xn[p[ok]], fn[p[ok]], acc[p[ok]] = xt[ok], ft[ok], True
                t[p[~ok]] *= 0.5
                if acc.all():
                    break
        X[idx[acc]], F[idx[acc]] = xn[acc], fn[acc]
        it[idx] += 1
        r = np.abs(F[idx]).max(axis=1)
        conv[idx] = r < tol
        alive[idx] = acc & (r >= tol)
    return X, conv, it


def _log_norm(f):
    return 0.5 * np.log(np.maximum(np.sum(f * f, axis=1), 1e-300))


def polish(R, DR, X, ok, tol):
    """One undeflated Newton step on the points ``X[ok]``, kept where it does not raise the residual; returns
    ``X`` (changed in place) and the mask of the points with ``|R|_inf < tol`` after it (within ``ok``)."""
    ok = ok.copy()
    if ok.any():
        x = X[ok]
        f = R(x)
        xn = x + solve(DR(x), -f)
        better = np.abs(R(xn)).max(axis=1) <= np.abs(f).max(axis=1)
        X[np.flatnonzero(ok)[better]] = xn[better]
        ok[ok] = np.abs(R(X[ok])).max(axis=1) < tol
    return X, ok


def levenberg_marquardt(R, DR, X, tol, n_iter):
    """Batched Levenberg-Marquardt minimisation of ``q = |R|^2/2`` from ``X``, at most ``n_iter`` iterations
    (stops early once every ``|R|_inf < tol``); returns end points, ``q`` and stationarity flags
    (``|DR^T R| <= 1e-4 sqrt(2 q)``: a slow point where ``q > 0``)."""
    X = np.array(X, dtype=float)
    F = R(X)
    q = 0.5 * np.sum(F * F, axis=1)
    lam = np.full(X.shape[0], 1e-3)
    for _ in range(n_iter):
        A = DR(X)
        At = np.swapaxes(A, 1, 2)
        g = (At @ F[..., None])[..., 0]
        H = At @ A
        scale = np.trace(H, axis1=1, axis2=2) / X.shape[1]
        Xn = X + solve(H + (lam * scale)[:, None, None] * np.eye(X.shape[1]), -g)
        Fn = R(Xn)
        qn = 0.5 * np.sum(Fn * Fn, axis=1)
        ok = np.isfinite(qn) & (qn < q)
        X[ok], F[ok], q[ok] = Xn[ok], Fn[ok], qn[ok]
        lam = np.where(ok, lam / 3, lam * 4)
        if np.all(np.abs(F).max(axis=1) < tol):
            break
    grad = np.linalg.norm((np.swapaxes(DR(X), 1, 2) @ F[..., None])[..., 0], axis=1)
    return X, q, grad <= 1e-4 * np.sqrt(2 * q)


def solve(A, b):
    """Stacked ``A x = b`` (``A`` (B, N, N), ``b`` (B, N)); singular systems fall back to least squares one by
    one."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.lstsq(a, v, rcond=None)[0] for a, v in zip(A, b, strict=True)])


def _nearest(x, known, k):
    d2 = np.sum(x * x, axis=1)[:, None] + np.sum(known * known, axis=1)[None, :] - 2 * x @ known.T
    k = min(k, known.shape[0])
    return np.argpartition(d2, k - 1, axis=1)[:, :k]


def _deflation(x, known, near, ell, p=2.0):
    """``ln M(x)`` and ``grad ln M(x)`` for ``M = prod_k ((ell / |x - x_k|)^p + 1)`` over ``near`` roots."""
    r = x[:, None, :] - known[near]
    s2 = np.maximum(np.sum(r * r, axis=2) / ell**2, 1e-300)
    a = s2 ** (-p / 2)
    lnM = np.sum(np.log1p(a), axis=1)
    grad = np.sum((-p * a / s2 / (1 + a))[:, :, None] * r, axis=1) / ell**2
    return lnM, grad


def eigvals(jacobian, X, batch):
    """Eigenvalues of ``jacobian`` at the rows of ``X``, ``batch`` points per call: (n, N) complex."""
    return np.concatenate([np.linalg.eigvals(jacobian(X[lo:lo + batch])) for lo in range(0, X.shape[0], batch)])
