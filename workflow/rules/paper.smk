# Single-point studies behind the paper figures (config section `paper`); they reuse the lyapunov script.

# the t_ons study's files: per-point paths whose model folder holds the QR interval (rnnchaos.figures.t_ons_files)
T_ONS_MODEL = "{model}/t_ons~{t_ons}"


rule lyapunov_full:
    """Full Lyapunov spectrum (k = N) of one point, for the extensivity figure (Engelken, Wolf & Abbott 2020)."""
    input:
        network=network_path,
    output:
        point_pattern("lyapunov_full"),
    params:
        point=grid_point,
        settings=lyapunov_full_settings,
    threads: blas_threads
    resources:
        mem_mb=job_mem_mb("lyapunov", lyapunov_full_settings),
        runtime=job_runtime("lyapunov", lyapunov_full_settings),
        gpu=job_gpus("lyapunov", lyapunov_full_settings),
    group:
        short_jobs_group("lyapunov", lyapunov_full_settings)
    log:
        point_pattern("lyapunov_full", "logs", "log"),
    benchmark:
        point_pattern("lyapunov_full", "benchmarks", "tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/lyapunov.py"


rule lyapunov_t_ons:
    """Lyapunov exponents of one point with the QR interval t_ons of the wildcard (independence of t_ons)."""
    input:
        network=network_path,
    output:
        point_pattern("lyapunov_t_ons", model=T_ONS_MODEL),
    params:
        point=grid_point,
        settings=lyapunov_t_ons_settings,
    threads: blas_threads
    resources:
        mem_mb=job_mem_mb("lyapunov", lyapunov_t_ons_settings),
        runtime=job_runtime("lyapunov", lyapunov_t_ons_settings),
        gpu=job_gpus("lyapunov", lyapunov_t_ons_settings),
    group:
        short_jobs_group("lyapunov", lyapunov_t_ons_settings)
    log:
        point_pattern("lyapunov_t_ons", "logs", "log", model=T_ONS_MODEL),
    benchmark:
        point_pattern("lyapunov_t_ons", "benchmarks", "tsv", model=T_ONS_MODEL),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/lyapunov.py"
