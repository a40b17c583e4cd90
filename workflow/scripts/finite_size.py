"""Rule finite_size: the extrapolations to N -> infinity of one model, one file per (g, sigma_b, sigma_xi)."""
from rnnchaos import finite_size, io

with io.job_log(snakemake.log[0]):
    summary = io.read_dataset(snakemake.input[0], stage="summary")
    settings = snakemake.params.settings
    for (g, sigma_b, sigma_xi), path in zip(snakemake.params.points, snakemake.output, strict=True):
        ds = finite_size.finite_size_dataset(summary, g=g, sigma_b=sigma_b, sigma_xi=sigma_xi, **settings)
        io.write_dataset(ds, path, stage="finite_size", params={"model": snakemake.wildcards.model, "g": g,
                                                                "sigma_b": sigma_b, "sigma_xi": sigma_xi, **settings})
