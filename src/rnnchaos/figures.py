"""The figure registry: every figure declared once, with its drawing function, its input files as a function of the
config, and its caption.

Over 300 lines: the registry is data (an entry per figure and the input-file helpers its entries name), kept in one
place on purpose.

:data:`FIGURES` maps a figure's name to a :class:`Figure`. A figure is drawn once per model
(``figures/<name>_<model>``: the grid's figures), once per trained network (``figures/<name>_seed~<seed>``) or once
per run (``figures/<name>``); :func:`instances` says which the config asks for (the ``figures`` key, or the
config section a figure belongs to), :func:`stem` names their files and :func:`parse_stem` reads the name back.
The workflow's one rule ``figure`` takes its inputs from :meth:`Figure.files`, :func:`rnnchaos.config_schema.validate`
the names the ``figures`` key allows and the default list, and :func:`rnnchaos.plotting.draw` the function and the
caption (the first paragraph of the caption file the report shows, before the parameters the drawing states and its
agreement with theory). Adding a figure is one entry here (and its drawing function in a ``plotting_*`` module).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rnnchaos.grid import (
    config_root,
    finite_size_paths,
    fixed_point_pool_paths,
    fixed_point_study_paths,
    format_value,
    g_sweep_paths,
    kac_rice_paths,
    point_files,
    qr_intervals,
    stage_seeds,
    stage_sizes,
)
from rnnchaos.input_config import pooled_paths as input_pooled_paths
from rnnchaos.input_config import wanted as input_wanted
from rnnchaos.plotting_base import Drawing
from rnnchaos.plotting_finite_size import finite_size
from rnnchaos.plotting_fixed_point_pool import fixed_point_pooled
from rnnchaos.plotting_fixed_point_study import fixed_point_study
from rnnchaos.plotting_grid import autocorrelation, fixed_point_coordinates, lyapunov_spectrum
from rnnchaos.plotting_input import periodic_suppression
from rnnchaos.plotting_kac_rice import fixed_point_count, jacobian_spectrum, radial_separation
from rnnchaos.plotting_noise import noise_suppression
from rnnchaos.plotting_noise_phase import input_phase_diagram
from rnnchaos.plotting_paper import qr_convergence, scs_autocorrelation, spectra_collapse
from rnnchaos.plotting_phase import lambda_max_vs_g, phase_diagram
from rnnchaos.plotting_toy import toy_phase_portrait
from rnnchaos.plotting_trained import trained_flipflop
from rnnchaos.plotting_trained_rnn import trained_rnn_performance, trained_rnn_spectra
from rnnchaos.plotting_training_study import flipflop_geometry, noise_robustness, training_evolution
from rnnchaos.trained_rnn_config import MIN_NETWORKS, n_with_performance
from rnnchaos.trained_rnn_config import networks as trained_rnn_networks

#: The files of one input of a figure: a function of the config and the instance's key (the model, the trained
#: network's seed, or None for a figure drawn once), one path or a list of paths.
Files = Callable[[Mapping, "str | int | None"], "str | list[str]"]
#: How often a figure is drawn (once per model, once per trained network, once per run) and the pattern of what
#: follows the name in its file stem (:func:`stem`), the key in group 1.
SUFFIX = {"model": r"_(rate|map)", "seed": r"_seed~([0-9]+)", "run": r"()"}
PER = tuple(SUFFIX)


# --- the inputs figures draw from (a function of the config and the model each) ----------------------------------
def summary_file(config: Mapping, model: str) -> str:
    """The model's summary of the grid (rule summary)."""
    return f"{config_root(config)}/summary/{model}.nc"


def critical_line_file(config: Mapping, model: str) -> str:
    """The mean-field critical line g_c(sigma_b) of the model (rule dmft_critical_line)."""
    return f"{config_root(config)}/dmft/{model}/critical_line.nc"


#: The noise amplitude of the figures drawn from the noise-free networks (formatted, as in paths).
NOISE_FREE = ("0",)


