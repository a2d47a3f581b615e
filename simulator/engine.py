"""Run one policy over the shared world, step by step, and log what happened to every claim.

Per step: the day's shop draws (at midnight), repairs that ended (their satisfaction goes back to the
policy as its reward), queued cars that can start, the policy's look at capacity, then the step's claims:
slate, customer choice, alternatives or walk-away, booking. After the last claim the floor drains
(`drain_days`) so queued cars get a start time.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simulator.costs import claim_cost, claim_utility
from simulator.customers import choose, satisfaction, visible_utility
from simulator.floor import DAY_S, Floor
from simulator.policies import make_policy
from simulator.policies.base import Offer, Policy
from simulator.rng import stream
from simulator.world import World

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class ClaimLog:
    """Per claim (n_claims,): the shop booked (-1 none), slates shown, and the outcome of the repair.

    Outcome arrays are NaN for claims nobody accepted; `utility` is 0 there (the regret's unit).
    """

    shop: IntArray
    slates: IntArray
    wait_days: FloatArray
    cycle_days: FloatArray
    cost: FloatArray
    satisfaction: FloatArray
    utility: FloatArray

    @classmethod
    def empty(cls, n: int) -> ClaimLog:
        nan = np.full(n, np.nan)
        return cls(
            np.full(n, -1, np.int64),
            np.zeros(n, np.int64),
            nan,
            nan.copy(),
            nan.copy(),
            nan.copy(),
            np.zeros(n),
        )

    @property
    def accepted(self) -> NDArray[np.bool_]:
        return np.asarray(self.shop >= 0)


@dataclass
class PolicyRun:
    """One policy's run: its claim log, per-shop utilisation (n_shops,), and wall time."""

    name: str
    log: ClaimLog
    utilization: FloatArray
    insurer_utilization: FloatArray
    seconds: float
    extras: dict[str, Any] = field(default_factory=dict)


def choice_noise(seed: int, step: int, claims: int, width: int, rounds: int) -> tuple[FloatArray, ...]:
    """The step's customer draws, the same for every policy (common random numbers): taste Gumbels
    (claims, width) per candidate, outside-option Gumbels and ask-again uniforms (claims, rounds)."""
    rng = stream(seed, "choices", step)
    return rng.gumbel(size=(claims, width)), rng.gumbel(size=(claims, rounds)), rng.random((claims, rounds))


class Engine:
    def __init__(
        self, world: World, policy_name: str, build: Callable[[World, Floor], Policy] | None = None
    ) -> None:
        self.world, self.config = world, world.config
        self.floor = Floor(world)
        self.policy: Policy = (build or partial(make_policy, policy_name))(world, self.floor)
        self.log = ClaimLog.empty(len(world.claims))
        table = world.shops.table
        self._rating = table["rating"].astype(np.float64)
        self._amenities = (table["courtesy_cars"] > 0) | table["pickup_service"].astype(bool)
        self._dealer = np.asarray(table["shop_type"] == world.shops.data.dealer_type)
        self._makes = table["authorized_makes"].astype(np.int64)
        self._start = dt.date.fromisoformat(self.config.start_date)
        self._month = self._start.month

    def run(self, progress: Callable[[int], None] | None = None) -> PolicyRun:
        began = time.perf_counter()
        steps_per_day = round(DAY_S / self.floor.step_s)
        last = self.world.n_steps + self.config.drain_days * steps_per_day
        for step in range(last):
            self.step(step)
            if progress is not None and (step + 1) % steps_per_day == 0 and step < self.world.n_steps:
                progress(steps_per_day)
            if step >= self.world.n_steps and self.floor.pool_job.size == 0:
                break
        self._censor(last * self.floor.step_s)
        horizon = self.world.n_steps * self.floor.step_s
        servers = self.floor.servers.astype(np.float64)
        return PolicyRun(
            name=self.policy.name,
            log=self.log,
            utilization=self.floor.busy_s / (servers * horizon),
            insurer_utilization=self.floor.insurer_s / (servers * horizon),
            seconds=time.perf_counter() - began,
            extras=getattr(self.policy, "extras", lambda: {})(),
        )

    def step(self, step: int) -> None:
        t = step * self.floor.step_s
        if t % DAY_S == 0:
            self._new_day(int(t // DAY_S))
        self.policy.completed(*self._rewards(self.floor.complete(step)))
        is_open = self.floor.open_mask(t)
        self._started(self.floor.start_queued(t, is_open))
        if step < self.world.n_steps:
            self.policy.observe(self.floor, t)
            self._dispatch(step, t, is_open)
            self.floor.accumulate(self.floor.step_s)

    def _new_day(self, day: int) -> None:
        self.floor.start_day(day)
        month = (self._start + dt.timedelta(days=day)).month
        if month != self._month:
            self._month = month
            self.policy.new_month()

    def _rewards(self, jobs: IntArray) -> tuple[IntArray, FloatArray]:
        return self.floor.job_shop[jobs], self.log.satisfaction[jobs]

    def _dispatch(self, step: int, t: float, is_open: NDArray[np.bool_]) -> None:
        bounds = self.world.claims.step_bounds
        claims = np.arange(bounds[step], bounds[step + 1], dtype=np.int64)
        if claims.size == 0:
            return
        chosen = self._offer(step, claims, t)
        accepted = chosen >= 0
        jobs = claims[accepted]
        shops = self.world.candidates.rows[jobs, chosen[accepted]].astype(np.int64)
        self.log.shop[jobs] = shops
        self.policy.accepted(jobs, shops)
        self._started(self.floor.assign(jobs, shops, self.world.claims.time_s[jobs], is_open))

    def _offer(self, step: int, claims: IntArray, t: float) -> IntArray:
        """Slates until each customer accepts, walks away or runs out; the accepted column or -1."""
        c, m = self.config, claims.size
        width, rounds = self.world.candidates.width, c.max_slates
        taste, outside, ask = choice_noise(c.seed, step, m, width, rounds)
        shown = np.zeros((m, width), dtype=bool)
        chosen = np.full(m, -1, dtype=np.int64)
        pending = np.arange(m)
        for r in range(rounds):
            if pending.size == 0:
                break
            offer = self.policy.propose(claims[pending], shown[pending], t, r)
            cols = offer.columns
            filled = cols >= 0
            has = filled.any(axis=1)
            self.log.slates[claims[pending[has]]] = r + 1
            at, slot = np.nonzero(filled)
            shown[pending[at], cols[at, slot]] = True
            pick = choose(
                c.customers.choice_scale,
                self._seen(claims[pending], offer),
                taste[pending[:, None], np.maximum(cols, 0)],
                self.world.customers.reservation[claims[pending]],
                outside[pending, r],
            )
            took = pick >= 0
            chosen[pending[took]] = cols[took, pick[took]]
            asks = ask[pending, r] < c.customers.ask_alternatives_p * c.customers.patience**r
            pending = pending[~took & has & asks]
        return chosen

    def _seen(self, claims: IntArray, offer: Offer) -> FloatArray:
        """What each customer makes of each shop in their slate (n, k); NaN for an empty slot."""
        cols, customers = offer.columns, self.config.customers
        wait = np.full(cols.shape, customers.assumed_wait_days)
        if customers.sees_quoted_wait and offer.quoted_wait is not None:
            wait = np.where(np.isnan(offer.quoted_wait), wait, offer.quoted_wait)
        rows = np.take_along_axis(self.world.candidates.rows[claims], np.maximum(cols, 0), axis=1).astype(
            np.int64
        )
        dist = np.take_along_axis(self.world.candidates.distance_km[claims], np.maximum(cols, 0), axis=1)
        authorized = self._authorized(claims[:, None], rows)
        seen = visible_utility(
            self.world.customers,
            claims,
            dist.astype(np.float64),
            self._rating[rows],
            authorized,
            self._amenities[rows],
            wait,
        )
        return np.where(cols >= 0, seen, np.nan)

    def _authorized(self, claims: IntArray, rows: IntArray) -> NDArray[np.bool_]:
        make = self.world.claims.make[claims]
        return np.asarray(self._dealer[rows] & ((self._makes[rows] >> make) & 1).astype(bool))

    def _started(self, jobs: IntArray) -> None:
        """Score the repairs that start now: wait, cycle, cost, satisfaction, utility."""
        if jobs.size == 0:
            return
        w, c, f = self.world, self.config, self.floor
        shop = f.job_shop[jobs]
        wait = (f.job_start_s[jobs] - f.job_accept_s[jobs]) / DAY_S
        cycle = wait + f.job_days[jobs]
        reworked = (w.customers.rework_draw[jobs] < w.shops.rework_p[shop]).astype(np.float64)
        deadline = w.claims.deadline_days[jobs]
        missed = (~np.isnan(deadline) & (cycle > np.nan_to_num(deadline, nan=np.inf))).astype(np.float64)
        col = np.argmax(w.candidates.rows[jobs] == shop[:, None], axis=1)
        distance = w.candidates.distance_km[jobs, col].astype(np.float64)
        sat = satisfaction(
            c,
            w.customers,
            jobs,
            w.shops.quality_z[shop],
            wait,
            distance,
            self._authorized(jobs, shop),
            reworked,
            missed,
        )
        bill = w.claims.base_cost[jobs]
        cost = claim_cost(c, bill, w.shops.price_index[shop], reworked, w.claims.rental[jobs], cycle)
        log = self.log
        log.wait_days[jobs], log.cycle_days[jobs], log.cost[jobs] = wait, cycle, cost
        log.satisfaction[jobs], log.utility[jobs] = sat, claim_utility(c, sat, cost, bill)

    def _censor(self, end_s: float) -> None:
        """Cars still queued when the drain ends are scored as if they started then (a lower bound)."""
        jobs = self.floor.pool_job
        if jobs.size:
            self.floor.job_start_s[jobs] = end_s
            self.floor.job_days[jobs] = (
                self.world.shops.true_cycle_days[self.floor.job_shop[jobs]] * self.world.claims.size[jobs]
            )
            self._started(jobs)


def run_policy(world: World, name: str, progress: Callable[[int], None] | None = None) -> PolicyRun:
    """Run `name` over `world` and return its log; `progress(steps)` is called once a simulated day."""
    return Engine(world, name).run(progress)
