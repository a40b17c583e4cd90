rule kac_rice:
    """Kac-Rice theory of fixed points at one (g, sigma_b): coordinate density, radius, complexity, Jacobian disc."""
    output:
        result_path("kac_rice/g~{g}/sigma_b~{sigma_b}.nc"),
    params:
        point=theory_point,
        settings=kac_rice_settings,
    threads: 1
    group:
        "theory"
    log:
        result_path("logs/kac_rice/g~{g}/sigma_b~{sigma_b}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/kac_rice.py"
