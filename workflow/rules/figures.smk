rule figure:
    """One figure (of one model, one trained network, or the run), as PNG and PDF with its caption, drawn from the
    files the figure registry names (rnnchaos.figures.FIGURES)."""
    input:
        unpack(figure_inputs),
    output:
        png=report(
            result_path("figures/{figure}.png"),
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{figure}"},
        ),
        pdf=result_path("figures/{figure}.pdf"),
        caption=result_path("figures/{figure}.agreement.rst"),
    params:
        figure=figure_instance,
    threads: 1
    group:
        "figures"
    log:
        result_path("logs/figures/{figure}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/figures.py"
