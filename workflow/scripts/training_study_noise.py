"""Rule training_study_noise: test MSE of an n_bits network with Gaussian noise of s.d. eta added to J."""
from rnnchaos import io, network, noise_robustness, training_study

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    trained = io.read_dataset(snakemake.input.network, required=("status",))
    rng = network.rng_for(point["N"], point["seed"], "training_study_noise")

    def compute():
        net = training_study.from_dataset(trained).net  # raises NumericalFailure where the training failed
        ds = noise_robustness.to_dataset(noise_robustness.noise_robustness(net, rng=rng, **settings))
        return ds.assign_attrs(origin=snakemake.wildcards.origin, nonlinearity=snakemake.wildcards.nonlinearity)

    io.save_stage(snakemake.output[0], compute, stage="training_study_noise", point=point,
                  params={**point, **settings})
