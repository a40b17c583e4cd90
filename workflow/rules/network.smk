rule network:
    """Standard-normal coupling and bias disorder of network (N, seed), shared by the whole g/sigma_b sweep."""
    output:
        "results/network/N~{N}/seed~{seed}.nc",
    params:
        point=network_point,
    threads: 1
    resources:
        mem_mb=job_mem_mb("network"),
        runtime=job_runtime("network"),
    log:
        "results/logs/network/N~{N}/seed~{seed}.log",
    conda:
        "../../envs/rnnchaos.yaml"
    script:
        "../scripts/network.py"
