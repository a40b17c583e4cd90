# How FORCE training shapes the state space (config section training_study, issue 20; seed 003 secs. 6.1-8):
# train (source with readout snapshots, scratch) and transfer -> fixed points over the source's training; the
# n_bits networks' memories; noise on J -> the section's three figures (rule figure, rnnchaos.figures). Helpers in rules/training_study_common.smk; settings are params (a change reruns).


wildcard_constraints:
    nonlinearity="tanh|erf|logistic",
    origin="source|scratch|transfer",


rule training_study_train:
    """Draw an echo-state network and FORCE-train it from W_out = 0: the source ((n_bits-1)-bit, readout snapshots
    during training) or the scratch network (n_bits)."""
    output:
        TRAINING_STUDY_NETWORK,
    wildcard_constraints:
        origin="source|scratch",
    params:
        point=training_study_point,
        settings=training_study_train_settings,
    threads: 1
    log:
        "results/logs/training_study/{nonlinearity}/{origin}/seed~{seed}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/training_study_train.py"


rule training_study_transfer:
    """Start an n_bits network from the (n_bits-1)-bit source (weights copied, the new readout row 0) and retrain."""
    input:
        source=training_study_source,
    output:
        TRAINING_STUDY_NETWORK.replace("{origin}", "transfer"),
    params:
        point=training_study_point,
        settings=training_study_transfer_settings,
    threads: 1
    log:
        "results/logs/training_study/{nonlinearity}/transfer/seed~{seed}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/training_study_transfer.py"


rule training_study_evolution:
    """Fixed points of the source at every readout snapshot, from one fixed set of initial states, classified."""
    input:
        network=TRAINING_STUDY_NETWORK.replace("{origin}", "source"),
    output:
        TRAINING_STUDY_FILE.replace("{origin}", "source").replace("{study}", "evolution"),
    params:
        point=training_study_point,
        settings=training_study_evolution_settings,
    threads: 1
    log:
        "results/logs/training_study/{nonlinearity}/source/evolution_seed~{seed}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/training_study_evolution.py"


rule training_study_geometry:
    """The memories of an n_bits network (its stable fixed points near the corners) and their pairwise distances."""
    input:
        network=TRAINING_STUDY_NETWORK,
    output:
        TRAINING_STUDY_FILE.replace("{study}", "geometry"),
    params:
        point=training_study_point,
        settings=training_study_fixed_point_settings,
    threads: 1
    log:
        "results/logs/training_study/{nonlinearity}/{origin}/geometry_seed~{seed}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/training_study_geometry.py"


rule training_study_noise:
    """Test MSE of an n_bits network with Gaussian noise of s.d. eta added to J, several draws per eta."""
    input:
        network=TRAINING_STUDY_NETWORK,
    output:
        TRAINING_STUDY_FILE.replace("{study}", "noise"),
    params:
        point=training_study_point,
        settings=training_study_noise_settings,
    threads: 1
    log:
        "results/logs/training_study/{nonlinearity}/{origin}/noise_seed~{seed}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/training_study_noise.py"


rule training_study_all:
    """Every output of the training_study section (a target: snakemake training_study_all)."""
    input:
        training_study_paths(),
