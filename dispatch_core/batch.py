"""Batched ranking: `rank_batch(dispatcher, batch, k)` ranks many claims in one pass of array code.

It follows `Dispatcher.rank` step for step (hard filters, factors, the four objectives, shortlist,
NSGA-II pool, exploration budget, Plackett-Luce slate with propensities) on (n_claims, K) arrays, so a
stream processor or the market simulator can rank hundreds of claims for the price of a few. For one
claim it returns the slate `rank` returns (tests hold this for deterministic strategies). Two differences
from ranking the claims one by one: every claim in a batch sees the capacity, exposure and learned values
of the start of the batch, and random draws come in another order. The new-shop budget is still charged
claim by claim, in batch order, as sequential ranking would charge it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core import features as F
from dispatch_core.capacity import expected_wait_days, is_closed, is_full
from dispatch_core.domain import PRIORITIES
from dispatch_core.errors import InvalidInputError
from dispatch_core.learning import context_of
from dispatch_core.ranking import Dispatcher, _month_position
from dispatch_core.strategy import OBJECTIVES, Strategy

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
_COL = {name: j for j, name in enumerate(F.FACTOR_NAMES)}


@dataclass(frozen=True)
class RequestBatch:
    """n claims with K candidate slots each. Per-claim arrays have shape (n,), per-candidate (n, K).

    `rows` holds catalog rows (-1: empty slot); `make` indexes `ShopData.makes` (-1: none); `wants_authorized`
    is -1 (no preference), 0 (prefers an independent) or 1 (4S only); `max_distance_km` and
    `deadline_days` are NaN when not given; `priorities` (n, 4) are weights in PRIORITIES order;
    `excluded` marks shops the customer rejected (an alternatives request excludes the shops shown).
    """

    now: float
    rows: IntArray
    distance_km: FloatArray
    coverage: FloatArray
    make: IntArray
    needed_capabilities: IntArray
    wants_authorized: IntArray
    max_distance_km: FloatArray
    priorities: FloatArray
    needs_courtesy_car: BoolArray
    needs_pickup: BoolArray
    deadline_days: FloatArray
    excluded: BoolArray

    def __post_init__(self) -> None:
        n, k = np.shape(self.rows) if np.ndim(self.rows) == 2 else (-1, -1)
        if n < 0:
            raise InvalidInputError(f"rows must be a 2-D (n, K) array, got shape {np.shape(self.rows)}.")
        for name in ("distance_km", "coverage", "excluded"):
            if np.shape(getattr(self, name)) != (n, k):
                raise InvalidInputError(f"{name} must have shape ({n}, {k}) like rows.")
        for name in ("make", "needed_capabilities", "wants_authorized", "max_distance_km", "deadline_days"):
            if np.shape(getattr(self, name)) != (n,):
                raise InvalidInputError(f"{name} must have shape ({n},), one entry per claim.")
        if np.shape(self.priorities) != (n, len(PRIORITIES)):
            raise InvalidInputError(
                f"priorities must have shape ({n}, {len(PRIORITIES)}) in {PRIORITIES} order."
            )
        if not np.all(np.isnan(self.max_distance_km) | (self.max_distance_km > 0)):
            raise InvalidInputError("max_distance_km must be > 0 where given (NaN means not given).")


@dataclass(frozen=True)
class BatchDecision:
    """Slates of n claims, shape (n, k): `positions` index the request's K candidate slots (-1: empty),
    `propensities` are P(shop at this rank | ranks above) under the strategy. `first_choice` (n, K) is the
    probability of each candidate being shown first (for off-policy evaluation); `empty` (n,) marks claims
    whose every candidate failed a hard constraint, `relaxed` (n,) those ranked without the live
    closed/full filters because every candidate failed only those."""

    positions: IntArray
    rows: IntArray
    propensities: FloatArray
    exploration: BoolArray
    expected_wait_days: FloatArray
    first_choice: FloatArray
    empty: BoolArray
    relaxed: BoolArray
    strategy: str


def rank_batch(
    dispatcher: Dispatcher,
    batch: RequestBatch,
    k: int = 3,
    strategy: str | None = None,
    rng: np.random.Generator | None = None,
    record: bool = True,
    relax_capacity: bool = False,
) -> BatchDecision:
    """Rank every claim of `batch` as `dispatcher.rank` would; see the module docstring."""
    if k < 1:
        raise InvalidInputError(f"k must be a positive number of shops, got {k}.")
    key, chosen = dispatcher.resolve_strategy(strategy)
    rng = rng if rng is not None else np.random.default_rng()
    order = np.argsort(np.where(batch.rows >= 0, batch.rows, np.iinfo(np.int64).max), axis=1, kind="stable")
    rows = np.take_along_axis(batch.rows, order, axis=1)
    valid, safe = rows >= 0, np.maximum(rows, 0)
    snap = _Snapshot.take(dispatcher, safe, batch)
    keep, relaxed = _hard_filter(dispatcher, chosen, batch, order, safe, valid, snap, relax_capacity)
    utilities, weights = _factors(dispatcher, chosen, batch, order, safe, snap)
    objectives, weighted = _objectives(
        dispatcher, key, chosen, batch.now, safe, keep, snap, utilities, weights, rng
    )
    score = weighted["customer"] + weighted["utilization"] + weighted["cost"] + weighted["exploration"]
    pool = _pool(chosen, objectives, score, keep, k)
    exploit = score - weighted["exploration"] + weighted["learned"]
    slate = _Slate.draw(dispatcher, chosen, pool, score, exploit, safe, k, rng, record)
    picked = np.take_along_axis(safe, np.maximum(slate.picks, 0), axis=1)
    if record and (slate.picks >= 0).any():
        dispatcher.exposure.record_offers(picked[slate.picks >= 0])
    filled = slate.picks >= 0
    first = np.zeros(rows.shape)
    np.put_along_axis(first, order, slate.first_choice, axis=1)
    return BatchDecision(
        positions=np.where(filled, np.take_along_axis(order, np.maximum(slate.picks, 0), axis=1), -1),
        rows=np.where(filled, picked, -1),
        propensities=np.where(filled, slate.propensities, 0.0),
        exploration=filled & slate.exploring,
        expected_wait_days=np.where(
            filled, np.take_along_axis(snap.wait, np.maximum(slate.picks, 0), axis=1), np.nan
        ),
        first_choice=first,
        empty=np.asarray(~keep.any(axis=1)),
        relaxed=relaxed,
        strategy=key,
    )


@dataclass(frozen=True)
class _Snapshot:
    """Live capacity of every candidate slot (n, K) in catalog-row order, per `CapacityState.snapshot`."""

    free_bays: FloatArray
    closed: BoolArray
    full: BoolArray
    wait: FloatArray
    parts: FloatArray

    @classmethod
    def take(cls, dispatcher: Dispatcher, safe: IntArray, batch: RequestBatch) -> _Snapshot:
        shape, flat = safe.shape, safe.ravel()
        snapshot = dispatcher.capacity.snapshot(flat, batch.now)
        cycle = dispatcher.shops.columns["mean_cycle_days"][flat].astype(np.float64)
        return cls(
            free_bays=snapshot.free_bays.reshape(shape).astype(np.float64),
            closed=is_closed(snapshot).reshape(shape),
            full=is_full(snapshot).reshape(shape),
            wait=expected_wait_days(snapshot, cycle).reshape(shape),
            parts=_parts(dispatcher, safe, batch.make),
        )


def _parts(dispatcher: Dispatcher, safe: IntArray, make: IntArray) -> FloatArray:
    """Parts in stock for the claim's make: the live report if any, else the catalog; -1 unknown."""
    shops, capacity = dispatcher.shops, dispatcher.capacity
    m = np.maximum(make, 0)[:, None]
    catalog = shops.parts_stock[safe, m].astype(np.float64)
    live_col = np.array([capacity.make_col.get(name, -1) for name in shops.makes] + [-1])[
        np.where(make >= 0, make, -1)
    ]
    live = np.where(live_col[:, None] >= 0, capacity.parts_[safe, np.maximum(live_col, 0)[:, None]], -1)
    return np.asarray(np.where(make[:, None] < 0, -1.0, np.where(live >= 0, live, catalog)), dtype=np.float64)


