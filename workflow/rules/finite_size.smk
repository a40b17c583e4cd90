rule finite_size:
    """Extrapolation to N -> infinity of lambda_max, Delta0, Delta_inf (and D_KY/N) at every (g, sigma_b) of one
    model, from its summary, against mean-field theory (z-scores); one file per (g, sigma_b)."""
    input:
        result_path("summary/{model}.nc"),
    output:
        finite_size_outputs(),
    params:
        points=finite_size_points(),
        settings=finite_size_settings,
    threads: 1
    log:
        result_path("logs/finite_size/{model}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/finite_size.py"
