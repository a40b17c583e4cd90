rule simulate:
    """Trajectory, population variance Delta0 and autocorrelation Delta(tau) of one grid point."""
    input:
        network=network_path,
    output:
        result_path("simulate/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.nc"),
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
        result_path("logs/simulate/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.log"),
    benchmark:
        result_path("benchmarks/simulate/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/simulate.py"
