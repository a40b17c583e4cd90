"""Rule input_study: the driven networks of one (model, g, sigma_b) pooled on (drive, amplitude, N, seed)."""
from rnnchaos import input_study, io

with io.job_log(snakemake.log[0]):
    point, design = snakemake.params.point, snakemake.params.design
    keys = [(d, a, n, k) for d in design["drives"] for a in design["amplitudes"] for n in design["sizes"]
            for k in range(design["seeds"])]
    networks = {key: io.read_dataset(path, stage="input_study_network", required=("status",))
                for key, path in zip(keys, snakemake.input.networks, strict=True)}
    ds = input_study.pool(networks, **design)
    io.write_dataset(io.with_grid_coords(ds, **point), snakemake.output[0], stage="input_study",
                     params={"model": snakemake.wildcards.model, **point, **snakemake.params.settings, **design})