def g_sweep_files(config: Mapping, model: str) -> list[str]:
    """The dense noise-free mean-field sweeps in g, one per sigma_b of the grid (rule dmft_g_sweep)."""
    return g_sweep_paths(config, model, NOISE_FREE)


def noise_g_sweep_files(config: Mapping, model: str) -> list[str]:
    """The dense mean-field sweeps in g, one per (sigma_b, sigma_xi) of the grid (rule dmft_g_sweep)."""
    return g_sweep_paths(config, model)


def kac_rice_files(config: Mapping, model: str) -> list[str]:
    """Kac-Rice theory at every (g, sigma_b) of the grid."""
    return kac_rice_paths(config)


def finite_size_files(config: Mapping, model: str) -> list[str]:
    """The model's extrapolations to N -> infinity of the noise-free networks (none unless a stage has enough
    sizes)."""
    return finite_size_paths(config, model, NOISE_FREE)


def noise_finite_size_files(config: Mapping, model: str) -> list[str]:
    """The model's extrapolations to N -> infinity at every sigma_xi of the grid (none unless a stage has enough
    sizes)."""
    return finite_size_paths(config, model)


def _paper_point(config: Mapping) -> tuple[str, str]:
    """The formatted (g, sigma_b) of the paper's single-point studies (config section ``paper``)."""
    return format_value(config["paper"]["g"]), format_value(config["paper"]["sigma_b"])


def kac_rice_point_files(config: Mapping, model: str) -> list[str]:
    """Kac-Rice theory at the paper's point."""
    g, sigma_b = _paper_point(config)
    return [f"{config_root(config)}/kac_rice/g~{g}/sigma_b~{sigma_b}.nc"]


def full_spectra_files(config: Mapping, model: str) -> list[str]:
    """Full spectra (rule lyapunov_full): every paper.spectra_N at paper.g, and every paper.spectra_g at the
    largest of them, paper.spectra_seeds seeds each."""
    paper, (g, sigma_b) = config["paper"], _paper_point(config)
    seeds = range(paper["spectra_seeds"])
    return sorted({
        *point_files(config, "lyapunov_full", model, [g], [sigma_b], NOISE_FREE, paper["spectra_N"], seeds),
        *point_files(config, "lyapunov_full", model, [format_value(v) for v in paper["spectra_g"]], [sigma_b],
                     NOISE_FREE, [max(paper["spectra_N"])], seeds),
    })


def paper_fixed_points_files(config: Mapping, model: str) -> list[str]:
    """The fixed points at the paper's point: the fixed-point stage's largest N and its seeds."""
    g, sigma_b = _paper_point(config)
    return point_files(config, "fixed_points", model, [g], [sigma_b], NOISE_FREE,
                       [max(stage_sizes(config, "fixed_points"))], range(stage_seeds(config, "fixed_points")))


def fixed_points_count_files(config: Mapping, model: str) -> list[str]:
    """The fixed points at the paper's point for the count study: every paper.count_N, paper.count_seeds seeds."""
    paper, (g, sigma_b) = config["paper"], _paper_point(config)
    return point_files(config, "fixed_points", model, [g], [sigma_b], NOISE_FREE, paper["count_N"],
                       range(paper["count_seeds"]))


def t_ons_files(config: Mapping, model: str) -> list[str]:
    """The QR-interval study (rule lyapunov_t_ons): each usable paper.t_ons at the paper's point, the Lyapunov
    stage's largest N, seed 0."""
    g, sigma_b = _paper_point(config)
    n = max(stage_sizes(config, "lyapunov"))
    return [p for t in qr_intervals(config["paper"]["t_ons"], model, config["lyapunov"]["dt"])
            for p in point_files(config, "lyapunov_t_ons", f"{model}/t_ons~{format_value(t)}", [g], [sigma_b],
                                 NOISE_FREE, [n], [0])]


def toy_file(config: Mapping, key: None = None) -> str:
    """Seed 003's 2-D system: phase portrait, fixed points, slow points (rule toy_system)."""
    return "results/toy/phase_portrait.nc"


def trained_files(config: Mapping, seed: int) -> str:
    """A FORCE-trained flip-flop network (rule train)."""
    return f"{config_root(config)}/trained/flipflop/seed~{seed}.nc"


