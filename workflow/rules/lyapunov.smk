rule lyapunov:
    """First k Lyapunov exponents by the QR (Benettin) method, with batch-means errors, of one grid point."""
    input:
        network=network_path,
    output:
        point_pattern("lyapunov"),
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
        point_pattern("lyapunov", "logs", "log"),
    benchmark:
        point_pattern("lyapunov", "benchmarks", "tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/lyapunov.py"
