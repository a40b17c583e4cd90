# Cluster resources of the N-dependent rules, as functions of the grid point (N, k, stage settings): memory
# (mem_mb, MB), wall time (runtime, minutes), threads, GPUs (gpu) and which jobs are bundled (group). Locally only
# `threads` matters; with profiles/slurm they become sbatch --mem, --time, --cpus-per-task and --gpus (lyapunov
# jobs whose backend runs on a GPU, config lyapunov.backend; their run time keeps the CPU estimate, an upper
# bound). Rules without their own take the profile's default-resources. On a retry (profile `retries`) memory and
# time grow with `attempt`.
# The cost models are counted from the algorithms; their constants are checked against
# benchmarks/scaling.py (docs/cluster.md has the measured table).

#: resident memory of one job before its arrays: the job's Snakemake process (about 130 MB) plus the script's
#: Python with numpy, scipy, xarray and netCDF4 imported (about 100 MB, benchmarks/scaling.py), doubled
JOB_BASE_MB = 500
#: float64 GEMM rate assumed for one core: benchmarks/scaling.py measured 30-43e9 in the lyapunov loop (1 thread,
#: AMD EPYC, OpenBLAS 0.3.31); half of that covers slower and shared cluster cores
GEMM_FLOPS = 20e9
#: matrix-vector rate assumed for one core (memory bound once J, 8 N^2 bytes, leaves the cache; measured 15e9 at
#: N = 800, 5e9 at N = 1600)
GEMV_FLOPS = 1e9
#: Python cost of one time step (numpy calls); measured 5e-6 s at N = 100
STEP_OVERHEAD_S = 2e-5
#: estimated wall time is multiplied by this and floored at MIN_RUNTIME minutes (schedulers round up anyway)
RUNTIME_SAFETY = 2.0
MIN_RUNTIME = 10
#: simulate, lyapunov and fixed_points jobs estimated to run shorter than this (seconds) are bundled (groups named
#: after the rule); longer ones are submitted alone
BUNDLE_BELOW_S = 300
#: networks at least this large run lyapunov and fixed_points with BLAS_THREADS threads (below: one thread per
#: job, which maximises throughput of an embarrassingly parallel grid); override with --set-threads rule=n
THREADED_FROM_N = 4000
BLAS_THREADS = 4


def _steps(settings, model, *keys):
    """Integration steps over the durations `keys` of a stage's settings (dt for the rate network, 1 for the map)."""
    h = settings["dt"] if model == "rate" else 1.0
    return sum(settings[k] for k in keys) / h


def _settings(stage, settings, wildcards):
    """The stage settings of a job: from `settings` (a params helper of common.smk) or the stage's own helper."""
    helper = settings or {"network": network_point, "simulate": simulate_settings,
                          "lyapunov": lyapunov_settings, "fixed_points": fixed_points_settings}[stage]
    return helper(wildcards)


def array_bytes(stage, wildcards, settings=None):
    """Peak bytes of the arrays of one job of `stage` at its grid point (z_J, J and its copies; work arrays)."""
    N, s = int(wildcards.N), _settings(stage, settings, wildcards)
    if stage == "network":
        return 8 * 5 * N**2  # draw, NetCDF encoding and write buffers
    if stage == "simulate":
        return 8 * (4 * N**2 + N * s["t_sim"] / s["sample_dt"])  # disorder, J; the recorded states
    if stage == "lyapunov":
        return 8 * (4 * N**2 + 6 * N * (s["k"] + 1))  # disorder, J, its Fortran copy; [x|Q], buffers, QR work
    if stage == "fixed_points":
        # disorder, J; batches of Jacobians (B, N, N) with B = clip(4e6 / N^2, 1, 256), and their temporaries
        return 8 * (4 * N**2 + 6 * max(4e6, N**2) + s["n_init"] * N)
    raise ValueError(f"no memory model for stage {stage!r}")


