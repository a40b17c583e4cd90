# Analysis of an external network (weights from a .npy/.npz/.nc file, schema in rnnchaos/external.py):
# fixed points and Lyapunov spectrum as for a generated network. Active when config["external"]["enabled"].


rule external:
    """Validated import of external weights, then their fixed points and first k Lyapunov exponents."""
    input:
        weights=external_weights,
    output:
        result_path("external/{name}.nc"),
    wildcard_constraints:
        name="[A-Za-z0-9_]+",
    params:
        settings=external_settings,
    threads: 1
    log:
        result_path("logs/external/{name}.log"),
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/external_analysis.py"
