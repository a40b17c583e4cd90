# Path and params helpers of the training_study section (rules/training_study.smk): per nonlinearity and seed a
# source ((n_bits-1)-bit, with readout snapshots), a scratch and a transfer n_bits network; the fixed points over the
# source's training (first nonlinearity); the memories' geometry and the noise study of the n_bits networks.
from rnnchaos.figures import TRAINING_STUDY_FILE, TRAINING_STUDY_NETWORK, training_evolution_file
from rnnchaos.figures import training_study_seeds, training_study_wanted
from rnnchaos.figures import training_study_files as study_files

TRAINING_STUDY = config["training_study"]
#: the reservoir, task and FORCE settings the section takes from the trained section
TRAINED_SHARED = ("g", "tau", "dt", "alpha", "update_every", "pulse_width", "fb_scale", "record_every")


def training_study_paths():
    """Every output of the section (none unless enabled): evolution, geometry and noise files, and the section's
    figures (those the registry draws for it)."""
    figures = [f"{RESULTS}/figures/{figure_stem(name, key)}.{ext}" for name, key in figure_instances(config)
               if FIGURES[name].wanted in (training_study_seeds, training_study_wanted) for ext in ("png", "pdf")]
    if not TRAINING_STUDY["enabled"]:
        return []
    seeds = range(TRAINING_STUDY["seeds"])
    return [*(training_evolution_file(config, s) for s in seeds), *study_files(config, "geometry"),
            *study_files(config, "noise"), *figures]


def training_study_point(wildcards):
    """The (g, N, seed) of a network of the study: its files' grid coordinates."""
    return {"g": float(config["trained"]["g"]), "N": int(TRAINING_STUDY["N"]), "seed": int(wildcards.seed)}


def _network_settings(wildcards):
    shared = {k: config["trained"][k] for k in TRAINED_SHARED}
    own = {k: TRAINING_STUDY[k] for k in ("test_time", "pulse_interval", "min_interval")}
    return {**shared, **own, "nonlinearity": wildcards.nonlinearity}


def training_study_train_settings(wildcards):
    """Keywords of rnnchaos.training_study.train_scratch: the source (n_bits - 1 bits, with snapshots) or the
    scratch network (n_bits, one snapshot: the final readout)."""
    source = wildcards.origin == "source"
    return {**_network_settings(wildcards), "N": TRAINING_STUDY["N"], "input_scale": TRAINING_STUDY["input_scale"],
            "train_time": TRAINING_STUDY["train_time"], "n_bits": TRAINING_STUDY["n_bits"] - source,
            "n_snapshots": TRAINING_STUDY["n_snapshots"] if source else 1,
            "first_snapshot": TRAINING_STUDY["first_snapshot"]}


def training_study_transfer_settings(wildcards):
    """Keywords of rnnchaos.training_study.transfer (retraining for transfer_time, one snapshot)."""
    settings = {**_network_settings(wildcards), "N": TRAINING_STUDY["N"], "n_bits": TRAINING_STUDY["n_bits"],
                "input_scale": TRAINING_STUDY["input_scale"], "train_time": TRAINING_STUDY["transfer_time"]}
    return {**settings, "g": settings.pop("g")}


def training_study_source(wildcards):
    """The source network a transfer network starts from (same nonlinearity and seed)."""
    return TRAINING_STUDY_NETWORK.format(nonlinearity=wildcards.nonlinearity, origin="source", seed=wildcards.seed)


def training_study_fixed_point_settings(wildcards):
    """Fixed-point keywords shared by the study over training and the memories' geometry (memory_geometry)."""
    return {k: TRAINING_STUDY[k] for k in ("n_init", "n_extra", "tol", "max_iter", "corner_tol")}


def training_study_evolution_settings(wildcards):
    """Keywords of the fixed points over training (the evolution script's library call)."""
    return {**training_study_fixed_point_settings(wildcards),
            **{k: TRAINING_STUDY[k] for k in ("n_trajectories", "trajectory_time")}}


def training_study_noise_settings(wildcards):
    """Keywords of the noise study (the noise script's library call)."""
    return {"eta": list(TRAINING_STUDY["eta"]), "n_draws": TRAINING_STUDY["n_draws"],
            "test_time": TRAINING_STUDY["noise_test_time"]}
