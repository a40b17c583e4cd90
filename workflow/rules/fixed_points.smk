rule fixed_points:
    """Verified fixed points (Newton with deflation from trajectory states and random draws) and their stability."""
    input:
        network=network_path,
        simulation=simulate_path,
    output:
        result_path("fixed_points/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.nc"),
    params:
        point=grid_point,
        settings=fixed_points_settings,
    threads: blas_threads
    resources:
        mem_mb=job_mem_mb("fixed_points"),
        runtime=job_runtime("fixed_points"),
    group:
        short_jobs_group("fixed_points")
    log:
        result_path("logs/fixed_points/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.log"),
    benchmark:
        result_path("benchmarks/fixed_points/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/fixed_points.py"
