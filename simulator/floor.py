"""The shop floor over time: bays taken by the shop's own work, the insurer's cars in repair, and a queue.

Time advances in steps (`step_minutes`). Each day every shop draws the technicians on duty (a bay needs
one), whether it is closed that day, and how many bays its own walk-in work takes (a per-shop level, a
weekend factor and an autocorrelated daily swing). An insurer's car starts repair at once if the shop is
open and a bay is free, else it queues first-in first-out and starts when a bay frees up in opening
hours. Waits and cycle times therefore come out of the load; nothing sets them directly. These draws are
the same for every policy (common random numbers); only the insurer's cars differ.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from numpy.typing import NDArray

from simulator.rng import stream
from simulator.world import World

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
DAY_S = 86400.0


class Floor:
    """Bays of every shop, by catalog row, and the insurer's jobs (one per accepted claim)."""

    def __init__(self, world: World) -> None:
        config, shops = world.config, world.shops
        n = len(shops)
        self.world, self.config = world, config
        self.step_s = config.step_minutes * 60.0
        self.servers = shops.servers
        self.capacity_today = shops.servers.copy()
        self.background = np.zeros(n, dtype=np.int64)
        self.in_service = np.zeros(n, dtype=np.int64)
        self.queued = np.zeros(n, dtype=np.int64)
        self.queue_in = np.zeros(n, dtype=np.int64)
        self.queue_out = np.zeros(n, dtype=np.int64)
        self.closed_today = np.zeros(n, dtype=bool)
        self.technicians_today = shops.table["technicians"].astype(np.int64)
        self._open_hour = shops.table["open_hour"].astype(np.float64)
        self._close_hour = shops.table["close_hour"].astype(np.float64)
        self._weekends = shops.table["open_weekends"].astype(bool)
        self._swing = stream(config.seed, "floor-swing").normal(size=n)
        self._start = dt.date.fromisoformat(config.start_date)
        self.pool_job, self.pool_shop, self.pool_ord = (np.zeros(0, dtype=np.int64) for _ in range(3))
        self._finishing: dict[int, list[IntArray]] = defaultdict(list)
        m = len(world.claims)
        self.job_shop = np.full(m, -1, dtype=np.int64)
        self.job_accept_s = np.full(m, np.nan)
        self.job_start_s = np.full(m, np.nan)
        self.job_days = np.zeros(m)
        self.busy_s = np.zeros(n)
        self.insurer_s = np.zeros(n)

    def start_day(self, day: int) -> None:
        """Draw the day's technicians, closures and own work (the same draws for every policy)."""
        rng, s = stream(self.config.seed, "floor", day), self.config.shops
        techs = self.world.shops.table["technicians"].astype(np.int64)
        self.technicians_today = rng.binomial(techs, s.technician_attendance)
        scaled = np.round(self.technicians_today * self.config.capacity_scale).astype(np.int64)
        self.capacity_today = np.minimum(self.servers, scaled)
        self.closed_today = rng.random(len(techs)) < s.closure_daily_p
        rho = s.background_daily_rho
        self._swing = rho * self._swing + np.sqrt(1.0 - rho**2) * rng.normal(size=len(techs))
        weekend = (self._start + dt.timedelta(days=day)).weekday() >= 5
        level = self.world.shops.background_level * (s.weekend_background_factor if weekend else 1.0)
        sigma = s.background_daily_sigma
        level = np.clip(level * np.exp(sigma * self._swing - sigma**2 / 2.0), 0.0, 0.98)
        self.background = rng.binomial(self.capacity_today, level)

    def open_mask(self, t_s: float) -> BoolArray:
        """Shops open at `t_s` seconds since the start (hours, weekends, closures)."""
        hour = (t_s % DAY_S) / 3600.0
        day = int(t_s // DAY_S)
        weekend = (self._start + dt.timedelta(days=day)).weekday() >= 5
        hours = (hour >= self._open_hour) & (hour < self._close_hour)
        return np.asarray(hours & ~self.closed_today & (self._weekends | (not weekend)))

    def free_bays(self) -> IntArray:
        """Bays neither the shop's own work nor an insurer car holds now, shape (n_shops,)."""
        return np.asarray(
            np.maximum(self.capacity_today - self.in_service - self.background, 0), dtype=np.int64
        )

    def complete(self, step: int) -> IntArray:
        """Jobs whose repair ended before this step; their bays free up."""
        done = self._finishing.pop(step, [])
        if not done:
            return np.zeros(0, dtype=np.int64)
        jobs = np.concatenate(done)
        np.subtract.at(self.in_service, self.job_shop[jobs], 1)
        return jobs

    def start_queued(self, t_s: float, is_open: BoolArray) -> IntArray:
        """Start queued jobs first-in first-out where an open shop has a free bay; returns their ids."""
        if self.pool_job.size == 0:
            return self.pool_job
        n_start = np.where(is_open, np.minimum(self.queued, self.free_bays()), 0)
        go = (self.pool_ord - self.queue_out[self.pool_shop]) < n_start[self.pool_shop]
        if not go.any():
            return np.zeros(0, dtype=np.int64)
        started = self.pool_job[go]
        self.pool_job, self.pool_shop, self.pool_ord = (
            self.pool_job[~go],
            self.pool_shop[~go],
            self.pool_ord[~go],
        )
        self.queue_out += n_start
        self.queued -= n_start
        self.in_service += n_start
        self._begin(started, np.full(started.size, t_s))
        return started

    def assign(self, jobs: IntArray, shops: IntArray, accept_s: FloatArray, is_open: BoolArray) -> IntArray:
        """Book accepted claims `jobs` (in time order) at `shops`; returns the jobs that start at once."""
        self.job_shop[jobs], self.job_accept_s[jobs] = shops, accept_s
        self.job_days[jobs] = self.world.shops.true_cycle_days[shops] * self.world.claims.size[jobs]
        order = np.argsort(shops, kind="stable")
        sorted_shops = shops[order]
        first = np.searchsorted(sorted_shops, sorted_shops, side="left")
        rank = np.empty(len(jobs), dtype=np.int64)
        rank[order] = np.arange(len(jobs)) - first
        room = np.where(is_open & (self.queued == 0), self.free_bays(), 0)[shops]
        now = rank < room
        np.add.at(self.in_service, shops[now], 1)
        self._begin(jobs[now], accept_s[now])
        wait = ~now
        ordinal = self.queue_in[shops[wait]] + rank[wait] - room[wait]
        np.add.at(self.queue_in, shops[wait], 1)
        np.add.at(self.queued, shops[wait], 1)
        self.pool_job = np.concatenate([self.pool_job, jobs[wait]])
        self.pool_shop = np.concatenate([self.pool_shop, shops[wait]])
        self.pool_ord = np.concatenate([self.pool_ord, ordinal])
        return jobs[now]

    def accumulate(self, seconds: float) -> None:
        """Add `seconds` of bay occupancy (own work yields to insurer cars already in a bay)."""
        insurer = np.minimum(self.in_service, self.servers)
        own = np.minimum(self.background, np.maximum(self.capacity_today - self.in_service, 0))
        self.busy_s += np.minimum(insurer + own, self.servers) * seconds
        self.insurer_s += insurer * seconds

    def _begin(self, jobs: IntArray, start_s: FloatArray) -> None:
        self.job_start_s[jobs] = start_s
        finish = start_s + self.job_days[jobs] * DAY_S
        steps = (finish // self.step_s).astype(np.int64) + 1
        for step in np.unique(steps):
            self._finishing[int(step)].append(jobs[steps == step])