def _authorized(dispatcher: Dispatcher, safe: IntArray, make: IntArray) -> BoolArray:
    shops = dispatcher.shops
    by_make = (shops.columns["authorized_makes"][safe] >> np.maximum(make, 0)[:, None]) & 1
    dealer = shops.columns["shop_type"][safe] == shops.dealer_type
    return np.asarray(np.where(make[:, None] >= 0, by_make.astype(bool), dealer))


def _hard_filter(
    dispatcher: Dispatcher,
    strategy: Strategy,
    batch: RequestBatch,
    order: IntArray,
    safe: IntArray,
    valid: BoolArray,
    snap: _Snapshot,
    relax: bool,
) -> tuple[BoolArray, BoolArray]:
    """(keep (n, K), relaxed (n,)): the filters of `dispatch_core.filters.hard_filter`, row-wise."""
    max_km = np.where(
        np.isnan(batch.max_distance_km), strategy.default_max_distance_km, batch.max_distance_km
    )
    distance = np.take_along_axis(batch.distance_km, order, axis=1)
    wants = batch.wants_authorized[:, None] == 1
    keep = (
        valid
        & ~np.take_along_axis(batch.excluded, order, axis=1)
        & ~(distance > max_km[:, None])
        & ~(wants & ~_authorized(dispatcher, safe, batch.make))
        & ~(np.take_along_axis(batch.coverage, order, axis=1) < 1.0)
    )
    strict = keep & ~snap.closed & ~snap.full
    relaxed = relax & ~strict.any(axis=1) & keep.any(axis=1)
    return np.where(relaxed[:, None], keep, strict), relaxed


