# Seed 003's two-dimensional system dx/dt = (1 - x^2) y, dy/dt = x/2 - y (rnnchaos.toy_system): its phase portrait,
# the fixed points the library finds against the analytic ones, and its slow points -> figure toy_phase_portrait.


rule toy_system:
    """The toy system's phase portrait: q on a grid, trajectories, fixed points found and classified, slow points."""
    output:
        "results/toy/phase_portrait.nc",
    params:
        settings=toy_settings,
    log:
        "results/logs/toy/phase_portrait.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/toy_system.py"
