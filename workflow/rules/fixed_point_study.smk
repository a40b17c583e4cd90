# Fixed-point statistics against Kac-Rice across N (config section fixed_point_study, issue 22): each network's
# search -> its statistics (one file per network) -> per (model, g, sigma_b) the networks pooled per N, extrapolated
# to N -> infinity and compared with Kac-Rice (one file) -> the section's figure (rule figure, rnnchaos.figures).
# Helpers in rules/fixed_point_study_common.smk.


rule fixed_point_study_network:
    """Verified fixed points of one network (Newton with deflation from Gaussian starts) reduced to its statistics:
    <x*^2>, coordinate density and KS distance to mu*, near-0 fraction, Jacobian rms modulus, index, count."""
    input:
        network=network_path,
    output:
        FIXED_POINT_STUDY_NETWORK,
    params:
        point=grid_point,
        settings=fixed_point_study_network_settings,
    threads: 1
    resources:
        mem_mb=job_mem_mb("fixed_points", fixed_point_study_cost),
        runtime=job_runtime("fixed_points", fixed_point_study_cost),
    log:
        result_path("logs/fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.log"),
    benchmark:
        result_path("benchmarks/fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/fixed_point_study_network.py"


rule fixed_point_study:
    """The networks of one (model, g, sigma_b) pooled per N (networks as samples), extrapolated to N -> infinity
    against Kac-Rice (z-scores), and the count's growth rate over the saturated sizes against Sigma."""
    input:
        networks=fixed_point_study_networks,
    output:
        FIXED_POINT_STUDY_POOLED,
    params:
        point=theory_point,
        settings=fixed_point_study_settings,
        design=fixed_point_study_design,
    threads: 1
    log:
        result_path("logs/fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/fixed_point_study.py"


rule fixed_point_pool_batch:
    """The verified fixed points of a batch of networks of one size (as rule fixed_point_study_network, one file
    for the batch, one status per network): the samples of rule fixed_point_pool."""
    output:
        FIXED_POINT_POOL_BATCH,
    params:
        point=theory_point,
        seeds=fixed_point_pool_batch_seeds,
        settings=fixed_point_study_network_settings,
    wildcard_constraints:
        batch=r"[0-9]+",
    threads: 1
    resources:
        mem_mb=job_mem_mb("fixed_points", fixed_point_study_cost),
        runtime=fixed_point_pool_batch_runtime,
    log:
        result_path("logs/fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}/pooled_N~{N}/batch~{batch}.log"),
    benchmark:
        result_path("benchmarks/fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}/pooled_N~{N}/batch~{batch}.tsv"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/fixed_point_pool_batch.py"


rule fixed_point_pool:
    """Many networks of one size pooled (fixed_point_study.pooled): the coordinate density of all their points
    against mu* and a Gaussian, KS distances and <x*^2> over points and over networks, with jackknife errors."""
    input:
        batches=fixed_point_pool_batches,
    output:
        FIXED_POINT_POOL,
    params:
        point=theory_point,
        settings=fixed_point_study_settings,
        design=lambda wildcards: {"n_init": FIXED_POINT_STUDY["n_init"], "seeds": FIXED_POINT_STUDY["pooled"]["seeds"]},
    threads: 1
    log:
        result_path("logs/fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}/pooled_N~{N}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/fixed_point_pool.py"


rule fixed_point_study_all:
    """Every output of the fixed_point_study section (a target: snakemake fixed_point_study_all)."""
    input:
        fixed_point_study_paths(),