def _factors(
    dispatcher: Dispatcher,
    strategy: Strategy,
    batch: RequestBatch,
    order: IntArray,
    safe: IntArray,
    snap: _Snapshot,
) -> tuple[FloatArray, FloatArray]:
    """Factor utilities (n, K, f) as `features.build_factors` computes them, and weights (n, f)."""
    shops, n = dispatcher.shops, safe.shape[0]
    utilities = np.empty((*safe.shape, len(F.FACTOR_NAMES)))
    utilities[..., F._STATIC_COLS] = dispatcher.static_.utilities[safe]
    cycle = dispatcher.static_.values[safe][..., list(F._STATIC).index("cycle_days")]
    authorized = _authorized(dispatcher, safe, batch.make).astype(np.float64)
    wants = batch.wants_authorized[:, None]
    slack = np.nan_to_num(batch.deadline_days, nan=0.0)[:, None] - (snap.wait + cycle)
    distance = np.take_along_axis(batch.distance_km, order, axis=1)
    for name, utility in (
        ("distance_km", np.exp(-distance / strategy.distance_scale_km)),
        ("travel_minutes", 0.0),
        ("expected_wait_days", np.exp(-snap.wait / 2.0)),
        ("free_bays", F.clip01(snap.free_bays / 3.0)),
        ("parts_in_stock", np.where(snap.parts < 0, 0.5, F.clip01(snap.parts / 5.0))),
        (
            "authorized_for_make",
            np.where(wants == 0, 1.0 - authorized, np.where(wants == 1, authorized, 0.5 + 0.5 * authorized)),
        ),
        (
            "certified_for_damage",
            _certified(shops.certification_for_capability, shops.columns["certifications"][safe], batch),
        ),
        ("deadline_slack_days", F.clip01(np.exp(slack / 2.0))),
    ):
        utilities[..., _COL[name]] = utility
    flags = np.column_stack(
        [batch.needs_courtesy_car, batch.needs_pickup, ~np.isnan(batch.deadline_days), batch.priorities]
    )
    unique, inverse = np.unique(flags.astype(np.float64), axis=0, return_inverse=True)
    items = tuple(strategy.factor_weights.items())
    table = np.array(
        [F._weights(items, bool(u[0]), bool(u[1]), bool(u[2]), _priority_items(u[3:])) for u in unique]
    )
    return utilities, table[inverse.reshape(n)] if n else np.zeros((0, len(F.FACTOR_NAMES)))


def _priority_items(weights: FloatArray) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((name, float(w)) for name, w in zip(PRIORITIES, weights, strict=True) if w > 0))


def _certified(cert_for: Any, certs: NDArray[Any], batch: RequestBatch) -> FloatArray:
    """Share of the damage-relevant certifications each shop holds (0.5 when none is relevant)."""
    held, relevant = np.zeros(certs.shape), np.zeros(len(certs))
    for cap, cert in cert_for.items():
        need = ((batch.needed_capabilities >> cap) & 1).astype(np.float64)
        held += need[:, None] * ((certs >> cert) & 1)
        relevant += need
    return np.where(relevant[:, None] > 0, held / np.maximum(relevant, 1.0)[:, None], 0.5)


