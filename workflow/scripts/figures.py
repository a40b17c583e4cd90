"""Rule figure: draw one figure (PNG, PDF) and its caption with the agreement statement (RST)."""
import matplotlib

matplotlib.use("Agg")

from rnnchaos import io, plotting  # noqa: E402

with io.job_log(snakemake.log[0]):
    files = {key: snakemake.input[key] for key in snakemake.input.keys()}
    data = {key: (io.read_dataset(v) if isinstance(v, str) else [io.read_dataset(p) for p in v])
            for key, v in files.items()}
    drawing = plotting.draw(snakemake.params.figure["name"], snakemake.params.figure["key"], **data)
    plotting.save(drawing, png=snakemake.output.png, pdf=snakemake.output.pdf, caption=snakemake.output.caption)
