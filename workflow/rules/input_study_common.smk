# Path and params helpers of the input section (rules/input_study.smk): every network of the section's grid
# (model x g x sigma_b x drive x amplitude x N x seed) is driven once; each (model, g, sigma_b) pools its networks.
from rnnchaos.input_config import constant_input_paths as input_constant_input_paths
from rnnchaos.input_config import drives as input_drives
from rnnchaos.input_config import pooled_paths as input_pooled_paths

INPUT = config["input"]
#: one network along one drive, the networks of one (model, g, sigma_b) pooled, one network's constant-input points
INPUT_NETWORK = result_path(
    "driven/{model}/g~{g}/sigma_b~{sigma_b}/{drive}/amplitude~{amplitude}/N~{N}/seed~{seed}.nc"
)
INPUT_POOLED = result_path("driven/{model}/g~{g}/sigma_b~{sigma_b}.nc")
INPUT_CONSTANT = result_path("driven/{model}/g~{g}/sigma_b~{sigma_b}/constant_input/N~{N}/seed~{seed}.nc")
#: the drive wildcard: frequency~<f> (sinusoid) or file
INPUT_DRIVE = r"frequency~[0-9]+(\.[0-9]+)?|file"


def input_paths():
    """Every output of the input section (none unless enabled): the pooled files, the constant-input fixed points
    and the figures; the target input_all and a part of rule all."""
    figures = [f"{RESULTS}/figures/{figure_stem(name, key)}.{ext}" for name, key in figure_instances(config)
               if name == "periodic_suppression" for ext in ("png", "pdf")]
    pooled = [p for m in INPUT["model"] for p in input_pooled_paths(config, m)]
    return pooled + input_constant_input_paths(config) + figures


def input_network_files(wildcards):
    """The per-network files one (model, g, sigma_b) pools: every drive, amplitude, size and seed of the section."""
    return [INPUT_NETWORK.format(model=wildcards.model, g=wildcards.g, sigma_b=wildcards.sigma_b, drive=d,
                                 amplitude=format_value(a), N=n, seed=k)
            for (d, _), a, n, k in itertools.product(input_drives(INPUT), INPUT["amplitude"], INPUT["N"],
                                                     range(INPUT["seeds"]))]


def input_signal_file(wildcards):
    """The signal file of a file-driven run (so that a changed file reruns it); none for a sinusoid."""
    return [INPUT["file"]] if INPUT["signal"] == "file" else []


#: the section's keys every driven run uses (rnnchaos.input_study.network_dataset)
INPUT_RUN_KEYS = ("channels", "scale", "dt", "t_transient", "t_transient_tangent", "t_sim", "t_ons", "k",
                  "n_batches", "n_bins")


def input_network_settings(wildcards):
    """Keywords of rnnchaos.input_study.network_dataset besides the model, the disorder and (g, sigma_b): the
    signal of the drive wildcard and the amplitude, and the run's settings."""
    drive = dict(input_drives(INPUT))[wildcards.drive]
    signal = {"signal": INPUT["signal"], "amplitude": float(wildcards.amplitude), "frequency": drive}
    if INPUT["signal"] == "file":
        signal["file_dt"] = INPUT["file_dt"]
    return with_nonlinearity({**signal, **{k: INPUT[k] for k in INPUT_RUN_KEYS}})


def input_design(wildcards):
    """The pooled file's axes (drives, amplitudes, sizes, seeds) and the settings recorded in it (the caption)."""
    pairs = input_drives(INPUT)
    return {"drives": [d for d, _ in pairs], "frequencies": [f for _, f in pairs],
            "amplitudes": [float(a) for a in INPUT["amplitude"]], "sizes": list(INPUT["N"]),
            "seeds": INPUT["seeds"]}


def input_pooled_params(wildcards):
    """The settings recorded in the pooled file (the figure's caption)."""
    return {"signal": INPUT["signal"], **{k: INPUT[k] for k in INPUT_RUN_KEYS}}


def input_constant_settings(wildcards):
    """Keywords of rnnchaos.input_study.constant_input_dataset besides the model, the disorder and (g, sigma_b)."""
    return with_nonlinearity({"values": list(INPUT["fixed_point_inputs"]), "n_starts": INPUT["fixed_point_starts"],
                              **{k: INPUT[k] for k in ("channels", "scale", "dt")}})
