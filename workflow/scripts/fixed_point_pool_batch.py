"""Rule fixed_point_pool_batch: the fixed points of a batch of networks, each with its status, in one file."""
from rnnchaos import fixed_point_pool, io

with io.job_log(snakemake.log[0]):
    point, settings, seeds = snakemake.params.point, snakemake.params.settings, snakemake.params.seeds
    model, N = snakemake.wildcards.model, int(snakemake.wildcards.N)
    ds = fixed_point_pool.batch_dataset(model, N, seeds, **point, **settings)
    io.write_dataset(io.with_grid_coords(ds, **point, N=N), snakemake.output[0], stage="fixed_point_pool_batch",
                     params={"model": model, **point, "N": N, "seeds": seeds, **settings})
