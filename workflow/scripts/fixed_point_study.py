"""Rule fixed_point_study: the networks of one (model, g, sigma_b) pooled per N and compared with Kac-Rice."""
from rnnchaos import fixed_point_study, io

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    model = snakemake.wildcards.model
    networks = [io.read_dataset(path, stage="fixed_point_study_network", required=("status",))
                for path in snakemake.input.networks]
    ds = fixed_point_study.study(networks, model=model, **point, **settings)
    io.write_dataset(ds, snakemake.output[0], stage="fixed_point_study",
                     params={"model": model, **point, **settings, **snakemake.params.design})
