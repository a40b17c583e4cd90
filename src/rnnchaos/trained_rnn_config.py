"""The ``trained_rnn`` config section: the networks it lists and generates, and the checks a schema cannot express.

:func:`networks` gives every network of the section in order: those listed under ``networks`` (a state-dict
file each) and, with ``force_family.enabled``, one FORCE-trained flip-flop network per ``g`` and seed
(:mod:`rnnchaos.force_family`), named ``force_g~{g}_seed~{seed}``. :func:`check_trained_rnn` raises
:class:`rnnchaos.config.ConfigError`-compatible ``ValueError`` subclasses naming the key: names given twice or
reserved, weight or input files that do not exist or have an unsupported suffix, ``k`` above the family's ``N``,
a ``file`` input without a path.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rnnchaos.grid import format_value

#: Suffixes of a weights file (rnnchaos.state_dict) and of an inputs file (rnnchaos.driven_inputs).
WEIGHT_SUFFIXES = (".npz", ".safetensors", ".pt", ".pth")
INPUT_SUFFIXES = (".npy", ".npz")
#: Names the section's own outputs take under results/trained_rnn/.
RESERVED_NAMES = ("features",)
#: Fewest networks with a performance value for the correlation (rnnchaos.spectrum_features.MIN_NETWORKS).
MIN_NETWORKS = 5


def family_name(g: float, seed: int) -> str:
    """The name of the family member of gain ``g`` and ``seed``."""
    return f"force_g~{format_value(g)}_seed~{int(seed)}"


def family_path(g: float, seed: int) -> str:
    """The training file of the family member of gain ``g`` and ``seed`` (rule trained_rnn_force_family)."""
    return f"results/trained_rnn/force_family/g~{format_value(g)}/seed~{int(seed)}.nc"


def networks(section: Mapping) -> list[dict]:
    """Every network of the section (schema-validated), in order, as ``{"name", "path", "performance", "cell",
    "nonlinearity", "prefix"}`` for a listed one (``performance`` None: none given) and ``{"name", "g", "seed"}``
    for a family member."""
    out = [dict(net) for net in section["networks"]]
    family = section["force_family"]
    if family["enabled"]:
        out += [{"name": family_name(g, seed), "g": float(g), "seed": seed}
                for g in family["g"] for seed in range(family["seeds"])]
    return out


def n_with_performance(section: Mapping) -> int:
    """How many networks carry a performance value (every family member does: its test MSE)."""
    return sum(1 for net in networks(section) if "g" in net or net.get("performance") is not None)


def check_trained_rnn(config: Mapping, error=ValueError) -> None:
    """Raise ``error`` on the first problem of ``config["trained_rnn"]`` that the schema cannot see."""
    section = config["trained_rnn"]
    seen: dict[str, str] = {}
    for i, net in enumerate(networks(section)):
        key = f"trained_rnn.networks[{i}]" if i < len(section["networks"]) else "trained_rnn.force_family"
        if net["name"] in RESERVED_NAMES:
            raise error(f"{key}.name = {net['name']!r} is reserved for the section's own outputs; choose another")
        if net["name"] in seen:
            raise error(f"{key}.name = {net['name']!r} is given twice (also {seen[net['name']]}); names must be "
                        f"distinct")
        seen[net["name"]] = key
        if "path" in net:
            _check_file(f"{key}.path", net["path"], WEIGHT_SUFFIXES, error)
    inputs, family, k = section["inputs"], section["force_family"], section["analysis"]["k"]
    if inputs["kind"] == "file":
        if not inputs["path"]:
            raise error("trained_rnn.inputs.path must name a .npy or .npz file of input sequences (batch x T x d) "
                        "when trained_rnn.inputs.kind is file")
        _check_file("trained_rnn.inputs.path", inputs["path"], INPUT_SUFFIXES, error)
    if family["enabled"] and k is not None and k > family["N"]:
        raise error(f"trained_rnn.analysis.k = {k} must be in [1, trained_rnn.force_family.N = {family['N']}] (or "
                    f"null for min(n, 64))")
    if family["enabled"] and inputs["kind"] == "flipflop" and inputs["n_bits"] != 3:
        raise error(f"trained_rnn.inputs.n_bits = {inputs['n_bits']} must be 3, the flip-flop channels the FORCE "
                    f"family is trained on (their input dimension)")


def _check_file(key: str, path: str, suffixes: tuple, error) -> None:
    p = Path(path)
    if p.suffix not in suffixes:
        raise error(f"{key} = {path!r}: the suffix must be one of {', '.join(suffixes)}")
    if not p.is_file():
        raise error(f"{key} = {path!r}: no such file (relative paths start at the working directory)")
