"""The contract every bandit policy honours, and the arm bookkeeping the policies share.

Per-arm state lives in numpy arrays whose first axis is a *row*; ``arm_to_row_`` maps a shop id
to its row, so 100,000 arms are updated with a handful of vectorised calls, never a Python
object per arm. Rows past the last arm are kept at the prior, so adding an arm is O(1).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial.distance import cdist

from dispatch_core.errors import InvalidInputError, UnknownArmError

Arms = Sequence[str] | NDArray[Any]
"""Shop ids: a list, or a 1-D numpy array of strings."""


@runtime_checkable
class BanditPolicy(Protocol):
    """What the dispatcher needs from a bandit; arms are shop-id strings.

    ``expectations`` is the deterministic value mabwiser's ``predict_expectations`` reports:
    the upper confidence bound for UCB policies and the posterior mean for Thompson policies
    (mabwiser returns a random draw there). ``score`` is the value used for ranking: the UCB
    bound, or a posterior sample drawn from ``rng``. Both return shape (n_arms,) without
    contexts and (n_contexts, n_arms) with them.
    """

    def fit(self, arms: Arms, rewards: ArrayLike, contexts: ArrayLike | None = None) -> Self: ...

    def partial_fit(self, arms: Arms, rewards: ArrayLike, contexts: ArrayLike | None = None) -> Self: ...

    def expectations(self, arms: Arms, contexts: ArrayLike | None = None) -> NDArray[np.float64]: ...

    def score(
        self, arms: Arms, contexts: ArrayLike | None = None, rng: np.random.Generator | None = None
    ) -> NDArray[np.float64]: ...

    def add_arm(self, arm: str) -> Self: ...

    def remove_arm(self, arm: str) -> Self: ...

    def warm_start(self, arm_to_features: Mapping[str, ArrayLike], distance_quantile: float) -> Self: ...


def as_floats(values: ArrayLike, what: str) -> NDArray[np.float64]:
    """Return ``values`` as a finite float64 array or raise InvalidInputError naming ``what``."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} must be numbers.") from None
    if not np.isfinite(array).all():
        raise InvalidInputError(f"{what} must be finite numbers; NaN or infinity was found.")
    return array


