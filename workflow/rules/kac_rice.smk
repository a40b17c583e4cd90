rule kac_rice:
    """Kac-Rice theory of fixed points at one (g, sigma_b): coordinate density, radius, complexity, Jacobian disc."""
    output:
        "results/kac_rice/g~{g}/sigma_b~{sigma_b}.nc",
    params:
        point=theory_point,
        settings=kac_rice_settings,
    threads: 1
    group:
        "theory"
    log:
        "results/logs/kac_rice/g~{g}/sigma_b~{sigma_b}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/kac_rice.py"
