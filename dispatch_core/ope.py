"""Off-policy evaluation: the value of a target strategy estimated from decisions logged under another.

Each logged round i has a context x_i, the action a_i the logging (behaviour) policy took with
probability ``behaviour[i] = pi_0(a_i | x_i)`` (the propensity every dispatch_core decision records),
and its reward r_i. For a target policy pi_1 with ``target[i] = pi_1(a_i | x_i)``:

- IPS (inverse propensity scoring): ``mean(w_i * r_i)`` with ``w_i = target[i] / behaviour[i]``;
  unbiased when pi_0 covers every action pi_1 takes, but of high variance when weights are large.
- SNIPS (self-normalised IPS): ``sum(w_i * r_i) / sum(w_i)``; slightly biased, far less variance.
- DR (doubly robust, Dudik, Langford and Li 2011): ``mean(q_target[i] + w_i * (r_i - q_logged[i]))``
  where ``q_logged[i]`` is a reward model's prediction for (x_i, a_i) and ``q_target[i]`` its expectation
  under pi_1 at x_i. Unbiased if either the propensities or the reward model are right.

Pure numpy. Every function checks its inputs and raises `InvalidInputError` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dispatch_core.errors import InvalidInputError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """An off-policy value with its standard error (sample standard deviation of the terms / sqrt(n))."""

    value: float
    standard_error: float
    n: int


def importance_weights(behaviour: ArrayLike, target: ArrayLike) -> FloatArray:
    """``target / behaviour`` of shape (n,).

    Parameters
    ----------
    behaviour : array-like of shape (n,)
        pi_0(a_i | x_i), the logging policy's probability of the logged action, in (0, 1].
    target : array-like of shape (n,)
        pi_1(a_i | x_i), the target policy's probability of the same action, in [0, 1].
    """
    b = _column(behaviour, "behaviour propensities")
    t = _column(target, "target propensities", len(b))
    if np.any(b <= 0) or np.any(b > 1):
        raise InvalidInputError(
            "Behaviour propensities must lie in (0, 1]: a logged action had probability > 0."
        )
    if np.any(t < 0) or np.any(t > 1):
        raise InvalidInputError("Target propensities must lie in [0, 1].")
    return t / b


def ips(rewards: ArrayLike, behaviour: ArrayLike, target: ArrayLike) -> Estimate:
    """Inverse propensity scoring estimate of the target policy's mean reward per round.

    Parameters
    ----------
    rewards : array-like of shape (n,)
        Observed rewards of the logged actions.
    behaviour, target : array-like of shape (n,)
        See `importance_weights`.
    """
    r = _column(rewards, "rewards")
    terms = importance_weights(behaviour, target) * _same_length(r, behaviour)
    return _mean(terms)


def snips(rewards: ArrayLike, behaviour: ArrayLike, target: ArrayLike) -> Estimate:
    """Self-normalised IPS: ``sum(w * r) / sum(w)``; see `ips` for the parameters.

    The standard error is the delta-method one of a ratio estimator.
    """
    r = _column(rewards, "rewards")
    w = importance_weights(behaviour, target)
    r = _same_length(r, behaviour)
    total = w.sum()
    if total <= 0:
        raise InvalidInputError("SNIPS needs at least one logged action the target policy could take.")
    value = float((w * r).sum() / total)
    residual = w * (r - value) / w.mean()
    return Estimate(value, float(residual.std(ddof=1) / np.sqrt(r.size)) if r.size > 1 else 0.0, r.size)


def doubly_robust(
    rewards: ArrayLike,
    behaviour: ArrayLike,
    target: ArrayLike,
    predicted_logged: ArrayLike,
    predicted_target: ArrayLike,
) -> Estimate:
    """Doubly robust estimate: the reward model's value under the target, corrected by weighted residuals.

    Parameters
    ----------
    rewards, behaviour, target : array-like of shape (n,)
        See `ips`.
    predicted_logged : array-like of shape (n,)
        The reward model's prediction q(x_i, a_i) for each logged action.
    predicted_target : array-like of shape (n,)
        ``sum_a pi_1(a | x_i) q(x_i, a)``: the model's expected reward of the target policy at x_i.
    """
    r = _column(rewards, "rewards")
    w = importance_weights(behaviour, target)
    r = _same_length(r, behaviour)
    q_logged = _column(predicted_logged, "predicted rewards of the logged actions", r.size)
    q_target = _column(predicted_target, "predicted rewards under the target policy", r.size)
    return _mean(q_target + w * (r - q_logged))


def direct_method(predicted_target: ArrayLike) -> Estimate:
    """The reward model alone: ``mean(predicted_target)`` (biased when the model is)."""
    return _mean(_column(predicted_target, "predicted rewards under the target policy"))


def _mean(terms: FloatArray) -> Estimate:
    error = float(terms.std(ddof=1) / np.sqrt(terms.size)) if terms.size > 1 else 0.0
    return Estimate(float(terms.mean()), error, int(terms.size))


def _column(values: ArrayLike, what: str, n: int | None = None) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what.capitalize()} must be numbers.") from None
    if array.ndim != 1 or array.size == 0:
        raise InvalidInputError(
            f"{what.capitalize()} must be a non-empty 1-D array, got shape {array.shape}."
        )
    if n is not None and array.size != n:
        raise InvalidInputError(
            f"{what.capitalize()} must have {n} entries, one per logged round, got {array.size}."
        )
    if not np.isfinite(array).all():
        raise InvalidInputError(f"{what.capitalize()} must be finite numbers; NaN or infinity was found.")
    return array


def _same_length(rewards: FloatArray, behaviour: ArrayLike) -> FloatArray:
    n = np.size(behaviour)
    if rewards.size != n:
        raise InvalidInputError(f"Rewards must have {n} entries, one per logged round, got {rewards.size}.")
    return rewards
