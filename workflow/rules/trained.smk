# FORCE-trained echo-state network on the 3-bit flip-flop (seed 003): train -> trained_analysis -> figure
# trained_flipflop (rule figure, rnnchaos.figures).
# Settings come from config["trained"] through the helpers training_settings / trained_analysis_settings /
# trained_point (common.smk); the paths carry only the seed (the settings are params: a change reruns).


rule train:
    """Draw an echo-state network and FORCE-train its readout on the flip-flop task; test it with W_out frozen."""
    output:
        result_path("trained/flipflop/seed~{seed}.nc"),
    params:
        point=trained_point,
        settings=training_settings,
    threads: 1
    log:
        result_path("logs/trained/flipflop/seed~{seed}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/train.py"


rule trained_analysis:
    """Fixed points, PCA and Lyapunov spectra (trained, input off and on, vs untrained reservoir) of a trained network."""
    input:
        trained=result_path("trained/flipflop/seed~{seed}.nc"),
    output:
        result_path("trained/flipflop/analysis_seed~{seed}.nc"),
    params:
        point=trained_point,
        settings=trained_analysis_settings,
    threads: 1
    log:
        result_path("logs/trained/flipflop/analysis_seed~{seed}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/trained_analysis.py"