def _objectives(
    dispatcher: Dispatcher,
    key: str,
    strategy: Strategy,
    now: float,
    safe: IntArray,
    keep: BoolArray,
    snap: _Snapshot,
    utilities: FloatArray,
    weights: FloatArray,
    rng: np.random.Generator,
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Objectives (n, K, 4) to minimise and each objective's weighted utility (n, K), as `Dispatcher` does."""
    shape, flat, exposure = safe.shape, safe.ravel(), dispatcher.exposure
    bays = dispatcher.shops.columns["bays"][safe].astype(np.float64)
    behind = 1.0 - F.clip01(exposure.target_progress(flat, *_month_position(now)).reshape(shape))
    fairness = 0.5 + 0.5 * exposure.exposure_adjustment(flat).reshape(shape)
    learner, live = dispatcher.learners_[key], keep.ravel()
    contexts = (
        context_of(F.FACTOR_NAMES, utilities.reshape(-1, utilities.shape[-1])[live])
        if learner.contextual
        else None
    )
    mean, optimistic = np.zeros(flat.size), np.zeros(flat.size)
    if live.any():
        mean[live], optimistic[live] = learner.values(flat[live], rng, contexts)
    values = {
        "customer": np.matmul(utilities, weights[:, :, None])[..., 0],
        "utilization": 0.45 * fairness + 0.3 * F.clip01(snap.free_bays / bays) + 0.25 * behind,
        "cost": utilities[..., _COL["cost_index"]],
        "exploration": F.clip01(optimistic.reshape(shape)),
    }
    total = sum(strategy.objective_weights.get(o, 0.0) for o in OBJECTIVES)
    weighted = {o: strategy.objective_weights.get(o, 0.0) / total * values[o] for o in OBJECTIVES}
    weighted["learned"] = (
        strategy.objective_weights.get("exploration", 0.0) / total * F.clip01(mean.reshape(shape))
    )
    return -np.stack([values[o] for o in OBJECTIVES], axis=-1), weighted


def _pool(strategy: Strategy, objectives: FloatArray, score: FloatArray, keep: BoolArray, k: int) -> IntArray:
    """Pool slots (n, P), best score first (-1 past the end): shortlist, then NSGA-II selection."""
    room = max(strategy.pool_size, k)
    by_score = np.argsort(np.where(keep, -score, np.inf), axis=1, kind="stable")
    short = np.zeros(keep.shape, dtype=bool)
    np.put_along_axis(short, by_score[:, : 3 * room], True, axis=1)
    for j in range(objectives.shape[-1]):
        leaders = np.argsort(np.where(keep, objectives[..., j], np.inf), axis=1, kind="stable")[:, :2]
        np.put_along_axis(short, leaders, True, axis=1)
    short &= keep
    weight = np.array([strategy.objective_weights.get(o, 0.0) for o in OBJECTIVES])
    take = np.minimum(short.sum(axis=1), room)
    chosen = _nsga_select(np.where(short[..., None], objectives, 0.0), short, take, weight)
    pool = np.argsort(np.where(chosen, -score, np.inf), axis=1, kind="stable")[:, :room]
    return np.where(np.take_along_axis(chosen, pool, axis=1), pool, -1)


def _nsga_select(values: FloatArray, member: BoolArray, take: IntArray, weight: FloatArray) -> BoolArray:
    """`pareto.select_slate` per row: whole non-dominated fronts first, the cut front by crowding."""
    # Column by column, as pareto._domination_matrix does: reducing a short last axis is much slower.
    no_worse = values[:, :, None, 0] <= values[:, None, :, 0]
    better = values[:, :, None, 0] < values[:, None, :, 0]
    for j in range(1, values.shape[-1]):
        no_worse &= values[:, :, None, j] <= values[:, None, :, j]
        better |= values[:, :, None, j] < values[:, None, :, j]
    dominates = (no_worse & better & member[:, :, None] & member[:, None, :]).astype(np.float32)
    n_dominators = dominates.sum(axis=1)
    remaining, chosen, left = member.copy(), np.zeros(member.shape, dtype=bool), take.copy()
    while True:
        front = remaining & (n_dominators == 0)
        size = front.sum(axis=1)
        active = (left > 0) & (size > 0)
        if not active.any():
            return chosen
        whole, cut = active & (size <= left), active & (size > left)
        chosen |= front & whole[:, None]
        if cut.any():
            chosen[cut] |= _crowded_pick(values[cut], front[cut], left[cut], weight)
        left = np.where(whole, left - size, np.where(cut, 0, left))
        remaining &= ~front
        n_dominators -= np.matmul(front[:, None, :].astype(np.float32), dominates)[:, 0, :]


def _crowded_pick(values: FloatArray, front: BoolArray, take: IntArray, weight: FloatArray) -> BoolArray:
    """The `take` members of each row's front by descending crowding, then the `select_slate` tie-breaks."""
    c, width, m = values.shape
    crowd = _crowding(values, front)
    keys: list[NDArray[Any]] = [np.broadcast_to(np.arange(width), (c, width))]
    keys += [values[..., j] for j in range(m - 1, -1, -1)]
    keys += [
        (values * weight).sum(axis=-1),
        -crowd,
        ~front,
        np.broadcast_to(np.arange(c)[:, None], (c, width)),
    ]
    ranked = np.lexsort([key.ravel() for key in keys]).reshape(c, width) - np.arange(c)[:, None] * width
    picked = np.zeros((c, width), dtype=bool)
    np.put_along_axis(picked, ranked, np.arange(width)[None, :] < take[:, None], axis=1)
    return picked & front


def _crowding(values: FloatArray, member: BoolArray) -> FloatArray:
    """`pareto.crowding_distance` of each row's members (pymoo's convention), (c, K); 0 off the front."""
    c, width, m = values.shape
    count = member.sum(axis=1)
    big = np.where(member[..., None], values, np.inf)
    claim = np.broadcast_to(np.arange(c)[:, None], (c, width)).ravel()
    lex = np.lexsort(
        [np.arange(width * c) % width] + [big[..., j].ravel() for j in range(m - 1, -1, -1)] + [claim]
    )
    lexrank = np.empty(c * width, dtype=np.int64)
    lexrank[lex] = np.arange(c * width)
    distance = np.zeros((c, width))
    last = np.maximum(count - 1, 0)
    slots = np.arange(width + 1)[None, :]
    with np.errstate(invalid="ignore"):
        for j in range(m):
            order = (np.lexsort([lexrank, big[..., j].ravel(), claim]) - claim * width).reshape(c, width)
            ranked = np.take_along_axis(big[..., j], order, axis=1)
            span = ranked[np.arange(c), last] - ranked[:, 0]
            gaps = (ranked[:, 1:] - ranked[:, :-1]) / np.where(span > 0, span, 1.0)[:, None]
            padded = np.concatenate([np.full((c, 1), np.inf), gaps, np.full((c, 1), np.inf)], axis=1)
            padded = np.where(slots == count[:, None], np.inf, padded)
            padded = np.where((span > 0)[:, None], padded, 0.0)
            inside = slots[:, :width] < count[:, None]
            np.put_along_axis(
                distance,
                order,
                np.where(inside, padded[:, :-1] + padded[:, 1:], 0.0)
                + np.take_along_axis(distance, order, axis=1),
                axis=1,
            )
    return np.where(member, np.where(count[:, None] <= 2, np.inf, distance / m), 0.0)


@dataclass(frozen=True)
class _Slate:
    """Picks (n, k) as candidate slots (-1: none), their propensities and exploration flags, and the
    probability of each slot (n, K) being shown first."""

    picks: IntArray
    propensities: FloatArray
    exploring: BoolArray
    first_choice: FloatArray

    @classmethod
    def draw(
        cls,
        dispatcher: Dispatcher,
        strategy: Strategy,
        pool: IntArray,
        score: FloatArray,
        exploit: FloatArray,
        safe: IntArray,
        k: int,
        rng: np.random.Generator,
        record: bool,
    ) -> _Slate:
        in_pool, at = pool >= 0, np.maximum(pool, 0)
        sizes = in_pool.sum(axis=1)
        pool_exploit = np.where(in_pool, np.take_along_axis(exploit, at, axis=1), -np.inf)
        cut = -np.sort(-pool_exploit, axis=1)[np.arange(len(pool)), np.maximum(np.minimum(k, sizes) - 1, 0)]
        exploring = in_pool & (pool_exploit < cut[:, None] - 1e-12)
        is_new = dispatcher.shops.is_new[np.take_along_axis(safe, at, axis=1)] & in_pool
        pool_score = np.take_along_axis(score, at, axis=1)
        draw = _Draw(pool_score, in_pool, k, strategy.temperature, rng)
        _charge_budget(dispatcher.exposure, draw, exploring & is_new, is_new, k, record)
        slots = np.where(draw.picks >= 0, np.take_along_axis(pool, np.maximum(draw.picks, 0), axis=1), -1)
        flags = np.take_along_axis(exploring, np.maximum(draw.picks, 0), axis=1) & (draw.picks >= 0)
        first_choice = np.zeros(score.shape)
        claim, slot = np.nonzero(in_pool)  # empty slots point at column 0: never scatter them
        first_choice[claim, pool[claim, slot]] = draw.first[claim, slot]
        return cls(slots, draw.propensities, flags, first_choice)


class _Draw:
    """Plackett-Luce slates of every row of a pool (n, P), redrawable row by row after budget drops."""

    def __init__(
        self, score: FloatArray, member: BoolArray, k: int, temperature: float, rng: np.random.Generator
    ) -> None:
        self.score, self.member, self.k, self.temperature, self.rng = score, member, k, temperature, rng
        self.picks, self.propensities, self.first = _plackett_luce(score, member, k, temperature, rng)

    def redraw(self, row: int, member: BoolArray) -> None:
        picks, props, first = _plackett_luce(
            self.score[row : row + 1], member[None, :], self.k, self.temperature, self.rng
        )
        self.picks[row], self.propensities[row], self.first[row] = picks[0], props[0], first[0]


def _charge_budget(
    exposure: Any, draw: _Draw, nurtured: BoolArray, is_new: BoolArray, k: int, record: bool
) -> None:
    """Apply each claim's new-shop exploration budget in batch order, as sequential ranking would.

    `exploration_allowed(k)` is evaluated per claim on the decayed offer totals that the slates before it
    leave behind; a claim with more new-shop exploration picks than allowed loses the weakest of them and
    its slate is drawn again.
    """
    total = exposure.total_offers()
    new = exposure.new_raw_ * (total / exposure.total_raw_ if exposure.total_raw_ > 0 else 1.0)
    budget, decay = exposure.new_shop_budget, math.exp(-exposure.decay_rate)
    counts, cap = nurtured.sum(axis=1), math.ceil(budget * k - 1e-9) if exposure.is_new.any() else 0
    for row in range(len(counts)):
        allowed = max(0, min(math.floor(budget * (total + k) - new + 1e-9), cap))
        if counts[row] > allowed:  # drop the weakest new-shop exploration picks beyond the budget
            member = draw.member[row].copy()
            member[np.flatnonzero(nurtured[row])[allowed:]] = False
            draw.redraw(row, member)
        if record:
            picks = draw.picks[row][draw.picks[row] >= 0]
            shown = picks.size
            total = total * decay**shown + shown
            new = new * decay**shown + int(is_new[row, picks].sum())


def _plackett_luce(
    score: FloatArray, member: BoolArray, k: int, temperature: float, rng: np.random.Generator
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Row-wise `ranking._plackett_luce` over members (n, P): picks (n, k) as pool slots (-1: none),
    propensities (n, k), and P(slot drawn first) (n, P)."""
    n, width = score.shape
    ok = np.arange(k)[None, :] < np.minimum(member.sum(axis=1), k)[:, None]
    if temperature == 0:
        slots = _pad(np.argsort(~member, axis=1, kind="stable")[:, :k], k)
        first = (np.arange(width)[None, :] == slots[:, :1]) & member
        return np.where(ok, slots, -1), np.where(ok, 1.0, 0.0), first.astype(np.float64)
    top = np.max(np.where(member, score, -np.inf), axis=1, keepdims=True)
    logits = np.where(member, (score - np.where(np.isfinite(top), top, 0.0)) / temperature, -np.inf)
    slots = _pad(np.argsort(-(logits + rng.gumbel(size=(n, width))), axis=1, kind="stable")[:, :k], k)
    weights = np.exp(logits)
    picked = np.where(ok, np.take_along_axis(weights, np.maximum(slots, 0), axis=1), 0.0)
    before = np.concatenate([np.zeros((n, 1)), np.cumsum(picked, axis=1)[:, :-1]], axis=1)
    remaining = weights.sum(axis=1, keepdims=True) - before
    with np.errstate(invalid="ignore", divide="ignore"):
        props = np.where(ok, np.minimum(picked / remaining, 1.0), 0.0)  # float noise can exceed 1
        first = np.where(member, weights / weights.sum(axis=1, keepdims=True), 0.0)
    return np.where(ok, slots, -1), props, np.nan_to_num(first)


def _pad(array: NDArray[Any], k: int) -> NDArray[Any]:
    """Pad (n, j) to (n, k) with -1 when the pool is narrower than k."""
    if array.shape[1] >= k:
        return array
    return np.concatenate(
        [array, np.full((array.shape[0], k - array.shape[1]), -1, dtype=array.dtype)], axis=1
    )
