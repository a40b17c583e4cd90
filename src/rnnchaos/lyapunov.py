"""Lyapunov spectra of the discretised rate network and of the map (Benettin QR method).

The first ``k`` exponents of the discrete flow ``x_{n+1} = S(x_n)`` (one forward-Euler or RK4 step of
``dx/dt = -x + J phi(x) + theta``, or one step ``a -> J phi(a) + theta`` of the map) are

    lambda_i = lim (1 / (h n)) sum_{q} log |R^{(q)}_ii|,   Q^{(q)} R^{(q)} = DS^{t_ons/h} Q^{(q-1)},

where ``h`` is the time of one step (``dt`` for the rate network, 1 for the map), ``DS`` the Jacobian of the
step, and ``Q`` an orthonormal ``N x k`` frame re-orthonormalised by Householder QR (LAPACK ``geqrf``/``orgqr``,
or recursive ``geqrt`` for tall-skinny frames; diagonal of ``R`` made positive) every ``t_ons`` time units
(Benettin et al. 1980; Engelken, Wolf & Abbott 2020, "Lyapunov spectra of chaotic recurrent neural networks").
In exact arithmetic the exponents do not depend on the QR schedule; in floating point a frame propagated too long
collapses onto its leading directions, which the R-diagonal spread of each interval measures
(:func:`spread_bound`: beyond ``ln(1/eps) - ln(10)`` e-folds a run stops with ``qr_breakdown``). ``t_ons="auto"``
(default) re-orthonormalises only as often as that conditioning requires (:class:`QRSchedule`; von Bremen,
Udwadia & Proskurowski 1997: the QR is the cost to economise).
The tangent dynamics are those of the integrator, so the exponents are exactly those of the discretised flow:

* rate, Euler: ``Q <- (1 - dt) Q + dt J (phi'(x) * Q)`` (no ``N x N`` Jacobian is formed);
* rate, RK4: the derivative of the RK4 step (RK4 applied to the variational system), so ``dt -> 0`` is visible;
* map: ``Q <- J (phi'(a) * Q)``.

For Euler and the map in float64 the state is carried as column 0 of ``X = [x | Q]`` so one step is one GEMM
``X <- J [alpha tanh(x) | alpha phi'(x) * Q] + beta X`` (BLAS ``gemm`` with ``beta = 1 - dt``) plus one
elementwise pass: J is read once per step, which bounds the step at small k (J leaves the cache from N ~ 2000).
There, with one BLAS thread and ``k <= SMALL_K``, the product runs by row blocks of J that fit a core's cache
(numpy's GEMM on each; one GEMM of J with ``k + 1`` columns streams J two to three times), and a large J is never
copied. ``coupling_dtype="float32"`` (with ``dtype="float32"``) holds J once in float32 and runs the same single
product in float32, the state staying float64 (half the memory traffic; its trajectory follows float64's until
rounding differences of ~1e-7 have grown, then decorrelates: exponents agree within their errors, tested).
Otherwise every BLAS/LAPACK call of the float64 loop goes through scipy's BLAS (numpy and scipy wheels
bundle separate OpenBLAS copies whose thread pools, used alternately, spin against each other on few cores).
In float32 mode (``dtype="float32"``, ``coupling_dtype="float64"``) ``Q`` and its GEMM are float32 while the
state, its matrix-vector product with the float64 ``J`` and all logarithm sums stay float64. Steps run in chunks
(:data:`CHUNK`): first the state's (float64 ``gemv``; ``phi'(x_j)`` kept), then the frame's (one float32 ``gemm``
each, on ``Q / (1 - dt)^j`` so that no ``beta`` term is needed), so each copy of ``J`` stays in cache for a chunk
instead of the two evicting each other every step (at large N each step reads both: 1.5 times float64's bytes).
With single-threaded BLAS these products use numpy's BLAS, whose float32 GEMM is the faster of the two bundled
OpenBLAS builds (the QR stays in scipy's); with several threads, scipy's (:func:`blas_single_threaded`).
``lambda_max`` agrees with float64 to well within 1 % (tested).

Identities used as checks: for ``k = N``, ``sum_i lambda_i = <log|det DS(x_n)|> / h`` exactly (the sum of
``log R_ii`` telescopes into log-determinants). For the map ``log|det DS(a)| = log|det J| + sum_i log phi'(a_i)``
is cheap and reported as ``jacobian_trace_mean``; for the rate network ``jacobian_trace_mean`` is the
continuous-time counterpart ``<tr DF(x)> / N = -1 + <sum_i J_ii phi'(x_i)> / N`` (equal to the mean exponent only
as ``dt -> 0``), and the exact Euler log-determinant is computed only on request (``exact_log_det=True``,
``O(N^3)`` per step, for small ``N``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.linalg import get_blas_funcs, get_lapack_funcs

from rnnchaos import dynamics
from rnnchaos.status import NumericalFailure

MODELS = ("rate", "map")
METHODS = dynamics.METHODS
DTYPES = ("float64", "float32")
#: precisions of the couplings J in the steps' products (``coupling_dtype``)
COUPLING_DTYPES = ("float64", "float32")
BACKENDS = ("numpy", "cupy")
#: Frames with ``k <= GEQRT_MAX_K`` and ``N >= 2 k`` are re-orthonormalised with recursive ``geqrt`` (faster for
#: tall-skinny frames: 1.4 vs 2.4 ms at N = 1000, k = 100 on one core), others with blocked ``geqrf``.
GEQRT_MAX_K = 128
#: steps per chunk of :meth:`BlasWorkspace.advance`: diagnostic sums once per chunk; in float32 mode the state's
#: steps and then the frame's, so that the float64 and the float32 J each stream once per chunk, not every step
CHUNK = 16
#: frames of at most this many columns use the row-blocked product of :meth:`BlasWorkspace._setup_product`
SMALL_K = 8
#: target size of one row block of J in that product, 4 to 32 rows: most of a core's L2 cache (1 MB on the AMD
#: EPYC measured; OpenBLAS's GEMM of such a block slows 2-3 fold from 48-64 rows on)
ROW_BLOCK_BYTES = 768 * 1024
#: J larger than this (32 MiB: N > 2048 in float64) is never copied by the workspace (float64 coupling) and, for
#: small k with one BLAS thread, multiplied by row blocks; smaller J keeps a Fortran copy (faster ``gemm_nn``)
LARGE_J_BYTES = 32 * 2**20
#: bound on ``log(1 / beta^chunk)``, the growth of the unscaled frame ``Q / beta^j`` within a chunk (float32 range)
F32_LOG_SCALE = 16.0
#: e-folds below the precision's ``ln(1 / eps)`` kept by :func:`spread_bound`: every ``R_jj`` keeps >= 1 digit
SPREAD_MARGIN = math.log(10.0)
#: ``t_ons="auto"`` lengthens the interval by at most this factor per QR
GROWTH_MAX = 2.0
#: ``t_ons="auto"`` plans with the largest recent spread rate, each older one discounted by this factor per QR
#: (finite-time rates fluctuate: per-step spread rates of 15-25-step intervals span 0.66-1.31 on the map at g = 6)
RATE_MEMORY = 0.98


def spread_bound(dtype: str) -> float:
    """Largest R-diagonal spread one QR interval may reach, ``ln(1 / eps) - ln(10)`` e-folds (33.7 for float64,
    13.6 for float32).

    A column ``z_j`` of the propagated frame carries rounding errors of relative size ``eps`` (each step's GEMM),
    while the part that QR keeps, ``R_jj``, is smaller than the largest column by ``exp(spread)``, with
    ``spread = log max_j |z_j| - log min_j R_jj``. Each ``R_jj`` is then resolved to about ``eps exp(spread)``
    relative: at ``ln(1 / eps)`` (36.0 for float64, 15.9 for float32) the smallest column is pure rounding and the
    frame has collapsed onto the leading directions (its ``log R_jj`` clip at about ``log(eps)`` below the
    largest). Within the bound each ``log R_jj`` is off by at most 0.1 per QR (one digit left), below the
    statistical error of the exponents wherever a spread near the bound can be met (the map's full spectrum,
    whose lowest ``log R_jj`` are large and negative, in one step); beyond it a run stops with ``qr_breakdown``.
    """
    return -math.log(float(np.finfo(dtype).eps)) - SPREAD_MARGIN


def spread_target(dtype: str) -> float:
    """Spread that ``t_ons="auto"`` aims at, ``ln(1 / eps) / 2`` (18.0 for float64, 8.0 for float32): half the
    precision's digits of every ``R_jj`` survive each QR (relative rounding ``sqrt(eps)`` per interval, below the
    rounding of the steps themselves), with 15.7 (float64) or 5.6 (float32) e-folds of headroom to
    :func:`spread_bound` for an interval that spreads faster than the one before."""
    return -math.log(float(np.finfo(dtype).eps)) / 2.0


def range_bound(dtype: str) -> float:
    """Largest ``|log|`` of a frame column's norm at the end of an ``"auto"`` interval: a quarter of the
    exponent range, ``ln(max) / 4`` (177 for float64, 22 for float32), far from overflow and underflow."""
    return math.log(float(np.finfo(dtype).max)) / 4.0


def max_fixed_t_ons(g: float, N: int, dtype: str = "float64") -> float:
    """Longest fixed QR interval of the rate network that cannot exceed :func:`spread_bound` (time units).

    The tangent flow ``dv/dt = (-I + J diag(phi'))v`` with ``0 < phi' <= 1`` grows or shrinks any vector at a rate
    within ``-1 +- ||J||``, so the spread of one interval is at most ``2 ||J|| t_ons``; for ``J_ij ~ N(0, g^2/N)``
    ``||J|| = 2g (1 + O(N^(-1/2)))`` (bounded here by ``2g (1 + N^(-1/2))``). This worst case is reached only near
    special states (typical spreads are 3 to 7 times smaller: 2.4 per time unit at g = 2, 3.3 at g = 6 for
    ``k = N``); the map has no such bound (its lowest exponents are unbounded as ``phi' -> 0``).
    """
    rate = 4.0 * g * (1.0 + 1.0 / math.sqrt(N))
    return math.inf if rate == 0.0 else spread_bound(dtype) / rate


@dataclass(frozen=True)
class LyapunovResult:
    """Lyapunov spectrum with its error bars and diagnostics (time unit: tau for ``rate``, one step for ``map``).

    ``exponents`` are in QR (column) order; ``exponents_sem`` are standard errors from ``n_batches`` batch means.
    ``d_ky`` is the Kaplan-Yorke dimension; when ``k < N`` and the sum of all ``k`` exponents is still >= 0,
    ``d_ky = k`` is only a lower bound and ``d_ky_lower_bound`` is True. ``entropy_rate`` (sum of the positive
    exponents, Pesin's bound on the KS entropy) is a lower bound (``entropy_rate_lower_bound``) when
    ``k < N`` and ``lambda_k > 0``. ``mean_exponent = sum(exponents) / k``; ``jacobian_trace_mean`` and
    ``log_det_mean`` are per unit and per unit time (see the module docstring); ``log_det_mean`` is NaN for the
    rate network unless ``exact_log_det=True``. ``running[j]`` is the running estimate of the first ``k_running``
    exponents after time ``running_t[j]``. ``t_ons`` is the mean time between the ``n_qr`` accumulated QRs
    (``t_ons_auto``: chosen by :class:`QRSchedule`), ``qr_steps_min``/``qr_steps_max`` the shortest and longest
    interval in steps, ``spread_max`` the largest R-diagonal spread of one interval (e-folds, see
    :func:`spread_bound`) and ``spread_bound`` the bound it was checked against.
    """

    exponents: np.ndarray
    exponents_sem: np.ndarray
    lambda_max: float
    lambda_max_sem: float
    d_ky: float
    d_ky_lower_bound: bool
    entropy_rate: float
    entropy_rate_lower_bound: bool
    mean_exponent: float
    jacobian_trace_mean: float
    log_det_mean: float
    running_t: np.ndarray
    running: np.ndarray
    n_steps: int
    n_qr: int
    n_batches: int
    t_ons: float
    t_ons_auto: bool
    qr_steps_min: int
    qr_steps_max: int
    spread_max: float
    spread_bound: float
    t_sim: float
    dt: float
    N: int
    k: int
    model: str
    method: str
    dtype: str
    backend: str
    coupling_dtype: str = "float64"


def blas_single_threaded() -> bool:
    """Whether OpenBLAS was told to use one thread (``OPENBLAS_NUM_THREADS``, else ``GOTO_NUM_THREADS``, else
    ``OMP_NUM_THREADS`` equal to 1, as Snakemake sets for one-thread jobs) or the machine has one core.

    Only then does float32 mode use numpy's BLAS for its products (:meth:`BlasWorkspace._chunk_split`): with
    several threads the pools of numpy's and scipy's OpenBLAS copies, alternating at every QR, spin against each
    other (measured: 1.4 to 3 times slower with 2 threads on a shared 2-core machine).
    """
    for var in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").strip():
            return os.environ[var].strip() == "1"
    return os.cpu_count() == 1


def qr_kernel_for(N: int, k: int) -> str:
    """LAPACK route for an ``N x k`` frame: ``"geqrt"`` when tall-skinny, else ``"geqrf"``."""
    return "geqrt" if k <= GEQRT_MAX_K and N >= 2 * k else "geqrf"


class BlasWorkspace:
    """State, tangent frame and preallocated buffers of the numpy/BLAS kernel (Euler and map).

    Steps run in chunks of at most ``CHUNK``: ``tanh(x)`` (and, for the map, ``x``) of every step is kept, and the
    diagnostic sums are formed once per chunk. Attributes read by callers: ``Q`` (N x k frame), ``h`` (time per
    step), ``n_steps`` (since the last :meth:`reset_sums`), ``steps_total``, ``trace_sum`` (sum over steps of
    ``tr DF``), ``logphi_sum`` (sum over steps of ``sum_i log phi'(x_i)``), ``log_det_sum`` (sum of
    ``log|det DS|``, if ``exact_log_det``).
    """

    def __init__(self, model: str, J: np.ndarray, theta: np.ndarray, x: np.ndarray, Q: np.ndarray, *,
                 dt: float, dtype: str = "float64", coupling_dtype: str = "float64", exact_log_det: bool = False,
                 qr_kernel: str | None = None, f32_blas: str | None = None, row_block: int | None = None):
        N, k = Q.shape
        f, c = np.dtype(dtype), np.dtype(coupling_dtype)
        self.qr_kernel = qr_kernel or qr_kernel_for(N, k)
        self.geqrt, self.trmm = get_lapack_funcs("geqrt", dtype=f), get_blas_funcs("trmm", dtype=f)
        self.upper_k, self.diag_k = np.triu(np.ones((k, k), dtype=bool), 1), np.arange(k)
        self.model = model
        self.alpha, self.beta = (float(dt), 1.0 - float(dt)) if model == "rate" else (1.0, 0.0)
        self.fused = f == c  # one product per step, J [a tanh(x) | a phi'(x) * Q], in the coupling precision
        self.gemm = get_blas_funcs("gemm", dtype=f)
        self.geqrf, self.orgqr = get_lapack_funcs(("geqrf", "orgqr"), dtype=f)
        J = np.asarray(J)
        JC = J if J.dtype == c and J.flags.c_contiguous else np.ascontiguousarray(J, dtype=c)  # the caller's J
        b = self.beta
        if self.fused:
            self.chunk = CHUNK
            self.B = np.empty((N, k + 1), dtype=c, order="F")  # [a tanh(x) | a phi'(x) * Q]
            self.Bx, self.BQ = self.B[:, 0], self.B[:, 1:]
            if f == np.float64:  # X = [x | Q]: the product's result is the next [x | Q] (gemm's beta)
                self.X = np.empty((N, k + 1), order="F")
                self.X[:, 0], self.X[:, 1:] = x, Q
                self.x, self.Q = self.X[:, 0], self.X[:, 1:]
            else:  # float64 state beside the float32 frame; the float32 product P = J B is added to both
                self.X, self.x = None, np.array(x, dtype=np.float64)
                self.Q = np.empty((N, k), dtype=f, order="F")
                self.Q[...] = Q
            self.ad = np.empty(N)
            self.ad_col = self.ad[:, None]
            self._setup_product(JC, k, row_block)
        else:  # the state's steps of a chunk first (float64 J), then the frame's (float32 J): each J stays in cache
            self.chunk = CHUNK if b == 0.0 else max(1, min(CHUNK, int(F32_LOG_SCALE / -math.log(b))))
            self.f32_blas = f32_blas or ("numpy" if blas_single_threaded() else "scipy")
            self.gemv = get_blas_funcs("gemv", dtype=np.float64)
            self.JC = JC  # float64, no copy (its transpose is the Fortran operand of gemv)
            self.JF = np.asfortranarray(J, dtype=f)  # the frame's float32 copy
            self.x, self.u = np.array(x, dtype=np.float64), np.empty(N)
            self.Q, self.BQ, self.P = (np.empty((N, k), dtype=f, order="F") for _ in range(3))
            self.Q[...] = Q
            self.D = np.empty((N, self.chunk), dtype=f, order="F")  # (a / beta) phi'(x_j), or a phi'(x_j)
            self.D_cols = [self.D[:, j:j + 1] for j in range(self.chunk)]
        self.T = np.empty((N, self.chunk), order="F")  # tanh(x_j) of the chunk's steps
        self.dphi = np.empty((N, self.chunk), order="F")  # phi'(x_j)
        self.Xs = np.empty((N, self.chunk), order="F") if model == "map" else None  # x_j (map: log phi')
        self.theta_a = self.alpha * np.asarray(theta, dtype=np.float64)
        self.Jdiag = np.diag(JC).astype(np.float64)  # of the J the steps use
        self.lwork = int(self.geqrf(self.Q.copy(order="F"), lwork=-1)[2][0].real)
        self.exact_log_det = exact_log_det and model == "rate"
        self.J_exact = np.array(J, dtype=np.float64) if self.exact_log_det else None
        self.h = float(dt) if model == "rate" else 1.0
        self.steps_total = 0
        self.n_steps, self.trace_sum, self.logphi_sum, self.log_det_sum = 0, 0.0, 0.0, 0.0

    def _setup_product(self, JC: np.ndarray, k: int, row_block: int | None) -> None:
        """Choose how the fused step forms ``J B`` (``product``: ``"rows"``, ``"gemm"`` or ``"gemm_copy"``).

        ``"rows"`` (``k <= SMALL_K``, single-threaded BLAS, J above :data:`LARGE_J_BYTES`, or ``row_block`` given):
        ``P[r:r+R] = J[r:r+R] B`` over row blocks of about :data:`ROW_BLOCK_BYTES` (numpy's GEMM), so that each
        block of J is read from memory once and the skinny ``B`` stays in cache; one GEMM of the whole J with
        ``k + 1`` columns streams J 2-3 times (OpenBLAS packs it through a buffer larger than the cache).
        ``"gemm"``: one GEMM on J's transpose, a Fortran view (no copy; several threads, or large k).
        ``"gemm_copy"``: one GEMM on a Fortran copy of J (small J only, where ``gemm_nn`` is faster).
        """
        N, c = JC.shape[0], JC.dtype
        small_k, large = k <= SMALL_K, JC.nbytes > LARGE_J_BYTES
        if row_block is not None or (small_k and large and blas_single_threaded()):
            R = row_block or int(np.clip(ROW_BLOCK_BYTES // (N * c.itemsize) // 4 * 4, 4, 32))
            self.product, self.row_block = "rows", R
            self.P = np.empty((N, k + 1), dtype=c)  # C order: each block's rows are contiguous
            self.blocks = [(JC[r:r + R], self.P[r:r + R]) for r in range(0, N, R)]
        else:
            self.product, self.row_block, self.blocks = ("gemm" if large else "gemm_copy"), None, None
            self.JG, self.trans = (JC.T, 1) if large else (np.asfortranarray(JC), 0)
            self.P = self.X if c == np.float64 else np.empty((N, k + 1), dtype=c, order="F")
        self.J_product = JC  # keeps the rows' base alive

    def state(self) -> np.ndarray:
        """The current state (float64, a view)."""
        return self.x

    def reset_sums(self) -> None:
        """Zero the step counter and the diagnostic sums (after the tangent transient)."""
        self.n_steps, self.trace_sum, self.logphi_sum, self.log_det_sum = 0, 0.0, 0.0, 0.0

    def advance(self, n_steps: int) -> None:
        """Advance state and tangent frame by ``n_steps`` steps (no re-orthonormalisation)."""
        step = self._chunk_fused if self.fused else self._chunk_split
        for start in range(0, n_steps, self.chunk):
            n = min(self.chunk, n_steps - start)
            step(n)
            self._sums(n)
        self.n_steps += n_steps
        self.steps_total += n_steps

    def _chunk_fused(self, n: int) -> None:
        """``n`` steps of one product each, ``P = J [a t | a phi'(x) * Q]`` (``t = tanh(x)``), then
        ``[x | Q] <- P + beta [x | Q]`` and ``x += a theta``; float64: in place by gemm's ``beta`` (``"gemm"``) or
        after the row blocks' products; float32 coupling: ``P`` in float32, added to the float64 state."""
        x, T, a, beta, theta_a, Xs = self.x, self.T, self.alpha, self.beta, self.theta_a, self.Xs
        B, X, Bx, BQ, Q, P, ad, ad_col = self.B, self.X, self.Bx, self.BQ, self.Q, self.P, self.ad, self.ad_col
        blocks, in_place = self.blocks, P is X
        if blocks is None:
            gemm, JG, trans = self.gemm, self.JG, self.trans
        for j in range(n):
            if Xs is not None:
                Xs[:, j] = x
            t = T[:, j]
            np.tanh(x, out=t)
            np.multiply(t, t, out=ad)
            np.subtract(1.0, ad, out=ad)
            np.multiply(ad, a, out=ad)
            np.multiply(t, a, out=Bx)
            np.multiply(ad_col, Q, out=BQ)
            if in_place:
                gemm(1.0, JG, B, beta, X, trans_a=trans, overwrite_c=1)  # X <- J B + beta X
            else:
                if blocks is None:
                    gemm(1.0, JG, B, 0.0, P, trans_a=trans, overwrite_c=1)
                else:
                    for Jb, Pb in blocks:
                        np.matmul(Jb, B, out=Pb)
                if X is not None:  # float64: X <- P + beta X
                    if beta:
                        X *= beta
                        X += P
                    else:
                        X[...] = P
                else:  # float32 product, float64 state
                    if beta:
                        x *= beta
                        Q *= beta
                        x += P[:, 0]
                        Q += P[:, 1:]
                    else:
                        x[...] = P[:, 0]
                        Q[...] = P[:, 1:]
            x += theta_a

    def _chunk_split(self, n: int) -> None:
        """float32 frame, ``n`` steps: the state's ``n`` float64 steps ``x <- (a J) t + beta x + a theta``, then the
        frame's on ``Q~ = Q / beta^j``, ``Q~ <- Q~ + J ((a / beta) phi'(x_j) * Q~)`` (one float32 GEMM each), then
        ``Q = beta^n Q~`` (``beta = 0``: ``Q <- J (a phi'(x_j) * Q)``). ``f32_blas="numpy"`` runs the products with
        numpy's BLAS (the faster float32 GEMM of the two OpenBLAS builds of the numpy and scipy wheels; one more
        add per step, as numpy's GEMM has no ``beta``), ``"scipy"`` with scipy's, like the QR.
        """
        x, u, T, a, beta, theta_a, Xs = self.x, self.u, self.T, self.alpha, self.beta, self.theta_a, self.Xs
        JC, scipy_blas, gemv = self.JC, self.f32_blas == "scipy", self.gemv
        for j in range(n):
            if Xs is not None:
                Xs[:, j] = x
            t = T[:, j]
            np.tanh(x, out=t)
            if scipy_blas:
                gemv(a, JC.T, t, beta, x, trans=1, overwrite_y=1)  # x <- a J t + beta x
            else:
                np.matmul(JC, t, out=u)
                u *= a
                if beta:
                    x *= beta
                    x += u
                else:
                    x[...] = u
            x += theta_a
        Tn, dn = T[:, :n], self.dphi[:, :n]
        np.multiply(Tn, Tn, out=dn)
        np.subtract(1.0, dn, out=dn)
        np.multiply(dn, self.alpha / beta if beta else self.alpha, out=self.D[:, :n])
        gemm, JF, Q, BQ, P, D_cols = self.gemm, self.JF, self.Q, self.BQ, self.P, self.D_cols
        for j in range(n):
            np.multiply(D_cols[j], Q, out=BQ)
            if scipy_blas:
                gemm(1.0, JF, BQ, 1.0 if beta else 0.0, Q, overwrite_c=1)  # Q~ <- J BQ + Q~
            elif beta:
                np.matmul(JF, BQ, out=P)
                Q += P
            else:
                np.matmul(JF, BQ, out=Q)
        if beta:
            Q *= beta**n

    def _sums(self, n: int) -> None:
        """Add the chunk's ``n`` steps to the diagnostic sums (trace, log phi', exact log-determinant)."""
        if self.model == "map":
            self.logphi_sum += _sum_log_dphi(self.Xs[:, :n])
            return
        Tn, dn = self.T[:, :n], self.dphi[:, :n]
        if self.fused:  # the split kernel has them already
            np.multiply(Tn, Tn, out=dn)
            np.subtract(1.0, dn, out=dn)
        self.trace_sum += float((self.Jdiag @ dn).sum()) - n * dn.shape[0]
        if self.exact_log_det:
            for j in range(n):
                M = self.alpha * self.J_exact * dn[:, j]  # (1 - dt) I + dt J diag(phi'(x)), float64
                M[np.diag_indices(M.shape[0])] += self.beta
                self.log_det_sum += np.linalg.slogdet(M)[1]

    def reorthonormalize(self) -> np.ndarray:
        """Householder QR of ``Q`` in place, ``diag(R) > 0``; returns ``log|R_ii|`` (float64, length k) and sets
        ``log_col_max``, the log of the largest column norm before the QR (for :func:`frame_spread`).

        Tall-skinny frames (:func:`qr_kernel_for`): recursive ``geqrt`` (compact WY, ``Q = (I - V T V^T) E``),
        then ``Q`` formed by one ``trmm`` and one GEMM, ``-V (T V_1^T S) + E S`` with ``S = diag(sign R_ii)``;
        level-3 throughout. Otherwise blocked ``geqrf`` + ``orgqr``, then the sign fix.
        """
        self.log_col_max = _log_col_max(self.Q)
        if self.qr_kernel == "geqrt":
            return self._qr_geqrt()
        qr, tau, _, info = self.geqrf(self.Q, lwork=self.lwork, overwrite_a=1)
        r = np.array(qr.diagonal(), dtype=np.float64)
        _check_r(r, info, self.n_steps)
        q, _, info = self.orgqr(qr, tau, lwork=self.lwork, overwrite_a=1)
        if not np.may_share_memory(q, self.Q):  # LAPACK wrapper had to copy
            self.Q[...] = q
        self.Q *= np.sign(r).astype(self.Q.dtype)  # sign-fixed: R_ii > 0
        return np.log(np.abs(r))

    def _qr_geqrt(self) -> np.ndarray:
        k = self.Q.shape[1]
        V = self.BQ  # scratch between steps
        V[...] = self.Q
        v, T, info = self.geqrt(k, V, overwrite_a=1)
        r = np.array(v.diagonal(), dtype=np.float64)
        _check_r(r, info, self.n_steps)
        s = np.sign(r).astype(V.dtype)
        W = self.trmm(1.0, v[:k], T, side=1, lower=1, trans_a=1, diag=1, overwrite_b=1)  # T V_1^T
        W *= s
        V1 = v[:k]  # V_1: unit lower triangle (R was stored on and above its diagonal)
        np.copyto(V1, 0.0, where=self.upper_k)
        V1[self.diag_k, self.diag_k] = 1.0
        self.gemm(-1.0, v, W, 0.0, self.Q, overwrite_c=1)
        self.Q[self.diag_k, self.diag_k] += s
        return np.log(np.abs(r))


def _log_col_max(Q) -> float:
    """``log max_j |q_j|`` of the columns of ``Q`` (one pass, no temporary of Q's size)."""
    with np.errstate(over="ignore", invalid="ignore"):
        v = float(np.einsum("ij,ij->j", Q, Q).max())
    return 0.5 * math.log(v) if v > 0 else (-math.inf if v == 0 else math.inf)  # NaN or inf: inf


def _check_r(r: np.ndarray, info: int, n_steps: int) -> None:
    if info != 0 or not (np.isfinite(r).all() and r.all()):
        bad = np.flatnonzero(~np.isfinite(r) | (r == 0))
        raise NumericalFailure("qr_breakdown", f"R_ii zero or non-finite at columns {bad[:5].tolist()} after "
                                               f"{n_steps} steps (LAPACK info = {info})")


def _sum_log_dphi(a) -> float:
    """``sum_i log phi'(a_i) = sum_i log sech^2(a_i)``, stable for large ``|a|``."""
    m = abs(a)
    return float(2.0 * (a.size * math.log(2.0) - m.sum() - np.log1p(np.exp(-2.0 * m)).sum()))


def make_workspace(model: str, J, theta, x, Q, *, dt: float, method: str = "euler", dtype: str = "float64",
                   backend: str = "numpy", exact_log_det: bool = False, coupling_dtype: str = "float64"):
    """The kernel's workspace: BLAS for numpy Euler/map; the array-module code for RK4 and for ``cupy``."""
    if backend == "numpy" and (model == "map" or method == "euler"):
        return BlasWorkspace(model, J, theta, x, Q, dt=dt, dtype=dtype, coupling_dtype=coupling_dtype,
                             exact_log_det=exact_log_det)
    from rnnchaos.lyapunov_backends import ArrayWorkspace, array_module

    return ArrayWorkspace(array_module(backend), model, J, theta, x, Q, dt=dt, method=method, dtype=dtype,
                          coupling_dtype=coupling_dtype)


def qr_step(ws, n_steps: int) -> np.ndarray:
    """Strict kernel: advance ``ws`` by ``n_steps`` steps, check the state, re-orthonormalise ``ws.Q`` in place.

    Returns ``log|R_ii|`` (float64, length k). Raises ``NumericalFailure`` ("diverged", "qr_breakdown").
    No argument checking: for loops and benchmarks.
    """
    ws.advance(n_steps)
    dynamics.check_finite(ws.state(), t=ws.steps_total * ws.h)
    return ws.reorthonormalize()


def frame_spread(ws, log_r: np.ndarray) -> float:
    """R-diagonal spread of the last QR of ``ws``, ``log max_j |z_j| - log min_j R_jj`` in e-folds (``z_j`` the
    propagated columns): at least ``log R_11 - log R_kk`` and at least every column's ``log(|z_j| / R_jj)``, the
    e-folds it lost to cancellation (:func:`spread_bound`)."""
    return float(ws.log_col_max - log_r.min())


class QRSchedule:
    """Steps between QRs, fixed (``m`` steps) or adaptive (``m=None``, ``t_ons="auto"``), and the check of each.

    :meth:`step` runs one interval (:func:`qr_step`) of the current length, cut to ``limit`` steps if given, and
    raises ``NumericalFailure("qr_breakdown")`` when its :func:`frame_spread` exceeds :func:`spread_bound`.
    Adaptive: the QR is the cost to economise and conditioning limits its interval (von Bremen, Udwadia &
    Proskurowski 1997), so the next interval is the largest whole number of steps whose spread and column range,
    extrapolated at the largest recent rates per step (:data:`RATE_MEMORY`), stay within :func:`spread_target` and
    :func:`range_bound`; at most ``GROWTH_MAX`` times the current one, at least one step; the first is one step.
    The exponents do not depend on the schedule (the ``log R_ii`` telescope) beyond rounding of ``sqrt(eps)``
    per QR. ``n_qr``, ``steps``, ``m_min``, ``m_max`` (steps per interval) and ``spread_max`` count from
    :meth:`reset`.
    """

    def __init__(self, m: int | None, *, dtype: str, t_ons_text: str):
        self.auto = m is None
        self.m = 1 if self.auto else int(m)
        self.bound, self.target, self.range = spread_bound(dtype), spread_target(dtype), range_bound(dtype)
        self.dtype, self.t_ons_text = dtype, t_ons_text
        self.rate = 0.0  # planning rate: fraction of the spread or range limit used per step
        self.reset()

    def reset(self) -> None:
        """Zero the interval statistics (after the tangent transient)."""
        self.n_qr, self.steps, self.m_min, self.m_max, self.spread_max = 0, 0, 0, 0, 0.0

    def step(self, ws, limit: int | None = None) -> np.ndarray:
        """One interval of ``min(m, limit)`` steps and its QR; returns ``log|R_ii|`` (see :func:`qr_step`)."""
        n = self.m if limit is None else min(self.m, limit)
        log_r = qr_step(ws, n)
        spread = frame_spread(ws, log_r)
        if not spread <= self.bound:
            how = ("even one step per QR spreads beyond it: use fewer exponents (k) or dtype float64" if n == 1
                   else "use t_ons: auto or a shorter t_ons" if not self.auto
                   else "the interval was chosen from the previous one's spread; rerun with a fixed short t_ons")
            raise NumericalFailure("qr_breakdown", (
                f"t_ons = {self.t_ons_text}: the R-diagonal spread over {n} steps is {spread:.1f} e-folds "
                f"(log max|z_j| - log min R_jj), beyond the {self.dtype} bound {self.bound:.1f} = ln(1/eps) - "
                f"ln(10): the lowest columns of the frame collapsed onto the leading directions after "
                f"{ws.steps_total} steps; {how}"))
        self.n_qr, self.steps = self.n_qr + 1, self.steps + n
        self.m_min = n if self.n_qr == 1 else min(self.m_min, n)
        self.m_max, self.spread_max = max(self.m_max, n), max(self.spread_max, spread)
        if self.auto:
            extent = max(abs(ws.log_col_max), abs(float(log_r.min())))
            per_step = max(max(spread, 0.0) / self.target, extent / self.range) / n  # fraction of the limits
            self.rate = max(per_step, RATE_MEMORY * self.rate)
            fit = int(1.0 / self.rate) if self.rate > 0 else 2 * self.m
            self.m = max(1, min(fit, int(GROWTH_MAX * self.m)))
        return log_r


def progress_unit(settings) -> str:
    """What :func:`lyapunov_spectrum` counts in its ``progress`` calls for these keyword ``settings``: accumulated
    ``"steps"`` with ``t_ons="auto"`` (the default; the number of intervals is not known in advance), else
    ``"QR intervals"``."""
    return "steps" if settings.get("t_ons", "auto") == "auto" else "QR intervals"


def kaplan_yorke(exponents: np.ndarray, N: int) -> tuple[float, bool]:
    """Kaplan-Yorke dimension ``D = j + S_j / |lambda_{j+1}|`` (``S_j`` the largest non-negative partial sum of
    the sorted exponents) and whether it is only a lower bound (all ``k < N`` partial sums non-negative, where
    ``D = k`` is returned). ``D = 0`` if ``lambda_1 < 0``; ``D = N`` if ``k = N`` and the full sum is >= 0.
    """
    lam = np.sort(np.asarray(exponents, dtype=float))[::-1]
    S = np.cumsum(lam)
    j = int(np.count_nonzero(S >= 0))  # S is concave in j, so {S_j >= 0} = {1..j}
    if j == 0:
        return 0.0, False
    if j == lam.size:
        return float(j), j < N
    return float(j + S[j - 1] / abs(lam[j])), False


def lyapunov_spectrum(model: str, J: np.ndarray, theta: np.ndarray, *, k: int, dt: float = 0.1,
                      t_transient: float = 100.0, t_transient_tangent: float = 20.0, t_sim: float = 500.0,
                      t_ons: float | str = "auto", method: str = "euler", dtype: str = "float64", n_batches: int = 10,
                      rng: np.random.Generator, x0=None, backend: str = "numpy", k_running: int = 5,
                      exact_log_det: bool = False, coupling_dtype: str = "float64",
                      progress: Callable[[int, int], None] | None = None) -> LyapunovResult:
    """First ``k`` Lyapunov exponents of ``model`` (``"rate"``: ``dx/dt = -x + J tanh(x) + theta`` integrated
    with ``method`` ``"euler"``/``"rk4"`` at step ``dt``; ``"map"``: ``a <- J tanh(a) + theta``, ``dt`` unused).

    Algorithm (Benettin QR method, Engelken, Wolf & Abbott 2020): the state (``x0``, default standard normal
    from ``rng``) runs ``t_transient`` time units; a random orthonormal ``N x k`` frame (from ``rng``) then follows
    the tangent dynamics of the integrator for ``t_transient_tangent`` (re-orthonormalised, not accumulated) and
    for ``t_sim`` (accumulated), with Householder QR every ``t_ons`` (a whole number of steps), or with
    ``t_ons="auto"`` (default) as rarely as the frame's conditioning allows (:class:`QRSchedule`); every interval's
    R-diagonal spread is checked against :func:`spread_bound` (``NumericalFailure("qr_breakdown")``). Standard errors
    come from ``n_batches`` (>= 2) consecutive batch means; ``dtype="float32"`` runs the frame in single
    precision; ``coupling_dtype="float32"`` (with ``dtype="float32"``) also the couplings: one float32 copy of ``J``
    (half the memory traffic of the steps, which stream J once each at small k), the state float64 with float32
    products after the transient; ``backend="cupy"`` runs on a GPU; ``exact_log_det`` (Euler only) accumulates
    ``log|det DS|``.
    ``progress(done, total)``, if given, is called after each accumulated QR interval (counting intervals for a
    fixed ``t_ons``, steps for ``"auto"``).
    Raises ``ValueError`` for invalid arguments, ``NumericalFailure`` for divergence or QR breakdown.
    The same ``rng`` seed gives bit-identical results with the same BLAS and thread count; elsewhere a chaotic
    trajectory decorrelates from last-bit differences, and results agree within ``exponents_sem``.
    """
    J, theta, x0 = _validate(model, J, theta, x0, k=k, dt=dt, t_transient=t_transient, t_ons=t_ons,
                             t_transient_tangent=t_transient_tangent, t_sim=t_sim, method=method, dtype=dtype,
                             n_batches=n_batches, rng=rng, backend=backend, k_running=k_running,
                             coupling_dtype=coupling_dtype)
    if exact_log_det and not (model == "rate" and method == "euler" and backend == "numpy"):
        raise ValueError("exact_log_det is only available for model='rate', method='euler', backend='numpy'")
    if backend != "numpy":
        from rnnchaos.lyapunov_backends import array_module

        array_module(backend)  # a missing CuPy or GPU fails here, before the transient
    N = J.shape[0]
    h = dynamics.time_step(model, dt)
    auto = t_ons == "auto"
    m = None if auto else int(round(t_ons / h))
    sched = QRSchedule(m, dtype=dtype, t_ons_text="auto" if auto else f"{t_ons:g}")
    # accumulated intervals: fixed, n_qr of m steps (batch of interval q: q * n_batches // n_qr); auto, the steps of
    # t_sim cut at the batch edges so that no interval straddles two batches
    n_qr = None if auto else int(round(t_sim / (m * h)))
    n_total = int(round(t_sim / h)) if auto else n_qr * m
    edges = ([round(b * n_total / n_batches) for b in range(n_batches + 1)] if auto
             else [-(-b * n_qr // n_batches) * m for b in range(n_batches + 1)])
    x = rng.standard_normal(N) if x0 is None else x0
    Q0 = np.linalg.qr(rng.standard_normal((N, k)))[0]
    x = dynamics.run(model, x, J, theta, dt=dt, n_steps=int(round(t_transient / h)), method=method)
    ws = make_workspace(model, J, theta, x, Q0, dt=dt, method=method, dtype=dtype, backend=backend,
                        exact_log_det=exact_log_det, coupling_dtype=coupling_dtype)
    n_tt = int(round(t_transient_tangent / h)) if auto else \
        int(math.ceil(t_transient_tangent / (m * h) - 1e-9)) * m
    while ws.steps_total < n_tt:
        sched.step(ws, n_tt - ws.steps_total)
    ws.reset_sums()
    sched.reset()

    k_run = min(k, k_running)
    rec = np.unique(np.round(np.linspace(1, n_total, min(n_total, 200))).astype(int))  # record times, steps
    running, running_t = [], []
    total, batch_sum, batch_steps = np.zeros(k), np.zeros((n_batches, k)), np.zeros(n_batches)
    done, r_next = 0, 0
    for b in range(n_batches):
        while done < edges[b + 1]:
            log_r = sched.step(ws, edges[b + 1] - done)
            n = sched.steps - done
            done = sched.steps
            total += log_r
            batch_sum[b] += log_r
            batch_steps[b] += n
            if r_next < rec.size and done >= rec[r_next]:
                running.append(total[:k_run] / (done * h))
                running_t.append(done * h)
                r_next = int(np.searchsorted(rec, done, side="right"))
            if progress is not None:
                progress(*((done, n_total) if auto else (sched.n_qr, n_qr)))
    T = done * h
    lam = total / T
    sem = np.std(batch_sum / (batch_steps[:, None] * h), axis=0, ddof=1) / math.sqrt(n_batches)
    d_ky, d_ky_lb = kaplan_yorke(lam, N)
    n, trace_sum, logphi_sum, log_det_sum = ws.n_steps, float(ws.trace_sum), float(ws.logphi_sum), float(ws.log_det_sum)
    del ws  # its copy of J (float32 coupling) before slogdet's
    if model == "map":
        log_det_j = np.linalg.slogdet(J)[1]
        trace_mean = log_det_mean = (log_det_j + logphi_sum / n) / N
    else:
        trace_mean = trace_sum / (n * N)
        log_det_mean = log_det_sum / (n * h * N) if exact_log_det else float("nan")
    return LyapunovResult(
        exponents=lam, exponents_sem=sem, lambda_max=float(lam[0]), lambda_max_sem=float(sem[0]),
        d_ky=d_ky, d_ky_lower_bound=d_ky_lb, entropy_rate=float(lam[lam > 0].sum()),
        entropy_rate_lower_bound=bool(k < N and lam.min() > 0), mean_exponent=float(lam.mean()),
        jacobian_trace_mean=float(trace_mean), log_det_mean=float(log_det_mean),
        running_t=np.array(running_t), running=np.array(running).reshape(-1, k_run), n_steps=n, n_qr=sched.n_qr,
        n_batches=n_batches, t_ons=T / sched.n_qr, t_ons_auto=auto, qr_steps_min=sched.m_min,
        qr_steps_max=sched.m_max, spread_max=sched.spread_max, spread_bound=sched.bound,
        t_sim=T, dt=h, N=N, k=k, model=model, method=method if model == "rate" else "map", dtype=dtype,
        backend=backend, coupling_dtype=coupling_dtype)


def _all_finite(a: np.ndarray) -> bool:
    """Whether every entry of the 2-D ``a`` is finite, checked by row blocks of about 2^20 entries (no N x N mask)."""
    rows = max(1, 2**20 // max(1, a.shape[1]))
    return all(np.isfinite(a[r:r + rows]).all() for r in range(0, a.shape[0], rows))


def _validate(model, J, theta, x0, *, k, dt, t_transient, t_transient_tangent, t_sim, t_ons, method, dtype,
              n_batches, rng, backend, k_running, coupling_dtype="float64"):
    for name, val, allowed in (("model", model, MODELS), ("method", method, METHODS),
                               ("dtype", dtype, DTYPES), ("backend", backend, BACKENDS),
                               ("coupling_dtype", coupling_dtype, COUPLING_DTYPES)):
        if val not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {val!r}")
    if coupling_dtype == "float32" and dtype != "float32":
        raise ValueError(f"coupling_dtype='float32' needs dtype='float32' (float32 products resolve the frame only to "
                         f"float32 precision), got dtype={dtype!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    J = np.asarray(J, dtype=np.float64)
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] < 1 or not _all_finite(J):
        raise ValueError(f"J must be a finite square N x N matrix with N >= 1, got shape {J.shape}")
    N = J.shape[0]
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape != (N,) or not np.all(np.isfinite(theta)):
        raise ValueError(f"theta must be a finite vector of shape ({N},), got shape {theta.shape}")
    if x0 is not None:
        x0 = np.array(x0, dtype=np.float64)
        if x0.shape != (N,) or not np.all(np.isfinite(x0)):
            raise ValueError(f"x0 must be None or a finite vector of shape ({N},), got shape {x0.shape}")
    if not (isinstance(k, (int, np.integer)) and 1 <= k <= N):
        raise ValueError(f"k must be an integer in 1..N = 1..{N}, got {k!r}")
    if not (isinstance(k_running, (int, np.integer)) and k_running >= 1):
        raise ValueError(f"k_running must be an integer >= 1, got {k_running!r}")
    if not (isinstance(n_batches, (int, np.integer)) and n_batches >= 2):
        raise ValueError(f"n_batches must be an integer >= 2, got {n_batches!r}")
    if not (np.isfinite(dt) and 0 < dt <= 1):
        raise ValueError(f"dt must be in (0, 1], got {dt!r}")
    h = dynamics.time_step(model, dt)
    if isinstance(t_ons, str) and t_ons == "auto":
        t_min = h
    elif not (isinstance(t_ons, (int, float, np.integer, np.floating)) and np.isfinite(t_ons)
              and t_ons >= h * (1 - 1e-9)):
        raise ValueError(f"t_ons must be 'auto' or a number >= the time step {h:g} "
                         f"({'dt' if model == 'rate' else '1 for the map'}), got {t_ons!r}")
    elif abs(t_ons / h - round(t_ons / h)) > 1e-6 * (t_ons / h):
        raise ValueError(f"t_ons must be a whole multiple of the time step {h:g}, got {t_ons!r}")
    else:
        t_min = t_ons
    for name, val in (("t_transient", t_transient), ("t_transient_tangent", t_transient_tangent)):
        if not (np.isfinite(val) and val >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {val!r}")
    if not (np.isfinite(t_sim) and t_sim >= n_batches * t_min * (1 - 1e-9)):
        raise ValueError(f"t_sim must be >= n_batches * {'time step' if t_ons == 'auto' else 't_ons'} = "
                         f"{n_batches * t_min:g}, got {t_sim!r}")
    return J, theta, x0


def to_dataset(result: LyapunovResult) -> xr.Dataset:
    """The result as an :class:`xarray.Dataset` (dims ``i``, ``t_running``, ``i_running``); no grid coordinates."""
    r = result
    tu = "tau" if r.model == "rate" else "step"
    ru = f"1/{tu}"
    k_run = r.running.shape[1]

    def scalar(v, units, long_name, dtype=None):
        return ((), np.asarray(v, dtype=dtype), {"units": units, "long_name": long_name})

    ds = xr.Dataset(
        {
            "exponent": ("i", r.exponents, {"units": ru, "long_name": "Lyapunov exponent (QR order)"}),
            "exponent_sem": ("i", r.exponents_sem,
                             {"units": ru, "long_name": f"standard error of the exponent ({r.n_batches} batch means)"}),
            "lambda_max": scalar(r.lambda_max, ru, "largest Lyapunov exponent"),
            "lambda_max_sem": scalar(r.lambda_max_sem, ru, "standard error of the largest Lyapunov exponent"),
            "d_ky": scalar(r.d_ky, "1", "Kaplan-Yorke dimension"),
            "d_ky_lower_bound": scalar(r.d_ky_lower_bound, "1",
                                       "1 if d_ky is only a lower bound (k < N and all k exponents sum >= 0)", np.int8),
            "entropy_rate": scalar(r.entropy_rate, ru, "entropy rate: sum of the positive exponents"),
            "entropy_rate_lower_bound": scalar(r.entropy_rate_lower_bound, "1",
                                               "1 if entropy_rate is only a lower bound (k < N, lambda_k > 0)",
                                               np.int8),
            "mean_exponent": scalar(r.mean_exponent, ru, "mean of the k exponents"),
            "jacobian_trace_mean": scalar(
                r.jacobian_trace_mean, ru,
                "time-averaged tr DF / N" if r.model == "rate" else "time-averaged log|det DM| / N"),
            "log_det_mean": scalar(r.log_det_mean, ru,
                                   "time-averaged log|det(one-step Jacobian)| / (N * time step); NaN if not computed"),
            "n_qr": scalar(r.n_qr, "1", "number of accumulated QR re-orthonormalisations", np.int64),
            "n_steps": scalar(r.n_steps, "1", "number of accumulated integration steps", np.int64),
            "t_ons": scalar(r.t_ons, tu, "mean time between re-orthonormalisations" + (
                " (chosen per interval: t_ons auto)" if r.t_ons_auto else "")),
            "qr_steps_min": scalar(r.qr_steps_min, "1", "fewest integration steps between two QRs", np.int64),
            "qr_steps_mean": scalar(r.n_steps / r.n_qr, "1", "mean integration steps between two QRs"),
            "qr_steps_max": scalar(r.qr_steps_max, "1", "most integration steps between two QRs", np.int64),
            "spread_max": scalar(r.spread_max, "1", "largest R-diagonal spread of one QR interval, "
                                 "log max_j |z_j| - log min_j R_jj (e-folds)"),
            "spread_bound": scalar(r.spread_bound, "1", f"bound on the spread for {r.dtype}: ln(1/eps) - ln(10) "
                                   "(e-folds; beyond it the frame has collapsed: status qr_breakdown)"),
            "dt": scalar(r.dt, tu, "time step"),
            "running": (("t_running", "i_running"), r.running,
                        {"units": ru, "long_name": "running estimate of the first exponents"}),
        },
        coords={
            "i": ("i", np.arange(1, r.k + 1), {"units": "1", "long_name": "exponent index"}),
            "t_running": ("t_running", r.running_t, {"units": tu, "long_name": "accumulation time"}),
            "i_running": ("i_running", np.arange(1, k_run + 1), {"units": "1", "long_name": "exponent index"}),
        },
        attrs={"model": r.model, "method": r.method, "dtype": r.dtype, "coupling_dtype": r.coupling_dtype,
               "backend": r.backend,
               "t_ons_mode": "auto" if r.t_ons_auto else "fixed"},
    )
    return ds
