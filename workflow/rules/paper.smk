# Single-point studies behind the paper figures (config section `paper`); they reuse the lyapunov script.


rule lyapunov_full:
    """Full Lyapunov spectrum (k = N) of one point, for the extensivity figure (Engelken, Wolf & Abbott 2020)."""
    input:
        network=network_path,
    output:
        result_path("lyapunov_full/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.nc"),
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
        result_path("logs/lyapunov_full/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.log"),
    benchmark:
        result_path("benchmarks/lyapunov_full/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/lyapunov.py"


rule lyapunov_t_ons:
    """Lyapunov exponents of one point with the QR interval t_ons of the wildcard (independence of t_ons)."""
    input:
        network=network_path,
    output:
        result_path("lyapunov_t_ons/{model}/t_ons~{t_ons}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.nc"),
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
        result_path("logs/lyapunov_t_ons/{model}/t_ons~{t_ons}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.log"),
    benchmark:
        result_path("benchmarks/lyapunov_t_ons/{model}/t_ons~{t_ons}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/lyapunov.py"