def cpu_seconds(stage, wildcards, settings=None):
    """Estimated single-core run time of one job of `stage` at its grid point, in seconds."""
    N, model, s = int(wildcards.N), getattr(wildcards, "model", "rate"), _settings(stage, settings, wildcards)
    if stage == "network":
        return 1e-7 * N**2
    if stage == "simulate":
        steps = _steps(s, model, "t_transient", "t_sim") * (4 if s["method"] == "rk4" and model == "rate" else 1)
        return steps * (2 * N**2 / GEMV_FLOPS + STEP_OVERHEAD_S)
    if stage == "lyapunov":
        k, rk4 = s["k"], 4 if s["method"] == "rk4" and model == "rate" else 1
        tangent = _steps(s, model, "t_transient_tangent", "t_sim") * rk4
        n_qr = (s["t_transient_tangent"] + s["t_sim"]) / s["t_ons"]
        flops = tangent * 2 * N**2 * (k + 1) + n_qr * 4 * N * k**2  # tangent GEMMs + Householder QRs
        transient = _steps(s, model, "t_transient") * rk4 * 2 * N**2 / GEMV_FLOPS
        return flops / GEMM_FLOPS + transient + tangent * STEP_OVERHEAD_S
    if stage == "fixed_points":
        # per solve: up to max_iter Newton (LU, 2/3 N^3) plus 30 fallback iterations, one eigendecomposition
        per_solve = ((s["max_iter"] + 30) * 2 / 3 + 10) * N**3 / GEMM_FLOPS + 0.05
        per_path_solve = 2 / 3 * (N + 1) ** 3 / GEMM_FLOPS + 1e-4  # one LU of the augmented Jacobian
        return s["n_init"] * per_solve + s["n_paths"] * s["path_solves"] * per_path_solve
    raise ValueError(f"no run-time model for stage {stage!r}")


def job_mem_mb(stage, settings=None):
    """The `mem_mb` resource of a job of `stage` (settings: its params helper, if not the stage's own): base plus
    1.5 x the arrays, times the attempt."""

    def mem_mb(wildcards, attempt):
        return int((JOB_BASE_MB + 1.5 * array_bytes(stage, wildcards, settings) / 1e6) * attempt)

    return mem_mb


def job_runtime(stage, settings=None):
    """The `runtime` resource of a job of `stage` in minutes: safety x estimate, floored, times the attempt."""

    def runtime(wildcards, attempt):
        return int(max(MIN_RUNTIME, RUNTIME_SAFETY * cpu_seconds(stage, wildcards, settings) / 60 + 1) * attempt)

    return runtime


def blas_threads(wildcards):
    """Threads (and so BLAS threads) of a lyapunov or fixed_points job: 1, or BLAS_THREADS for large N."""
    return BLAS_THREADS if int(wildcards.N) >= THREADED_FROM_N else 1


def uses_gpu(stage, wildcards, settings=None):
    """Whether a job of `stage` runs on a GPU: a lyapunov job whose resolved backend is a GPU one."""
    return stage == "lyapunov" and _settings(stage, settings, wildcards).get("backend", "numpy") in GPU_BACKENDS


def job_gpus(stage, settings=None):
    """The `gpu` resource of a job of `stage` (sbatch --gpus with the SLURM executor): 1 on a GPU, else 0."""

    def gpu(wildcards):
        return int(uses_gpu(stage, wildcards, settings))

    return gpu


def short_jobs_group(stage, settings=None):
    """The `group` of a job of `stage`: the stage's name if it is estimated to run under BUNDLE_BELOW_S, none
    otherwise, and none for GPU jobs (a bundle would ask for one GPU per job it runs side by side). Grouped jobs
    are bundled into one SLURM job per --group-components <stage>=n independent jobs."""

    def group(wildcards):
        if uses_gpu(stage, wildcards, settings):
            return None
        return stage if cpu_seconds(stage, wildcards, settings) < BUNDLE_BELOW_S else None

    return group
