"""The geometry of a trained flip-flop network's memories (seed 003, sec. 7 and its Fig. 8).

The stable fixed points of the input-off network (:func:`rnnchaos.training_evolution.fixed_points_at` at the final
readout, from :func:`rnnchaos.trained_analysis.initial_states`) that hold a memory, one per corner ``c`` of
``{-1, 1}^n_bits`` (the stable point whose readout is nearest ``c``, within ``corner_tol``), are the vertices of a
hypercube if the network stores the bits independently. Measured: all pairwise distances ``|x*_c - x*_c'|``
against the Hamming distance of ``c`` and ``c'``; the edges (Hamming distance 1): mean, standard deviation and
coefficient of variation, and the mean edge along each bit (equal for a regular hypercube; a transferred network
may keep the source's cube and add the new bit at another length, a cuboid); and the projection of the memories on
their own top three principal components with the explained variance (a regular 4-cube has isotropic vertex
covariance, so no 3-D projection is preferred; a cuboid has one long or short axis).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import trained_analysis, training
from rnnchaos.training_evolution import classify, fixed_points_at


@dataclass(frozen=True)
class FlipflopGeometry:
    """``memory_x`` (2^n_bits, N): the memory of each corner (NaN rows: not held); ``distance`` (2^n, 2^n)
    pairwise distances (NaN where a memory is missing), ``hamming`` between the corners; ``memory_pc`` (2^n, 3)
    the memories on their own principal components with ``explained`` variance ratios; counts of the fixed
    points; the network's test MSE."""

    memory_x: np.ndarray
    distance: np.ndarray
    hamming: np.ndarray
    memory_pc: np.ndarray
    explained: np.ndarray
    n_points: int
    n_stable: int
    n_saddles: int
    test_mse: float

    @property
    def n_memories(self) -> int:
        return int(np.sum(np.all(np.isfinite(self.memory_x), axis=1)))

    def edges(self) -> np.ndarray:
        """Lengths of the hypercube's edges (pairs one bit apart, both held), each once."""
        i, j = np.nonzero(np.triu(self.hamming == 1))
        d = self.distance[i, j]
        return d[np.isfinite(d)]

    def bit_edges(self) -> np.ndarray:
        """Mean edge length along each bit (NaN where no edge of that bit is held)."""
        c = trained_analysis.corners(int(np.log2(self.hamming.shape[0])))
        out = []
        for b in range(c.shape[1]):
            i, j = np.nonzero(np.triu((self.hamming == 1) & (c[:, None, b] != c[None, :, b])))
            d = self.distance[i, j]
            out.append(np.mean(d[np.isfinite(d)]) if np.isfinite(d).any() else np.nan)
        return np.array(out)


def memory_geometry(net: training.TrainedNetwork, *, rng: np.random.Generator, n_init: int = 128,
                    n_extra: int = 32, tol: float = 1e-9, max_iter: int = 50, state_fraction: float = 0.5,
                    midpoint_fraction: float = 0.25, corner_tol: float = 0.2) -> FlipflopGeometry:
    """Fixed points of ``net`` (input off; ``n_init`` solves and ``n_extra`` deflated ones, residual
    ``|F|_inf < tol``), its memories and their geometry (module docstring). Random numbers: initial states, then
    the deflated solves."""
    if not 0 < corner_tol <= 1:
        raise ValueError(f"corner_tol must be in (0, 1], got {corner_tol!r}")
    x0s = trained_analysis.initial_states(net.test_states, n_init, rng=rng, state_fraction=state_fraction,
                                          midpoint_fraction=midpoint_fraction)
    fp = fixed_points_at(net, net.W_out, x0s, rng=rng, tol=tol, max_iter=max_iter, n_extra=n_extra)
    _, corner, dist = classify(fp, net.W_out, net.params.get("nonlinearity", "tanh"))
    n_bits, N = net.W_out.shape
    memory_x = np.full((2**n_bits, N), np.nan)
    stable = (fp.n_unstable == 0) & (dist < corner_tol)
    for c in np.unique(corner[stable]):
        pick = np.flatnonzero(stable & (corner == c))
        memory_x[c] = fp.x[pick[np.argmin(dist[pick])]]
    cs = trained_analysis.corners(n_bits)
    hamming = np.sum(cs[:, None, :] != cs[None, :, :], axis=2)
    distance = np.linalg.norm(memory_x[:, None, :] - memory_x[None, :, :], axis=2)
    held = np.all(np.isfinite(memory_x), axis=1)
    memory_pc, explained = np.full((2**n_bits, 3), np.nan), np.full(3, np.nan)
    if held.sum() >= 2:
        comps, mean, ratio = trained_analysis.pca(memory_x[held], 3)
        memory_pc[held, :comps.shape[0]] = (memory_x[held] - mean) @ comps.T
        explained[:ratio.size] = ratio
    kind = fp.n_unstable
    return FlipflopGeometry(memory_x=memory_x, distance=distance, hamming=hamming, memory_pc=memory_pc,
                            explained=explained, n_points=int(kind.size), n_stable=int(np.sum(kind == 0)),
                            n_saddles=int(np.sum((kind > 0) & (kind < N))), test_mse=float(net.test_mse))


def to_dataset(geo: FlipflopGeometry) -> xr.Dataset:
    """The geometry as a Dataset (dims ``corner``, ``corner2``, ``pc``, ``bit``)."""
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731
    edges = geo.edges()
    return xr.Dataset(
        {
            "distance": (("corner", "corner2"), geo.distance, a("distance |x*_c - x*_c'| between memories")),
            "hamming": (("corner", "corner2"), geo.hamming, a("Hamming distance between the corners")),
            "held": (("corner",), np.all(np.isfinite(geo.memory_x), axis=1).astype(np.int8),
                     a("the corner's memory is held")),
            "memory_pc": (("corner", "pc"), geo.memory_pc, a("memory on the memories' principal components")),
            "explained": (("pc",), geo.explained, a("fraction of the memories' variance along the component")),
            "bit_edge": (("bit",), geo.bit_edges(), a("mean edge length along the bit")),
            "edge_mean": ((), np.mean(edges) if edges.size else np.nan, a("mean edge length (Hamming distance 1)")),
            "edge_sd": ((), np.std(edges, ddof=1) if edges.size > 1 else np.nan, a("s.d. of the edge lengths")),
            "n_edges": ((), edges.size, a("edges with both memories held")),
            "n_memories": ((), geo.n_memories, a("corners held by a stable fixed point")),
            "n_points": ((), geo.n_points, a("verified fixed points")),
            "n_stable": ((), geo.n_stable, a("stable fixed points")),
            "n_saddles": ((), geo.n_saddles, a("saddles (0 < index < N)")),
            "test_mse": ((), geo.test_mse, a("test mean squared error of the network")),
        },
    )
