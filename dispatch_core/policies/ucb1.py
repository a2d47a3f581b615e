"""UCB1: mean reward plus an exploration bonus that shrinks as an arm is tried more often."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core.errors import InvalidInputError
from dispatch_core.policies.base import ArmStatePolicy


class UCB1(ArmStatePolicy):
    """UCB1 as mabwiser's ``LearningPolicy.UCB1(alpha)`` computes ``predict_expectations``.

    The value of an arm with ``n_i > 0`` decisions out of ``N`` in total is
    ``mean_i + alpha * sqrt(2 * log(N) / n_i)``; an arm with no data is worth 0, as in mabwiser
    (so untried arms are NOT explored first unless every tried arm scores below 0).

    Parameters
    ----------
    arms : sequence of str
        Shop ids known at construction; more can be added with ``add_arm``.
    alpha : float, default 1.0
        Exploration weight, >= 0.

    Attributes
    ----------
    sums_ : NDArray[np.float64] of shape (capacity,)
        Sum of rewards per arm row.
    counts_ : NDArray[np.int64] of shape (capacity,)
        Number of decisions per arm row.
    total_count_ : int
        Decisions seen since the last ``fit``, over all arms.
    """

    sums_: NDArray[np.float64]
    counts_: NDArray[np.int64]

    def __init__(self, arms: Sequence[str], alpha: float = 1.0) -> None:
        if not (np.isfinite(alpha) and alpha >= 0):
            raise InvalidInputError(f"alpha must be a finite number >= 0, got {alpha}.")
        self.alpha = float(alpha)
        self.total_count_ = 0
        super().__init__(arms)

    def _blank_state(self, n_rows: int) -> dict[str, NDArray[Any]]:
        return {"sums_": np.zeros(n_rows), "counts_": np.zeros(n_rows, dtype=np.int64)}

    def _reset(self) -> None:
        super()._reset()
        self.total_count_ = 0

    def _update(self, rows: NDArray[np.int64], rewards: NDArray[np.float64], contexts: Any) -> None:
        # np.add.at costs O(batch), not O(arms), so small online batches stay cheap with 100k arms.
        np.add.at(self.sums_, rows, rewards)
        np.add.at(self.counts_, rows, 1)
        self.total_count_ += rows.size

    def _expect(self, rows: NDArray[np.int64], contexts: Any) -> NDArray[np.float64]:
        counts = self.counts_[rows].astype(np.float64)  # exact; cast once rather than in both divisions
        if counts.all():  # every arm has data (so does the total): no zero to divide by, nothing to mask
            bonus = self.alpha * np.sqrt(2.0 * np.log(self.total_count_) / counts)
            return self._per_context(self.sums_[rows] / counts + bonus, contexts)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.sums_[rows] / counts
            bonus = self.alpha * np.sqrt(2.0 * np.log(self.total_count_) / counts)
        return self._per_context(np.where(counts > 0, mean + bonus, 0.0), contexts)