class ArmStatePolicy(ABC):
    """Shared machinery: arm rows, growth, removal, warm start and input checks.

    Subclasses describe their state with ``_blank_state`` and implement ``_update`` and
    ``_expect`` (and ``_sample`` when scoring is random). ``n_features`` is None for
    context-free policies and the context width for contextual ones; ``reward_range`` bounds
    the accepted rewards.
    """

    n_features: int | None = None
    reward_range: tuple[float, float] = (-np.inf, np.inf)
    trained_: NDArray[np.bool_]
    warm_: NDArray[np.bool_]

    def __init__(self, arms: Sequence[str]) -> None:
        names = list(arms)
        if not all(isinstance(arm, str) for arm in names) or len(set(names)) != len(names):
            raise InvalidInputError("Arms must be distinct shop-id strings.")
        self.arm_to_row_: dict[str, int] = {arm: row for row, arm in enumerate(names)}
        self.row_to_arm_: list[str] = names
        for name, blank in self._row_state(max(8, len(names))).items():
            setattr(self, name, blank)

    @property
    def arms(self) -> list[str]:
        """The arms in row order."""
        return list(self.row_to_arm_)

    @abstractmethod
    def _blank_state(self, n_rows: int) -> dict[str, NDArray[Any]]:
        """Prior (untrained) learned state of ``n_rows`` arms, keyed by attribute name."""

    @abstractmethod
    def _update(self, rows: NDArray[np.int64], rewards: NDArray[np.float64], contexts: Any) -> None:
        """Fold a validated batch into the state of ``rows``."""

    @abstractmethod
    def _expect(self, rows: NDArray[np.int64], contexts: Any) -> NDArray[np.float64]:
        """Deterministic value of ``rows``: (k,) or (n_contexts, k)."""

    def _sample(self, rows: NDArray[np.int64], contexts: Any, rng: Any) -> NDArray[np.float64]:
        return self._expect(rows, contexts)

    def _row_state(self, n_rows: int) -> dict[str, NDArray[Any]]:
        flags = {"trained_": np.zeros(n_rows, dtype=np.bool_), "warm_": np.zeros(n_rows, dtype=np.bool_)}
        return {**self._blank_state(n_rows), **flags}

    def fit(self, arms: Arms, rewards: ArrayLike, contexts: ArrayLike | None = None) -> Self:
        """Forget everything, then learn from the batch; see ``partial_fit``."""
        batch = self._checked_batch(arms, rewards, contexts)  # validate first: a bad batch keeps state
        self._reset()
        return self._learn(*batch)

    def partial_fit(self, arms: Arms, rewards: ArrayLike, contexts: ArrayLike | None = None) -> Self:
        """Learn from decisions ``arms`` (n,), ``rewards`` (n,) and ``contexts`` (n, n_features)."""
        return self._learn(*self._checked_batch(arms, rewards, contexts))

    def expectations(self, arms: Arms, contexts: ArrayLike | None = None) -> NDArray[np.float64]:
        """Expected value of ``arms`` (k,), or (n_contexts, k) when contexts are given."""
        return self._expect(self._rows(arms), self._checked_contexts(contexts, None))

    def score(
        self, arms: Arms, contexts: ArrayLike | None = None, rng: np.random.Generator | None = None
    ) -> NDArray[np.float64]:
        """Ranking value of ``arms`` (k,) or (n_contexts, k); random policies draw from ``rng``."""
        return self._sample(self._rows(arms), self._checked_contexts(contexts, None), rng)

    def score_rows(
        self, rows: NDArray[np.int64], rng: np.random.Generator | None = None
    ) -> NDArray[np.float64]:
        """``score`` of context-free arms addressed by row (see ``arm_to_row_``): the hot path of ranking,
        which knows rows already and should not pay a dict lookup per arm."""
        return self._sample(np.asarray(rows, dtype=np.int64), None, rng)

    def score_pairs(
        self, rows: NDArray[np.int64], contexts: NDArray[np.float64], rng: np.random.Generator | None = None
    ) -> NDArray[np.float64]:
        """Ranking value (n,) of arm ``rows[i]`` in its own context ``contexts[i]`` (n, d): what ranking
        needs, where every candidate shop comes with the claim-and-shop context it would be judged in.
        Equals the diagonal of ``score(arms, contexts)`` for deterministic policies, without the (n, n) cost.
        Context-free policies ignore the contexts."""
        return self.score_rows(rows, rng)

    def expect_pairs(self, rows: NDArray[np.int64], contexts: NDArray[np.float64]) -> NDArray[np.float64]:
        """Expected value (n,) of arm ``rows[i]`` in context ``contexts[i]``; see ``score_pairs``."""
        return self._expect(np.asarray(rows, dtype=np.int64), None)

    def _learn(self, rows: NDArray[np.int64], rewards: NDArray[np.float64], contexts: Any) -> Self:
        self._update(rows, rewards, contexts)
        self.trained_[rows] = True
        return self

    def _reset(self) -> None:
        n = len(self.row_to_arm_)
        for name, blank in self._row_state(n).items():
            getattr(self, name)[:n] = blank

    def add_arm(self, arm: str) -> Self:
        """Add a cold arm at the prior; capacity doubles so repeated adds stay O(1)."""
        if not isinstance(arm, str) or arm in self.arm_to_row_:
            raise InvalidInputError(f"Arm {arm!r} must be a new shop-id string.")
        row = len(self.row_to_arm_)
        capacity = len(self.trained_)
        if row == capacity:
            for name, blank in self._row_state(capacity).items():
                setattr(self, name, np.concatenate([getattr(self, name), blank]))
        self.arm_to_row_[arm] = row
        self.row_to_arm_.append(arm)
        return self

    def remove_arm(self, arm: str) -> Self:
        """Drop an arm: the last row moves into its place and the freed row returns to the prior."""
        row = self._rows([arm])[0]
        last = len(self.row_to_arm_) - 1
        for name, blank in self._row_state(1).items():
            array = getattr(self, name)
            array[row] = array[last]
            array[last] = blank[0]
        moved = self.row_to_arm_.pop()
        if moved != arm:
            self.row_to_arm_[row] = moved
            self.arm_to_row_[moved] = row
        del self.arm_to_row_[arm]
        return self

    def warm_start(self, arm_to_features: Mapping[str, ArrayLike], distance_quantile: float) -> Self:
        """Copy into each cold arm the state of its nearest trained arm, as mabwiser does.

        Distances are cosine distances between feature vectors; a cold arm is warmed only when
        its nearest trained arm is within the ``distance_quantile`` quantile of every featured
        arm's nearest-neighbour distance. Arms without features are left alone.
        """
        if not 0.0 <= distance_quantile <= 1.0:
            raise InvalidInputError(f"distance_quantile must lie in [0, 1], got {distance_quantile}.")
        names = list(arm_to_features)
        features = as_floats([np.ravel(arm_to_features[arm]) for arm in names], "Arm features")
        if len(names) < 2 or features.ndim != 2:
            return self
        with np.errstate(invalid="ignore", divide="ignore"):
            distance = cdist(features, features, "cosine")
        np.fill_diagonal(distance, np.inf)
        distance[np.isnan(distance)] = np.inf  # an all-zero vector is similar to nothing
        nearest = distance.min(axis=1)
        if not np.isfinite(nearest).any():
            return self
        threshold = np.quantile(nearest[np.isfinite(nearest)], distance_quantile)
        self._copy_nearest(names, distance, threshold)
        return self

    def _copy_nearest(self, names: list[str], distance: NDArray[np.float64], threshold: float) -> None:
        rows = np.array([self.arm_to_row_.get(arm, -1) for arm in names], dtype=np.int64)
        known = rows >= 0
        cold = np.flatnonzero(known & ~self.trained_[rows] & ~self.warm_[rows])
        warm = np.flatnonzero(known & self.trained_[rows])
        # mabwiser keeps the first minimum in arm order, so scan trained arms by row.
        warm = warm[np.argsort(rows[warm], kind="stable")]
        if cold.size == 0 or warm.size == 0:
            return
        candidate = distance[np.ix_(cold, warm)]
        best = candidate.argmin(axis=1)
        close = candidate[np.arange(cold.size), best] <= threshold
        source, target = rows[warm[best[close]]], rows[cold[close]]
        for name in self._blank_state(0):
            array = getattr(self, name)
            array[target] = array[source]
        self.warm_[target] = True

    def _rows(self, arms: Arms) -> NDArray[np.int64]:
        if isinstance(arms, str) or (isinstance(arms, np.ndarray) and arms.ndim != 1):
            raise InvalidInputError("Arms must be a 1-D sequence of shop ids, not a single string.")
        names = arms.tolist() if isinstance(arms, np.ndarray) else arms
        try:
            return np.fromiter(map(self.arm_to_row_.__getitem__, names), dtype=np.int64, count=len(names))
        except KeyError as error:
            raise UnknownArmError(f"Arm {error.args[0]!r} is unknown to this policy; add it first.") from None

    def _checked_batch(
        self, arms: Arms, rewards: ArrayLike, contexts: ArrayLike | None
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], Any]:
        rows = self._rows(arms)
        reward = as_floats(rewards, "Rewards")
        if reward.shape != rows.shape:
            raise InvalidInputError(f"Rewards must have shape ({rows.size},), not {reward.shape}.")
        low, high = self.reward_range
        if ((reward < low) | (reward > high)).any():
            raise InvalidInputError(f"Rewards must lie in [{low}, {high}] for this policy.")
        return rows, reward, self._checked_contexts(contexts, rows.size)

    def _checked_contexts(self, contexts: ArrayLike | None, n_rows: int | None) -> NDArray[np.float64] | None:
        if contexts is None:
            if self.n_features is not None:
                raise InvalidInputError(f"This policy needs contexts of shape (n, {self.n_features}).")
            return None
        x = as_floats(contexts, "Contexts")
        rows_ok = x.ndim == 2 and (n_rows is None or x.shape[0] == n_rows)
        if not rows_ok or (self.n_features is not None and x.shape[1] != self.n_features):
            rows, width = "n" if n_rows is None else n_rows, self.n_features or "d"
            raise InvalidInputError(f"Contexts must be 2-D with shape ({rows}, {width}), not {x.shape}.")
        return x

    @staticmethod
    def _per_context(values: NDArray[np.float64], contexts: Any) -> NDArray[np.float64]:
        """Repeat context-free values once per context row, as mabwiser does."""
        return values if contexts is None else np.tile(values, (contexts.shape[0], 1))
