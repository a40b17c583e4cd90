rule fixed_points:
    """Verified fixed points (Newton with deflation from trajectory states and random draws) and their stability."""
    input:
        network=network_path,
        simulation=simulate_path,
    output:
        point_pattern("fixed_points"),
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
        point_pattern("fixed_points", "logs", "log"),
    benchmark:
        point_pattern("fixed_points", "benchmarks", "tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/fixed_points.py"
