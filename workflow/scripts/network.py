"""Rule network: draw and store the standard-normal disorder of network (N, seed)."""
from rnnchaos import io, network

with io.job_log(snakemake.log[0]):
    point = snakemake.params.point
    io.write_network(network.draw_disorder(point["N"], point["seed"]), snakemake.output[0])
