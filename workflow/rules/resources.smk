# Cluster resources of the N-dependent rules, as functions of the grid point (N, k, stage settings): memory
# (mem_mb, MB), wall time (runtime, minutes), threads, GPUs (gpu) and which jobs are bundled (group). Locally only
# `threads` matters; with profiles/slurm they become sbatch --mem, --time, --cpus-per-task and --gpus (lyapunov
# jobs whose backend runs on a GPU, config lyapunov.backend; their run time keeps the CPU estimate, an upper
# bound). Rules without their own take the profile's default-resources. On a retry (profile `retries`) memory and
# time grow with `attempt`.
# The cost models (memory and CPU time per job) live in src/rnnchaos/resources.py, which common.smk also uses to
# refuse a local run too large for the machine and to print the run's planned core-hours.
from rnnchaos import resources
from rnnchaos.fixed_point_study import search_settings as fixed_point_study_search

#: simulate, lyapunov and fixed_points jobs estimated to run shorter than this (seconds) are bundled (groups named
#: after the rule); longer ones are submitted alone
BUNDLE_BELOW_S = 300
#: networks at least this large run lyapunov and fixed_points with BLAS_THREADS threads (below: one thread per
#: job, which maximises throughput of an embarrassingly parallel grid); override with --set-threads rule=n
THREADED_FROM_N = 4000
BLAS_THREADS = 4


def _settings(stage, settings, wildcards):
    """The stage settings of a job: from `settings` (a params helper of common.smk) or the stage's own helper."""
    helper = settings or {"network": network_point, "simulate": simulate_settings,
                          "lyapunov": lyapunov_settings, "fixed_points": fixed_points_settings}[stage]
    return helper(wildcards)


def cpu_seconds(stage, wildcards, settings=None):
    """Estimated single-core run time of one job of `stage` at its grid point, in seconds."""
    model = getattr(wildcards, "model", "rate")
    return resources.cpu_seconds(stage, int(wildcards.N), model, _settings(stage, settings, wildcards))


def job_mem_mb(stage, settings=None):
    """The `mem_mb` resource of a job of `stage` (settings: its params helper, if not the stage's own): base plus
    1.5 x the arrays, times the attempt."""

    def mem_mb(wildcards, attempt):
        return resources.mem_mb(stage, int(wildcards.N), _settings(stage, settings, wildcards), attempt)

    return mem_mb


def job_runtime(stage, settings=None):
    """The `runtime` resource of a job of `stage` in minutes: safety x estimate, floored, times the attempt."""

    def runtime(wildcards, attempt):
        model = getattr(wildcards, "model", "rate")
        return resources.runtime_minutes(stage, int(wildcards.N), model, _settings(stage, settings, wildcards),
                                         attempt)

    return runtime


def fixed_point_study_cost(wildcards):
    """The fixed_points cost model's settings of one network of the fixed-point study (its search's settings,
    rnnchaos.fixed_point_study.search_settings): memory and time grow with N as a fixed_points job's."""
    return fixed_point_study_search(config["fixed_point_study"]["n_init"])


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


def fixed_point_pool_batch_runtime(wildcards, attempt):
    """The `runtime` of a batch of the pooled fixed points: the batch's networks' CPU time (each as a network of the
    fixed-point study) with the safety factor, floored, times the attempt."""
    n = len(fixed_point_pool_batch_seeds(wildcards))
    seconds = n * resources.cpu_seconds("fixed_points", int(wildcards.N), wildcards.model,
                                        fixed_point_study_cost(wildcards))
    return int(max(resources.MIN_RUNTIME, resources.RUNTIME_SAFETY * seconds / 60 + 1) * attempt)

