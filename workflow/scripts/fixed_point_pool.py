"""Rule fixed_point_pool: many networks of one size pooled, their coordinate density against mu*."""
from rnnchaos import fixed_point_pool, io

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    model = snakemake.wildcards.model
    networks = [net for path in snakemake.input.batches
                for net in fixed_point_pool.split_batch(
                    io.read_dataset(path, stage="fixed_point_pool_batch", required=("status",)))]
    ds = fixed_point_pool.pool_networks(networks, model=model, **point, near_zero=settings["near_zero"],
                                        nonlinearity=settings.get("nonlinearity", "tanh"))
    io.write_dataset(ds, snakemake.output[0], stage="fixed_point_pool",
                     params={"model": model, **point, **settings, **snakemake.params.design})
