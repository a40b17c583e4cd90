# Path and params helpers of the trained_rnn section (rules/trained_rnn.smk): the networks come from
# rnnchaos.trained_rnn_config.networks (listed state-dict files, then the FORCE family's members).
from rnnchaos.trained_rnn_config import family_path
from rnnchaos.trained_rnn_config import networks as trained_rnn_networks

TRAINED_RNN = config["trained_rnn"]
TRAINED_RNN_NETWORKS = {net["name"]: net for net in trained_rnn_networks(TRAINED_RNN)}
#: the generated flip-flop inputs every network is driven by (inputs.kind: flipflop)
TRAINED_RNN_INPUTS = "results/trained_rnn/inputs.npz"


def trained_rnn_paths():
    """Every network's file and the feature table (none while the section lists no network); its figures are
    among the registry's (rule figure)."""
    if not TRAINED_RNN_NETWORKS:
        return []
    figures = [name for name, _ in figure_instances(config) if name.startswith("trained_rnn_")]
    return [
        *trained_rnn_network_paths(),
        "results/trained_rnn/features.nc",
        "results/trained_rnn/features.csv",
        *[f"{RESULTS}/figures/{name}.{ext}" for name in figures for ext in ("png", "pdf")],
    ]


def trained_rnn_network_paths(wildcards=None):
    """The analysis file of every network, in the section's order."""
    return [f"results/trained_rnn/{name}.nc" for name in TRAINED_RNN_NETWORKS]


def trained_rnn_names(wildcards=None):
    """The networks' names, in the order of trained_rnn_network_paths."""
    return list(TRAINED_RNN_NETWORKS)


def trained_rnn_inputs(wildcards):
    """A network's weights (a listed file) or training file (a family member), and the inputs file if any."""
    net = TRAINED_RNN_NETWORKS[wildcards.name]
    files = {"training": family_path(net["g"], net["seed"])} if "g" in net else {"weights": net["path"]}
    kind = TRAINED_RNN["inputs"]["kind"]
    if kind in ("file", "flipflop"):
        files["inputs"] = TRAINED_RNN["inputs"]["path"] if kind == "file" else TRAINED_RNN_INPUTS
    return files


def trained_rnn_network(wildcards):
    """The network's own keywords of rnnchaos.trained_rnn.analyse_trained_rnn (name, performance, cell, ...)."""
    net = TRAINED_RNN_NETWORKS[wildcards.name]
    if "g" in net:  # a family member: an Elman RNN (tanh); its performance is read from its training file
        return {"name": net["name"], "performance": None}
    return {k: net[k] for k in ("name", "performance", "cell", "nonlinearity", "prefix")}


def trained_rnn_settings(wildcards):
    """Inputs and analysis keywords of rnnchaos.trained_rnn.analyse_trained_rnn, and the seed of its stream."""
    i = TRAINED_RNN["inputs"]
    kind = i["kind"]
    inputs = {"inputs": "file" if kind in ("file", "flipflop") else kind, "batch": i["batch"], "steps": i["steps"]}
    if kind == "white_noise":
        inputs["sigma"] = i["sigma"]
    if kind in ("file", "flipflop"):
        inputs["input_path"] = i["path"] if kind == "file" else TRAINED_RNN_INPUTS
        inputs["input_key"] = i["key"] if kind == "file" else "inputs"
    return {**inputs, **TRAINED_RNN["analysis"]}


def trained_rnn_family_settings(wildcards):
    """Keywords of rnnchaos.force_family.train_family for one member (gain and seed from the wildcards)."""
    f = TRAINED_RNN["force_family"]
    return {"gs": [float(wildcards.g)], "seeds": [int(wildcards.seed)], "N": f["N"], "train_time": f["train_time"],
            "test_time": f["test_time"]}


def trained_rnn_input_settings(wildcards):
    """The generated flip-flop inputs: sequences, steps, channels and the seed of their stream."""
    return {k: TRAINED_RNN["inputs"][k] for k in ("batch", "steps", "n_bits", "seed")}


def trained_rnn_correlation_settings(wildcards):
    """Bootstrap settings of the feature-performance correlations."""
    return dict(TRAINED_RNN["correlation"])