def trained_analysis_files(config: Mapping, seed: int) -> str:
    """Its fixed points, PCA and Lyapunov spectra (rule trained_analysis)."""
    return f"{config_root(config)}/trained/flipflop/analysis_seed~{seed}.nc"


def trained_seeds(config: Mapping) -> list[int]:
    """The trained flip-flop networks the config asks for (section ``trained``)."""
    t = config["trained"]
    return list(range(t["seeds"])) if t["enabled"] else []


def trained_rnn_files(config: Mapping, key: None = None) -> list[str]:
    """The analysis file of every network of the ``trained_rnn`` section (rule trained_rnn), in its order."""
    return [f"results/trained_rnn/{net['name']}.nc" for net in trained_rnn_networks(config["trained_rnn"])]


def trained_rnn_features_file(config: Mapping, key: None = None) -> str:
    """The networks' features and their correlations with performance (rule trained_rnn_features)."""
    return "results/trained_rnn/features.nc"


def trained_rnn_wanted(config: Mapping) -> list[None]:
    """The spectra figure, drawn once if the ``trained_rnn`` section lists a network."""
    return [None] if trained_rnn_networks(config["trained_rnn"]) else []


def trained_rnn_performance_wanted(config: Mapping) -> list[None]:
    """The performance figure, drawn once if enough networks carry a performance value."""
    return [None] if n_with_performance(config["trained_rnn"]) >= MIN_NETWORKS else []


def fixed_point_study_files(config: Mapping, model: str) -> list[str]:
    """The fixed-point study of every (g, sigma_b) of its section (rule fixed_point_study)."""
    return fixed_point_study_paths(config, model)


def fixed_point_pool_files(config: Mapping, model: str) -> list[str]:
    """The pooled fixed points of every [g, sigma_b] of the section's ``pooled.points`` (rule fixed_point_pool)."""
    return fixed_point_pool_paths(config, model)


def fixed_point_pool_wanted(config: Mapping) -> list[str]:
    """The pooled figure, drawn for each of the section's models where it is enabled and pools any point."""
    section = config["fixed_point_study"]
    return list(section["model"]) if section["enabled"] and section["pooled"]["points"] else []


def fixed_point_study_wanted(config: Mapping) -> list[str]:
    """The fixed-point study's figure, drawn for each of its section's models where the section is enabled."""
    section = config["fixed_point_study"]
    return list(section["model"]) if section["enabled"] else []


def input_files(config: Mapping, model: str) -> list[str]:
    """The pooled driven networks of every (g, sigma_b) of the ``input`` section (rule input_pooled)."""
    return input_pooled_paths(config, model)


#: A network of the training_study section: origin source ((n_bits-1)-bit, snapshots), scratch or transfer (n_bits).
TRAINING_STUDY_NETWORK = "results/training_study/{nonlinearity}/{origin}/seed~{seed}.nc"
#: A study of one such network: evolution (source), geometry or noise (scratch, transfer).
TRAINING_STUDY_FILE = "results/training_study/{nonlinearity}/{origin}/{study}_seed~{seed}.nc"


def training_evolution_file(config: Mapping, seed: int) -> str:
    """Fixed points over the training of the source network of ``seed`` (first nonlinearity; rule
    training_study_evolution)."""
    phi = config["training_study"]["nonlinearities"][0]
    return TRAINING_STUDY_FILE.format(nonlinearity=phi, origin="source", study="evolution", seed=seed)


def training_study_files(config: Mapping, study: str) -> list[str]:
    """The ``study`` (geometry or noise) file of every n_bits network of the section: origin, nonlinearity, seed."""
    t = config["training_study"]
    return [TRAINING_STUDY_FILE.format(nonlinearity=phi, origin=origin, study=study, seed=seed)
            for origin in ("scratch", "transfer") for phi in t["nonlinearities"] for seed in range(t["seeds"])]


def flipflop_geometry_files(config: Mapping, key: None = None) -> list[str]:
    """The memories' geometry of every n_bits network (rule training_study_geometry)."""
    return training_study_files(config, "geometry")


