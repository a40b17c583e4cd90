rule figure:
    """One figure of one model, as PNG and PDF, drawn from the summary and the theory files."""
    input:
        unpack(figure_inputs),
    output:
        png=report(
            result_path("figures/{figure}_{model}.png"),
            caption="../report/figure.rst",
            category="Figures",
            subcategory="{model}",
            labels={"figure": "{figure}", "model": "{model}"},
        ),
        pdf=result_path("figures/{figure}_{model}.pdf"),
        caption=result_path("figures/{figure}_{model}.agreement.rst"),
    params:
        figure=figure_name,
    threads: 1
    group:
        "figures"
    log:
        result_path("logs/figures/{figure}_{model}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/figures.py"
