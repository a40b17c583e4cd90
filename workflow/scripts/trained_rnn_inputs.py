"""Rule trained_rnn_inputs: flip-flop input sequences (batch x T x n_bits) shared by every network of the run."""
import numpy as np

from rnnchaos import array_files, force_family, io

with io.job_log(snakemake.log[0]):
    s = snakemake.params.settings
    inputs = force_family.flipflop_inputs(rng=np.random.default_rng(s["seed"]), batch=s["batch"], steps=s["steps"],
                                          n_bits=s["n_bits"])
    array_files.write_arrays(snakemake.output[0], {"inputs": inputs})
