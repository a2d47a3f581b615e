"""The two array steps around the NSGA-II pool of one ranking request: the shortlist it is selected from, and
the Plackett-Luce draw of the slate from it.

Both run once per request on a few hundred candidates at most, where numpy's per-call overhead costs more than
the arithmetic: they use ndarray methods and masks rather than the `np.*` wrappers and `np.unique`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def shortlist(objectives: FloatArray, score: FloatArray, size: int) -> IntArray:
    """The `size` best by scalar score plus the two best on each single objective, ascending.

    NSGA-II selection then runs on this shortlist instead of every candidate: the domination matrix is
    quadratic, and a shop outside the scalar top that leads on no objective cannot enter a diverse pool of
    size/3 anyway. Keeping each objective's leaders keeps the extreme trade-offs eligible. Inputs are in
    catalog-row order, so the stable sorts break ties (common: a fresh network has equal utilisation
    everywhere) by catalog row, never by input position.
    """
    n = len(score)
    if n <= size:
        return np.arange(n, dtype=np.int64)
    chosen = np.zeros(n, dtype=np.bool_)  # a mask: sorted and deduplicated for less than np.unique costs
    chosen[(-score).argsort(kind="stable")[:size]] = True
    chosen[_two_best(objectives)] = True
    return chosen.nonzero()[0].astype(np.int64, copy=False)


def _two_best(objectives: FloatArray) -> IntArray:
    """The first two rows of each column of (n, m) `objectives` (n >= 2) in stable ascending order: the best
    value, ties to the lower row. Two argmin passes instead of m full sorts, which cost ~3x more."""
    rest = objectives.T.copy()  # (m, n), each objective contiguous
    m, n = rest.shape
    starts = np.arange(0, m * n, n)
    first = rest.argmin(axis=1)  # the first of equal minima, as a stable sort ranks them
    flat, cells = rest.reshape(-1), first + starts
    best = flat[cells]
    flat[cells] = np.inf
    second = rest.argmin(axis=1)
    # argmin takes a NaN for the minimum where a sort puts it last, and an inf runner-up may tie with the
    # masked-out best: leave such columns to the sort.
    if not (np.isfinite(best).all() and np.isfinite(flat[second + starts]).all()):
        return objectives.argsort(axis=0, kind="stable")[:2].ravel().astype(np.int64, copy=False)
    return np.concatenate([first, second]).astype(np.int64, copy=False)


def plackett_luce(
    score: FloatArray, k: int, temperature: float, rng: np.random.Generator
) -> tuple[IntArray, FloatArray]:
    """Draw k of n without replacement with P ∝ exp(score / T); return picks and P(pick | earlier picks)."""
    if temperature == 0:
        return np.arange(k, dtype=np.int64), np.ones(k)
    logits = (score - score.max()) / temperature
    gumbel = logits + rng.gumbel(size=len(score))  # Gumbel-top-k is an exact Plackett-Luce sample
    picks = (-gumbel).argsort(kind="stable")[:k].astype(np.int64, copy=False)
    weights = np.exp(logits)
    picked, total, drawn, left = weights[picks].tolist(), float(weights.sum()), 0.0, []
    for weight in picked:  # the weight not drawn before each pick: the total less the running sum
        left.append(total - drawn)
        drawn += weight
    # P(pick | earlier picks) = its weight over the weight left. Python floats round these k steps as numpy
    # would, at a fraction of the calls; float noise can push them past 1.
    if 0.0 in left:  # underflow left no weight: numpy divides by 0 (inf or nan, and warns); Python raises
        return picks, np.minimum(np.array(picked) / np.array(left), 1.0)
    return picks, np.array([min(weight / rest, 1.0) for weight, rest in zip(picked, left, strict=True)])
