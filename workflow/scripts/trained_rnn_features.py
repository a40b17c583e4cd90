"""Rule trained_rnn_features: the feature table of every network (NetCDF and CSV) and, where enough networks carry
a performance value, each feature's Spearman correlation with it (bootstrap interval)."""
import numpy as np

from rnnchaos import io, trained_rnn

with io.job_log(snakemake.log[0]):
    s = snakemake.params.settings
    networks = [io.read_dataset(p, stage="trained_rnn") for p in snakemake.input.networks]
    table = trained_rnn.network_features(networks, snakemake.params.names, rng=np.random.default_rng(s["seed"]),
                                         n_boot=s["n_boot"], level=s["level"])
    io.write_dataset(table, snakemake.output.nc, stage="trained_rnn_features", params=s)
    io.write_text(snakemake.output.csv, trained_rnn.features_frame(table).to_csv())
