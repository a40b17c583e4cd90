# rnnchaos: chaos in random recurrent neural networks, measured and checked against theory.
# network -> simulate -> lyapunov -> fixed_points ; dmft, kac_rice (theory) -> summary -> figures
from snakemake.utils import min_version

min_version("8.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/resources.smk"
include: "workflow/rules/network.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/lyapunov.smk"
include: "workflow/rules/fixed_points.smk"
include: "workflow/rules/dmft.smk"
include: "workflow/rules/kac_rice.smk"
include: "workflow/rules/summary.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/trained.smk"
include: "workflow/rules/external.smk"


rule all:
    input:
        summaries=summary_paths(),
        figures=figure_paths(),
        trained=trained_paths(),
        external=external_paths(),
