"""The BLAS workspace of the Lyapunov kernel: numpy forward Euler (rate network) and the map, float64 or float32.

One class, 300+ lines: its chunked kernels share the buffers set up in ``__init__``, so a split would scatter them.

For Euler and the map in float64 the state is carried as column 0 of ``X = [x | Q]`` so one step is one GEMM
``X <- J [alpha tanh(x) | alpha phi'(x) * Q] + beta X`` (BLAS ``gemm`` with ``alpha = h``, ``beta = 1 - dt`` for
the rate network, ``alpha = 1``, ``beta = 0`` for the map) plus one elementwise pass: J is read once per step,
which bounds the step at small k (J leaves the cache from N ~ 2000). There, with one BLAS thread and
``k <= SMALL_K``, the product runs by row blocks of J that fit a core's cache (numpy's GEMM on each; one GEMM of J
with ``k + 1`` columns streams J two to three times), and a large J is never copied.
``coupling_dtype="float32"`` (with ``dtype="float32"``) holds J once in float32 and runs the same single
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

The nonlinearity is tanh by default (``np.tanh(x, out=...)`` and ``phi' = 1 - tanh^2`` in place); any other
:class:`~rnnchaos.nonlinearity.Nonlinearity` goes through its ``phi_dphi`` (one allocation per step, nothing else
changes).

Noise (``noise``, a :class:`rnnchaos.noise.NoiseStream`, with ``noise_scale > 0``): each chunk takes its ``n``
steps' standard normals at once (O(N) per step against the step's O(N^2) product) and adds ``noise_scale * xi_j``
to the state after step ``j``; the frame's products are unchanged (additive noise: the Jacobian at the noisy state).

The QR is Householder (LAPACK ``geqrf``/``orgqr``, or recursive ``geqrt`` for tall-skinny frames:
:func:`qr_kernel_for`), its R diagonal made positive and checked by :func:`rnnchaos.lyapunov_kernel.check_r`.
"""

from __future__ import annotations

import math
import os

import numpy as np
from scipy.linalg import get_blas_funcs, get_lapack_funcs

from rnnchaos.lyapunov_kernel import check_r, sum_log_dphi
from rnnchaos.models import time_step
from rnnchaos.nonlinearity import TANH, Nonlinearity

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
                 qr_kernel: str | None = None, f32_blas: str | None = None, row_block: int | None = None,
                 nonlinearity: Nonlinearity = TANH, noise=None, noise_scale: float = 0.0):
        N, k = Q.shape
        self.noise, self.noise_scale = (noise, float(noise_scale)) if noise_scale > 0 else (None, 0.0)
        f, c = np.dtype(dtype), np.dtype(coupling_dtype)
        self.qr_kernel = qr_kernel or qr_kernel_for(N, k)
        self.geqrt, self.trmm = get_lapack_funcs("geqrt", dtype=f), get_blas_funcs("trmm", dtype=f)
        self.upper_k, self.diag_k = np.triu(np.ones((k, k), dtype=bool), 1), np.arange(k)
        self.model = model
        self.phi, self.tanh = nonlinearity, nonlinearity == TANH
        self.h = time_step(model, dt)  # time per step; the step is X <- alpha J B + beta X
        self.alpha, self.beta = self.h, (1.0 - self.h if model == "rate" else 0.0)
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
        # x_j (the tanh map's log phi'; other nonlinearities take the log of dphi)
        self.Xs = np.empty((N, self.chunk), order="F") if model == "map" and self.tanh else None
        self.theta_a = self.alpha * np.asarray(theta, dtype=np.float64)
        self.Jdiag = np.diag(JC).astype(np.float64)  # of the J the steps use
        self.lwork = int(self.geqrf(self.Q.copy(order="F"), lwork=-1)[2][0].real)
        self.exact_log_det = exact_log_det and model == "rate"
        self.J_exact = np.array(J, dtype=np.float64) if self.exact_log_det else None
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
        tanh, phi_dphi, dphi = self.tanh, self.phi.phi_dphi, self.dphi
        E = self._noise(n)
        if blocks is None:
            gemm, JG, trans = self.gemm, self.JG, self.trans
        for j in range(n):
            if Xs is not None:
                Xs[:, j] = x
            t = T[:, j]
            if tanh:
                np.tanh(x, out=t)
                np.multiply(t, t, out=ad)
                np.subtract(1.0, ad, out=ad)
            else:
                t[...], dphi[:, j] = phi_dphi(x)
                ad[...] = dphi[:, j]
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
            if E is not None:
                x += E[j]

    def _noise(self, n: int):
        """The chunk's noise, ``noise_scale * xi_j`` for its ``n`` steps (n, N), or None without noise."""
        return None if self.noise is None else self.noise.take(n) * self.noise_scale

    def _chunk_split(self, n: int) -> None:
        """float32 frame, ``n`` steps: the state's ``n`` float64 steps ``x <- (a J) t + beta x + a theta``, then the
        frame's on ``Q~ = Q / beta^j``, ``Q~ <- Q~ + J ((a / beta) phi'(x_j) * Q~)`` (one float32 GEMM each), then
        ``Q = beta^n Q~`` (``beta = 0``: ``Q <- J (a phi'(x_j) * Q)``). ``f32_blas="numpy"`` runs the products with
        numpy's BLAS (the faster float32 GEMM of the two OpenBLAS builds of the numpy and scipy wheels; one more
        add per step, as numpy's GEMM has no ``beta``), ``"scipy"`` with scipy's, like the QR.
        """
        x, u, T, a, beta, theta_a, Xs = self.x, self.u, self.T, self.alpha, self.beta, self.theta_a, self.Xs
        JC, scipy_blas, gemv = self.JC, self.f32_blas == "scipy", self.gemv
        E = self._noise(n)
        for j in range(n):
            if Xs is not None:
                Xs[:, j] = x
            t = T[:, j]
            if self.tanh:
                np.tanh(x, out=t)
            else:
                t[...], self.dphi[:, j] = self.phi.phi_dphi(x)
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
            if E is not None:
                x += E[j]
        Tn, dn = T[:, :n], self.dphi[:, :n]
        if self.tanh:
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
            self.logphi_sum += float(sum_log_dphi(self.Xs[:, :n]) if self.tanh else np.log(self.dphi[:, :n]).sum())
            return
        Tn, dn = self.T[:, :n], self.dphi[:, :n]
        if self.fused and self.tanh:  # the split kernel, and other nonlinearities, have them already
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
        ``log_col_max``, the log of the largest column norm before the QR (for
        :func:`rnnchaos.lyapunov_schedule.frame_spread`).

        Tall-skinny frames (:func:`qr_kernel_for`): recursive ``geqrt`` (compact WY, ``Q = (I - V T V^T) E``),
        then ``Q`` formed by one ``trmm`` and one GEMM, ``-V (T V_1^T S) + E S`` with ``S = diag(sign R_ii)``;
        level-3 throughout. Otherwise blocked ``geqrf`` + ``orgqr``, then the sign fix.
        """
        self.log_col_max = _log_col_max(self.Q)
        if self.qr_kernel == "geqrt":
            return self._qr_geqrt()
        qr, tau, _, info = self.geqrf(self.Q, lwork=self.lwork, overwrite_a=1)
        r = np.array(qr.diagonal(), dtype=np.float64)
        check_r(r, info, self.n_steps)
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
        check_r(r, info, self.n_steps)
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