def noise_robustness_files(config: Mapping, key: None = None) -> list[str]:
    """The noise study of every n_bits network (rule training_study_noise)."""
    return training_study_files(config, "noise")


def training_study_seeds(config: Mapping) -> list[int]:
    """The seeds whose fixed points over training are drawn (section ``training_study``, where enabled)."""
    t = config["training_study"]
    return list(range(t["seeds"])) if t["enabled"] else []


def training_study_wanted(config: Mapping) -> list[None]:
    """The section's run figures, drawn once where it is enabled."""
    return [None] if config["training_study"]["enabled"] else []


# --- the registry -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One figure: ``draw(model=..., **datasets)`` returns its :class:`~rnnchaos.plotting_base.Drawing`;
    ``inputs`` maps each dataset keyword of ``draw`` to its files; ``caption`` is what the figure checks (the
    report's first caption paragraph); ``default``: drawn when the config names no figures; ``per``: one of
    :data:`PER`; ``wanted``: for a figure of a config section, the keys of the instances the config asks for (the
    ``figures`` key does not name it); None: the ``figures`` key names it; ``noise``: the figure draws the grid's
    noise amplitudes ``sigma_xi`` itself (else it is drawn from the noise-free networks, the summary at
    ``sigma_xi = 0``: :func:`rnnchaos.plotting.draw`); ``needs``: ``(key, n)`` pairs, the grid keys of which the
    figure needs at least ``n`` values (checked where the ``figures`` key names it,
    :func:`rnnchaos.config_schema.figure_problems`). ``draw`` takes ``model=`` for a figure drawn per model,
    nothing more otherwise (its datasets carry the rest)."""

    draw: Callable[..., Drawing]
    inputs: Mapping[str, Files]
    caption: str
    default: bool = False
    per: str = "model"
    wanted: Callable[[Mapping], list] | None = None
    noise: bool = False
    needs: tuple[tuple[str, int], ...] = ()

    def __post_init__(self):
        if self.per not in PER:
            raise ValueError(f"Figure.per must be one of {', '.join(PER)}, got {self.per!r}")

    def files(self, config: Mapping, key: str | int | None = None) -> dict[str, str | list[str]]:
        """The input files of one instance (``key``: the model, the seed, or None): keyword of ``draw`` -> path or
        list of paths."""
        return {name: files(config, key) for name, files in self.inputs.items()}


#: Every figure, by name, in the order the report lists them.
FIGURES: dict[str, Figure] = dict(
    phase_diagram=Figure(
        phase_diagram,
        {"summary": summary_file, "critical_line": critical_line_file, "finite_size": finite_size_files},
        "Where the network is chaotic: the largest Lyapunov exponent over the (g, sigma_b) plane against the "
        "mean-field transition line g_c(sigma_b).",
        default=True),
    lambda_max_vs_g=Figure(
        lambda_max_vs_g,
        {"summary": summary_file, "g_sweep": g_sweep_files, "finite_size": finite_size_files},
        "How chaotic: the largest Lyapunov exponent against the gain g, measured at each network size and "
        "predicted by mean-field theory.",
        default=True),
    autocorrelation=Figure(
        autocorrelation, {"summary": summary_file},
        "The population autocorrelation of the activity, simulated and from the mean-field equations.",
        default=True),
    lyapunov_spectrum=Figure(
        lyapunov_spectrum, {"summary": summary_file},
        "The Lyapunov spectra: their shape against i/N across sizes (extensivity) and across gains.",
        default=True),
    fixed_point_coordinates=Figure(
        fixed_point_coordinates, {"summary": summary_file, "kac_rice": kac_rice_files},
        "The coordinates of the fixed points found against the density the Kac-Rice theory predicts.",
        default=True),
    scs_autocorrelation=Figure(
        scs_autocorrelation, {"summary": summary_file},
        "The shape of the autocorrelation in the chaotic state, normalised by its variance, against the "
        "mean-field solution (Sompolinsky, Crisanti & Sommers 1988)."),
    spectra_collapse=Figure(
        spectra_collapse, {"full": full_spectra_files},
        "Full Lyapunov spectra at one gain collapse onto one curve against i/N, and the attractor dimension and "
        "entropy rate per neuron against g (Engelken, Wolf & Abbott 2020)."),
    radial_separation=Figure(
        radial_separation, {"summary": summary_file, "kac_rice": kac_rice_files},
        "Fixed points lie farther from the origin than the chaotic dynamics (Stubenrauch et al. 2022): their mean "
        "squared radius against Kac-Rice, beside the dynamics' variance."),
    jacobian_spectrum=Figure(
        jacobian_spectrum, {"fixed_points": paper_fixed_points_files, "kac_rice_point": kac_rice_point_files},
        "The Jacobian eigenvalues at the fixed points found against the Kac-Rice bulk."),
    fixed_point_count=Figure(
        fixed_point_count, {"fixed_points_count": fixed_points_count_files, "kac_rice_point": kac_rice_point_files},
        "The number of fixed points grows exponentially with N: counts found against the Kac-Rice complexity."),
    qr_convergence=Figure(
        qr_convergence, {"t_ons": t_ons_files},
        "The QR (Benettin) method converges, and its exponents do not depend on the interval between "
        "orthonormalisations."),
    noise_suppression=Figure(
        noise_suppression,
        {"summary": summary_file, "g_sweep": noise_g_sweep_files, "finite_size": noise_finite_size_files},
        "Noise suppresses chaos (Molgedey, Schuchhardt & Schuster 1992; Schuecker, Goedeke & Helias 2018): the "
        "largest Lyapunov exponent against g for each noise amplitude sigma_xi, simulated and from mean-field "
        "theory with noise.",
        noise=True),
    input_phase_diagram=Figure(
        input_phase_diagram, {"summary": summary_file, "g_sweep": noise_g_sweep_files},
        "Where noise-driven networks are chaotic: the largest Lyapunov exponent over the (g, sigma_xi) plane against "
        "the mean-field critical line g_c(sigma_b, sigma_xi) (Molgedey, Schuchhardt & Schuster 1992; Schuecker, "
        "Goedeke & Helias 2018).",
        noise=True, needs=(("g", 2), ("sigma_xi", 2))),
    finite_size=Figure(
        finite_size, {"finite_size": finite_size_files},
        "Finite-size effects: lambda_max and the frozen variance against 1/N, extrapolated to N -> infinity and "
        "compared with mean-field theory."),
    toy_phase_portrait=Figure(
        toy_phase_portrait, {"toy": toy_file},
        "Fixed and slow points of seed 003's two-dimensional system dx/dt = (1 - x^2) y, dy/dt = x/2 - y: the "
        "points the library finds and their types against the analytic ones, on the landscape q = |F|^2 / 2.",
        per="run"),
    trained_flipflop=Figure(
        trained_flipflop, {"trained": trained_files, "analysis": trained_analysis_files},
        "A FORCE-trained flip-flop network (Sussillo & Barak 2013): its fixed points on the top principal components, "
        "its test trial, its training curve and its Lyapunov spectrum with the input off and on (driven by the test "
        "trial's pulses) against the untrained reservoir's.",
        per="seed", wanted=trained_seeds),
    trained_rnn_spectra=Figure(
        trained_rnn_spectra, {"networks": trained_rnn_files},
        "The Lyapunov spectra of trained RNNs along their input sequences, with the standard error over sequences.",
        per="run", wanted=trained_rnn_wanted),
    trained_rnn_performance=Figure(
        trained_rnn_performance, {"table": trained_rnn_features_file},
        "Which features of the Lyapunov spectrum go with a trained network's performance: each feature against the "
        "performance, with Spearman's rho and its bootstrap interval.",
        per="run", wanted=trained_rnn_performance_wanted),
    training_evolution=Figure(
        training_evolution, {"evolution": training_evolution_file},
        "How FORCE training builds the flip-flop's memories (seed 003, Fig. 7): the fixed points of the input-off "
        "network at readout snapshots during training, counted by index, and on one PCA basis at four moments.",
        per="seed", wanted=training_study_seeds),
    flipflop_geometry=Figure(
        flipflop_geometry, {"geometry": flipflop_geometry_files},
        "The geometry of the n-bit flip-flop's memories (seed 003, Fig. 8): distances between the stable fixed "
        "points against the Hamming distance of their memories, edge lengths per bit, and the 3-PC projection, "
        "trained from scratch and transferred from an (n-1)-bit network.",
        per="run", wanted=training_study_wanted),
    noise_robustness=Figure(
        noise_robustness, {"noise": noise_robustness_files},
        "Robustness to noise on the recurrent weights (seed 003, Fig. 9): test MSE against the noise s.d. eta for "
        "each nonlinearity, trained from scratch and transferred.",
        per="run", wanted=training_study_wanted),
    fixed_point_study=Figure(
        fixed_point_study, {"study": fixed_point_study_files},
        "Fixed-point statistics across N against Kac-Rice theory: <x*^2>, the index fraction and the Jacobian's rms "
        "eigenvalue modulus extrapolated to N -> infinity, the count's growth rate against the complexity Sigma, "
        "and the coordinate density against mu*.",
        wanted=fixed_point_study_wanted),
    fixed_point_pooled=Figure(
        fixed_point_pooled, {"pooled": fixed_point_pool_files},
        "The coordinates of fixed points pooled over many networks of one size (seed 002's scale) against the "
        "Kac-Rice density mu* and a Gaussian of the same variance.",
        wanted=fixed_point_pool_wanted),
    periodic_suppression=Figure(
        periodic_suppression, {"pooled": input_files},
        "A periodic drive suppresses chaos (Rajan, Abbott & Sompolinsky 2010): the largest Lyapunov exponent of the "
        "driven network against the drive's amplitude, one curve per frequency, with the zero line.",
        wanted=input_wanted),
)


def default_figures() -> list[str]:
    """The figures drawn when the config names none: those marked ``default``."""
    return [name for name, f in FIGURES.items() if f.default]


def grid_figures() -> list[str]:
    """The figures the ``figures`` config key may name (those of a config section are drawn with the section)."""
    return [name for name, f in FIGURES.items() if f.wanted is None]


def instances(config: Mapping) -> list[tuple[str, str | int | None]]:
    """Every (figure, key) the config asks for: the ``figures`` key's figures (per model, or once), then the
    sections' figures."""
    out = []
    for name, f in FIGURES.items():
        if f.wanted is not None:
            keys = f.wanted(config)
        elif name in config["figures"]:
            keys = list(config["model"]) if f.per == "model" else [None]
        else:
            keys = []
        out += [(name, key) for key in keys]
    return out


def stem(name: str, key: str | int | None = None) -> str:
    """The file name (without suffix) of one instance of a figure: ``<name>_<model>``, ``<name>_seed~<seed>``,
    ``<name>``."""
    per = figure(name).per
    if (key is None) != (per == "run"):
        raise ValueError(f"figure {name!r} is drawn per {per}: key {key!r} does not fit")
    return {"model": f"{name}_{key}", "seed": f"{name}_seed~{key}", "run": name}[per]


def stem_pattern() -> str:
    """A regular expression matching every figure file stem (the ``{figure}`` wildcard of rule figure)."""
    return "|".join(name + SUFFIX[f.per] for name, f in FIGURES.items())


def parse_stem(text: str) -> tuple[str, str | int | None]:
    """The (figure, key) of a file stem made by :func:`stem`; ValueError for a stem no figure makes."""
    for name, f in FIGURES.items():
        m = re.fullmatch(re.escape(name) + SUFFIX[f.per], text)
        if m:
            return name, (m.group(1) if f.per == "model" else int(m.group(1)) if f.per == "seed" else None)
    raise ValueError(f"{text!r} is no figure's file name (figures: {', '.join(FIGURES)})")


def figure(name: str) -> Figure:
    """The registered figure ``name``; ValueError naming the allowed names otherwise."""
    if name not in FIGURES:
        raise ValueError(f"figure must be one of {', '.join(FIGURES)}, got {name!r}")
    return FIGURES[name]
