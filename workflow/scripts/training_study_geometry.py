"""Rule training_study_geometry: the memories (stable fixed points near the corners) of an n_bits network."""
from rnnchaos import flipflop_geometry, io, network, training_study

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    trained = io.read_dataset(snakemake.input.network, required=("status",))
    rng = network.rng_for(point["N"], point["seed"], "training_study_geometry")

    def compute():
        net = training_study.from_dataset(trained).net  # raises NumericalFailure where the training failed
        geometry = flipflop_geometry.memory_geometry(net, rng=rng, **settings)
        ds = flipflop_geometry.to_dataset(geometry)
        return ds.assign_attrs(origin=snakemake.wildcards.origin, nonlinearity=snakemake.wildcards.nonlinearity)

    io.save_stage(snakemake.output[0], compute, stage="training_study_geometry", point=point,
                  params={**point, **settings})
