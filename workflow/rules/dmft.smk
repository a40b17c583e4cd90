rule dmft:
    """Mean-field theory (N -> infinity) at one (g, sigma_b, sigma_xi): Delta0, Delta(tau), lambda_max, g_c (with
    white noise for sigma_xi > 0: rnnchaos.dmft_noise)."""
    output:
        theory_pattern("dmft"),
    params:
        point=theory_point,
        settings=dmft_settings,
    threads: 1
    group:
        "theory"
    log:
        theory_pattern("dmft", "logs", "log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/dmft.py"


rule dmft_g_sweep:
    """Dense mean-field curves lambda_max(g) and Delta0(g) at one (sigma_b, sigma_xi), for the figures."""
    output:
        g_sweep_pattern(),
    params:
        sigma_b=theory_sigma_b,
        sigma_xi=theory_sigma_xi,
        settings=dmft_sweep_settings,
    log:
        g_sweep_pattern("logs", "log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/dmft_g_sweep.py"


rule dmft_critical_line:
    """The critical gain g_c(sigma_b) on a dense sigma_b grid (onset of chaos in mean-field theory)."""
    output:
        result_path("dmft/{model}/critical_line.nc"),
    params:
        settings=dmft_line_settings,
    log:
        result_path("logs/dmft/{model}/critical_line.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/dmft_critical_line.py"
