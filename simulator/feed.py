"""Capacity events from the shop floor into dispatch_core's `CapacityState`, as production would feed it.

Shops with a live feed (`live_feed_share`) report free bays, technicians on duty and open/closed status
when a value changes, and re-report every `heartbeat_minutes` anyway; a report can be lost
(`report_dropout_p`) and arrives `report_delay_minutes` old. Silent shops never report, so the hub knows
only their catalog bays, unless `estimate_silent_shops`: then the insurer's own system reports an
estimate for them (their bays times the network's usual free share, less the insurer's own cars in
repair there, which it knows from its claims). "Closed" means not taking cars today (a closure day, or a
weekend for a shop shut on weekends), not the hours after closing time.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import NDArray

from dispatch_core.capacity import ApplyResult, CapacityState
from simulator.floor import DAY_S, Floor
from simulator.rng import stream
from simulator.world import World


class CapacityFeed:
    def __init__(self, world: World, capacity: CapacityState) -> None:
        self.world, self.capacity = world, capacity
        s = world.config.shops
        self.live = world.shops.live_feed
        self.heartbeat_s, self.delay_s, self.dropout = (
            s.heartbeat_minutes * 60,
            s.report_delay_minutes * 60,
            s.report_dropout_p,
        )
        n = len(world.shops)
        self.sent = np.full((3, n), -1, dtype=np.int64)
        self.sent_s = np.full(n, -np.inf)
        self.weekend_shut = ~world.shops.table["open_weekends"].astype(bool)
        self.start = dt.date.fromisoformat(world.config.start_date)

    def publish(self, floor: Floor, t_s: float, step: int) -> ApplyResult | None:
        """Send this step's reports; `t_s` is seconds since the start of the run."""
        weekend = (self.start + dt.timedelta(days=int(t_s // DAY_S))).weekday() >= 5
        is_open = ~floor.closed_today & ~(self.weekend_shut & weekend)
        free = np.where(self.live, floor.free_bays(), self._estimate(floor))
        values = np.stack([free, floor.technicians_today, is_open.astype(np.int64)])
        changed = (values != self.sent).any(axis=0) | (t_s - self.sent_s >= self.heartbeat_s)
        lost = stream(self.world.config.seed, "feed", step).random(len(self.live)) < self.dropout
        reporting = self.live | self.world.config.shops.estimate_silent_shops
        rows = np.flatnonzero(reporting & changed & ~lost)
        if rows.size == 0:
            return None
        self.sent[:, rows], self.sent_s[rows] = values[:, rows], t_s
        ts = self.world.config.start_epoch + t_s - self.delay_s
        free, techs, status = values[:, rows]
        return self.capacity.apply_arrays(rows, np.full(rows.size, ts), free, techs, status, now=ts)

    def _estimate(self, floor: Floor) -> NDArray[np.int64]:
        """Free bays the insurer can infer without a feed: the usual free share, less its own cars."""
        usual = np.round(floor.servers * (1.0 - self.world.config.shops.background_load)).astype(np.int64)
        return np.asarray(np.maximum(usual - floor.in_service, 0), dtype=np.int64)
