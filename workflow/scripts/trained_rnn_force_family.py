"""Rule trained_rnn_force_family: FORCE-train one flip-flop network and store it as an Elman RNN with its test MSE."""
from rnnchaos import force_family, io

with io.job_log(snakemake.log[0]):
    settings = snakemake.params.settings

    def compute():
        (member,) = force_family.train_family(**settings)
        return force_family.to_dataset(member)

    io.save_stage(snakemake.output[0], compute, stage="trained_rnn_force_family", params=settings, point={})
