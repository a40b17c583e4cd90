rule summary:
    """All scalar results of one model on the whole grid, in one NetCDF file (xarray.combine_by_coords)."""
    input:
        unpack(summary_inputs),
    output:
        result_path("summary/{model}.nc"),
    log:
        result_path("logs/summary/{model}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/summary.py"
