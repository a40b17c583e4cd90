# Trained RNNs in PyTorch's layout (config section trained_rnn; docs/trained_rnns.md): each listed state dict or
# FORCE family member -> results/trained_rnn/<name>.nc -> the feature table (features.nc, features.csv, with the
# feature-performance correlations) -> the section's figures (rule figure, rnnchaos.figures).
# Helpers in rules/trained_rnn_common.smk.


rule trained_rnn_force_family:
    """FORCE-train one flip-flop network at dt = tau and store it as an Elman RNN with its test MSE."""
    output:
        "results/trained_rnn/force_family/g~{g}/seed~{seed}.nc",
    params:
        settings=trained_rnn_family_settings,
    threads: 1
    log:
        "results/logs/trained_rnn/force_family/g~{g}/seed~{seed}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/trained_rnn_force_family.py"


rule trained_rnn_inputs:
    """Flip-flop input sequences of the family's task, shared by every network of the run."""
    output:
        "results/trained_rnn/inputs.npz",
    params:
        settings=trained_rnn_input_settings,
    log:
        "results/logs/trained_rnn/inputs.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/trained_rnn_inputs.py"


rule trained_rnn:
    """Lyapunov spectrum along the inputs, its features, and fixed points under zero input, of one network."""
    input:
        unpack(trained_rnn_inputs),
    output:
        "results/trained_rnn/{name}.nc",
    wildcard_constraints:
        name=r"(?!features\.nc$)[A-Za-z0-9_.~]+",
    params:
        network=trained_rnn_network,
        settings=trained_rnn_settings,
    threads: 1
    log:
        "results/logs/trained_rnn/{name}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/trained_rnn.py"


rule trained_rnn_features:
    """The feature table of every network and each feature's Spearman correlation with the performance."""
    input:
        networks=trained_rnn_network_paths,
    output:
        nc="results/trained_rnn/features.nc",
        csv="results/trained_rnn/features.csv",
    params:
        names=trained_rnn_names,
        settings=trained_rnn_correlation_settings,
    log:
        "results/logs/trained_rnn/features.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/trained_rnn_features.py"


rule trained_rnn_all:
    """Every output of the trained_rnn section (a target: snakemake trained_rnn_all)."""
    input:
        trained_rnn_paths(),
