# rnnchaos: chaos in random recurrent neural networks, measured and checked against theory.
# network -> simulate -> lyapunov -> fixed_points ; dmft, kac_rice (theory) -> summary -> figures
from snakemake.utils import min_version

from rnnchaos.config_schema import check_config_files

min_version("8.0")

# YAML syntax errors, empty files and duplicate keys of config.yaml and every --configfile, named by file and line
# (Snakemake's loader keeps the last of two equal keys); the values are validated in workflow/rules/common.smk
check_config_files(["config.yaml", *workflow.overwrite_configfiles])


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
include: "workflow/rules/finite_size.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/trained.smk"
include: "workflow/rules/toy.smk"
include: "workflow/rules/external.smk"
include: "workflow/rules/trained_rnn_common.smk"
include: "workflow/rules/trained_rnn.smk"
include: "workflow/rules/fixed_point_study_common.smk"
include: "workflow/rules/fixed_point_study.smk"
include: "workflow/rules/training_study_common.smk"
include: "workflow/rules/training_study.smk"
include: "workflow/rules/input_study_common.smk"
include: "workflow/rules/input_study.smk"


rule all:
    input:
        summaries=summary_paths(),
        finite_size=all_finite_size_paths(),
        figures=figure_paths(),
        trained=trained_paths(),
        external=external_paths(),
        trained_rnn=trained_rnn_paths(),
        fixed_point_study=fixed_point_study_paths(),
        training_study=training_study_paths(),
        input=input_paths(),
        stored=stored_paths(),  # so that a damaged file moved aside is recomputed
