rule simulate:
    """Trajectory, population variance Delta0 and autocorrelation Delta(tau) of one grid point."""
    input:
        network=network_path,
    output:
        point_pattern("simulate"),
    params:
        point=grid_point,
        settings=simulate_settings,
    threads: 1
    resources:
        mem_mb=job_mem_mb("simulate"),
        runtime=job_runtime("simulate"),
    group:
        short_jobs_group("simulate")
    log:
        point_pattern("simulate", "logs", "log"),
    benchmark:
        point_pattern("simulate", "benchmarks", "tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/simulate.py"
