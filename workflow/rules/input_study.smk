# Networks driven by a deterministic input (config section input, issue 18 item 3): each network along each drive
# and amplitude -> its Lyapunov spectrum, variance and entrainment (one file per network) -> per (model, g, sigma_b)
# the networks pooled (one file) -> the section's figure periodic_suppression (rule figure, rnnchaos.figures);
# fixed points under constant inputs per network. Helpers in rules/input_study_common.smk.


rule input_study_network:
    """One network driven by one signal: first k Lyapunov exponents (QR method, batch-mean errors, QR-frame
    spreads), time-averaged variance and entrained fraction; a diverging run is its status, not numbers."""
    input:
        network=network_path,
        signal=input_signal_file,
    output:
        INPUT_NETWORK,
    params:
        point=grid_point,
        settings=input_network_settings,
    wildcard_constraints:
        drive=INPUT_DRIVE,
        amplitude=FLOAT,
    threads: 1
    log:
        result_path("logs/driven/{model}/g~{g}/sigma_b~{sigma_b}/{drive}/amplitude~{amplitude}/N~{N}/seed~{seed}.log"),
    benchmark:
        result_path(
            "benchmarks/driven/{model}/g~{g}/sigma_b~{sigma_b}/{drive}/amplitude~{amplitude}/N~{N}/seed~{seed}.tsv"
        ),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/input_study_network.py"


rule input_study:
    """The networks of one (model, g, sigma_b) on (drive, amplitude, N, seed), failed runs NaN with their status,
    lambda_max's mean +- SEM over seeds."""
    input:
        networks=input_network_files,
    output:
        INPUT_POOLED,
    params:
        point=theory_point,
        design=input_design,
        settings=input_pooled_params,
    threads: 1
    log:
        result_path("logs/driven/{model}/g~{g}/sigma_b~{sigma_b}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/input_study.py"


rule input_study_constant:
    """Fixed points of one network under each constant input of input.fixed_point_inputs (verified residual)."""
    input:
        network=network_path,
    output:
        INPUT_CONSTANT,
    params:
        point=grid_point,
        settings=input_constant_settings,
    threads: 1
    log:
        result_path("logs/driven/{model}/g~{g}/sigma_b~{sigma_b}/constant_input/N~{N}/seed~{seed}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/input_study_constant.py"


rule input_all:
    """Every output of the input section (a target: snakemake input_all)."""
    input:
        input_paths(),
