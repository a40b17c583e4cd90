"""Rule summary: combine the scalar results of one model over the whole grid into one file."""
from rnnchaos import io, summary

with io.job_log(snakemake.log[0]):
    ds = summary.summarise(
        simulate=[io.read_dataset(p, stage="simulate") for p in snakemake.input.simulate],
        lyapunov=[io.read_dataset(p, stage="lyapunov") for p in snakemake.input.lyapunov],
        fixed_points=[io.read_dataset(p, stage="fixed_points") for p in snakemake.input.fixed_points],
        dmft=[io.read_dataset(p, stage="dmft") for p in snakemake.input.dmft],
        model=snakemake.wildcards.model,
    )
    io.write_dataset(ds, snakemake.output[0], stage="summary", params={"model": snakemake.wildcards.model})
