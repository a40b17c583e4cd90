rule simulate:
    """Trajectory, population variance Delta0 and autocorrelation Delta(tau) of one grid point."""
    input:
        network=network_path,
    output:
        "results/simulate/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.nc",
    params:
        point=grid_point,
        settings=simulate_settings,
    log:
        "results/logs/simulate/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/simulate.py"
