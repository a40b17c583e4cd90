rule lyapunov:
    """First k Lyapunov exponents by the QR (Benettin) method, with batch-means errors, of one grid point."""
    input:
        network=network_path,
    output:
        result_path("lyapunov/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.nc"),
    params:
        point=grid_point,
        settings=lyapunov_settings,
    threads: blas_threads
    resources:
        mem_mb=job_mem_mb("lyapunov"),
        runtime=job_runtime("lyapunov"),
        gpu=job_gpus("lyapunov"),
    group:
        short_jobs_group("lyapunov")
    log:
        result_path("logs/lyapunov/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.log"),
    benchmark:
        result_path("benchmarks/lyapunov/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/lyapunov.py"
