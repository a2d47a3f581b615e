"""Beta-Bernoulli Thompson sampling: rank shops by a draw from each one's Beta posterior."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core.errors import InvalidInputError
from dispatch_core.policies.base import ArmStatePolicy


def require_generator(rng: Any) -> np.random.Generator:
    """Return ``rng`` if it is a numpy Generator; sampling never falls back to global state."""
    if not isinstance(rng, np.random.Generator):
        raise InvalidInputError("Thompson scoring needs a seeded Generator such as np.random.default_rng(7).")
    return rng


class ThompsonSampling(ArmStatePolicy):
    """Thompson sampling with a Beta(prior_alpha, prior_beta) prior per arm.

    A binary reward updates the counts exactly as mabwiser's ``LearningPolicy.ThompsonSampling()``
    (prior 1, 1 there). A fractional reward ``r`` in [0, 1] (e.g. a share of SLA met) adds ``r``
    successes and ``1 - r`` failures; mabwiser would refuse it without a binarizer.
    ``expectations`` is the posterior mean; mabwiser's ``predict_expectations`` is a random draw.

    Parameters
    ----------
    arms : sequence of str
        Shop ids.
    prior_alpha, prior_beta : float, default 1.0
        Beta prior pseudo-counts of successes and failures, > 0.

    Attributes
    ----------
    alpha_, beta_ : NDArray[np.float64] of shape (capacity,)
        Posterior Beta parameters per arm row.
    """

    reward_range = (0.0, 1.0)
    alpha_: NDArray[np.float64]
    beta_: NDArray[np.float64]

    def __init__(self, arms: Sequence[str], prior_alpha: float = 1.0, prior_beta: float = 1.0) -> None:
        for name, value in (("prior_alpha", prior_alpha), ("prior_beta", prior_beta)):
            if not (np.isfinite(value) and value > 0):
                raise InvalidInputError(f"{name} must be a finite number > 0, got {value}.")
        self.prior_alpha = float(prior_alpha)
        self.prior_beta = float(prior_beta)
        super().__init__(arms)

    def _blank_state(self, n_rows: int) -> dict[str, NDArray[Any]]:
        return {"alpha_": np.full(n_rows, self.prior_alpha), "beta_": np.full(n_rows, self.prior_beta)}

    def _update(self, rows: NDArray[np.int64], rewards: NDArray[np.float64], contexts: Any) -> None:
        np.add.at(self.alpha_, rows, rewards)
        np.add.at(self.beta_, rows, 1.0 - rewards)

    def _expect(self, rows: NDArray[np.int64], contexts: Any) -> NDArray[np.float64]:
        alpha, beta = self.alpha_[rows], self.beta_[rows]
        return self._per_context(alpha / (alpha + beta), contexts)

    def _sample(self, rows: NDArray[np.int64], contexts: Any, rng: Any) -> NDArray[np.float64]:
        # One independent draw per context row and arm, like mabwiser's size=len(contexts).
        size = rows.shape if contexts is None else (contexts.shape[0], rows.size)
        return require_generator(rng).beta(self.alpha_[rows], self.beta_[rows], size=size)
