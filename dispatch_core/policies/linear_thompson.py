"""Linear-Gaussian Thompson sampling: Bayesian linear regression per shop, ranked by a draw."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core.policies.linucb import RidgePolicy
from dispatch_core.policies.thompson import require_generator


class LinearThompson(RidgePolicy):
    """Thompson sampling with coefficients drawn from ``N(coef_, alpha^2 A^-1)`` per arm.

    Same model as mabwiser's ``LearningPolicy.LinTS(alpha, l2_lambda)``; ``alpha`` is the
    posterior scale ``v``. ``expectations`` is the posterior mean ``x . coef_``, which equals
    mabwiser's ridge prediction (``LinGreedy(epsilon=0)``); mabwiser's LinTS
    ``predict_expectations`` is a random draw.

    Parameters
    ----------
    arms : sequence of str
        Shop ids.
    n_features : int
        Context width ``d``.
    alpha : float, default 1.0
        Posterior scale ``v`` >= 0.
    l2_lambda : float, default 1.0
        Ridge penalty (prior precision), > 0.

    Notes
    -----
    mabwiser draws a full coefficient vector per context and arm; only its projection
    ``x . beta ~ N(x . coef_, alpha^2 x A^-1 x)`` is used, and draws are independent across
    contexts and arms, so drawing that scalar directly has exactly the same distribution at
    O(1) instead of O(d^2) per pair.
    """

    def _expect(self, rows: NDArray[np.int64], contexts: Any) -> NDArray[np.float64]:
        return self._mean_and_width(rows, contexts)[0]

    def _sample(self, rows: NDArray[np.int64], contexts: Any, rng: Any) -> NDArray[np.float64]:
        return self._score_from(*self._mean_and_width(rows, contexts), rng)

    def _score_from(
        self, mean: NDArray[np.float64], width: NDArray[np.float64], rng: Any
    ) -> NDArray[np.float64]:
        generator = require_generator(rng)
        return mean + self.alpha * width * generator.standard_normal(mean.shape)
