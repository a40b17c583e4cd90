# Path and params helpers of the fixed_point_study section (rules/fixed_point_study.smk): every network of the
# section's grid (model x g x sigma_b x N x seed) is searched once; each (model, g, sigma_b) pools its networks.
from rnnchaos.figures import fixed_point_pool_wanted, fixed_point_study_wanted
from rnnchaos.fixed_point_pool import batch_seeds, n_batches
from rnnchaos.grid import fixed_point_pool_paths
from rnnchaos.grid import fixed_point_study_paths as grid_fixed_point_study_paths

FIXED_POINT_STUDY = config["fixed_point_study"]
#: one network's statistics, and the study of one (model, g, sigma_b) pooled from them
FIXED_POINT_STUDY_NETWORK = result_path("fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.nc")
FIXED_POINT_STUDY_POOLED = result_path("fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}.nc")
#: many networks of one size pooled (fixed_point_study.pooled: the coordinate density at seed 002's scale)
FIXED_POINT_POOL = result_path("fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}/pooled_N~{N}.nc")
FIXED_POINT_POOL_BATCH = result_path("fixed_point_study/{model}/g~{g}/sigma_b~{sigma_b}/pooled_N~{N}/batch~{batch}.nc")


def fixed_point_study_paths():
    """The study's file of every (model, g, sigma_b) and its figures (none unless the section is enabled): the
    target fixed_point_study_all and a part of rule all."""
    models = FIXED_POINT_STUDY["model"]
    figures = [f"{RESULTS}/figures/{figure_stem(name, key)}.{ext}" for name, key in figure_instances(config)
               if FIGURES[name].wanted in (fixed_point_study_wanted, fixed_point_pool_wanted)
               for ext in ("png", "pdf")]
    return [path for m in models for path in (*grid_fixed_point_study_paths(config, m),
                                              *fixed_point_pool_paths(config, m))] + figures


def fixed_point_study_networks(wildcards):
    """The per-network files one (model, g, sigma_b) pools: every size and seed of the section (noise-free networks:
    no sigma_xi in their paths)."""
    return [FIXED_POINT_STUDY_NETWORK.format(model=wildcards.model, g=wildcards.g, sigma_b=wildcards.sigma_b, N=n,
                                             seed=k)
            for n, k in itertools.product(FIXED_POINT_STUDY["N"], range(FIXED_POINT_STUDY["seeds"]))]


def fixed_point_pool_batches(wildcards):
    """The batch files one pooled (model, g, sigma_b, N) reads: seeds 0 .. pooled.seeds-1 in batches."""
    return [FIXED_POINT_POOL_BATCH.format(**wildcards, batch=b)
            for b in range(n_batches(FIXED_POINT_STUDY["pooled"]["seeds"]))]


def fixed_point_pool_batch_seeds(wildcards):
    """The seeds of one batch."""
    return list(batch_seeds(FIXED_POINT_STUDY["pooled"]["seeds"], int(wildcards.batch)))


def fixed_point_study_network_settings(wildcards):
    """Keywords of rnnchaos.fixed_point_study.network_dataset besides the model, disorder and (g, sigma_b)."""
    return with_nonlinearity({k: FIXED_POINT_STUDY[k] for k in ("n_init", "near_zero")})


def fixed_point_study_settings(wildcards):
    """Keywords of rnnchaos.fixed_point_study.study besides the networks, the model and (g, sigma_b)."""
    return with_nonlinearity({k: FIXED_POINT_STUDY[k] for k in ("near_zero", "min_completeness")})


def fixed_point_study_design(wildcards):
    """The sizes, networks per size and solves per network, recorded in the study's file (the figure's caption)."""
    return {k: FIXED_POINT_STUDY[k] for k in ("N", "seeds", "n_init")}
