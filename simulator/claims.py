"""The claim stream: when, where, which car, what damage, how big a job, what it costs at list price.

Claims arrive over `days` with a weekday and an hour-of-day profile, in cities in proportion to
population^x, scattered around the city centre and its districts the way the catalog scatters shops.
Makes follow market shares (luxury and EV makes rarer in small cities); damage follows `damage_mix`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from retrieval.catalog.cities import load_cities
from retrieval.catalog.generator import KM_PER_DEG
from retrieval.catalog.vocabulary import CAPABILITY_INDEX, MAKES
from simulator.config import SimConfig
from simulator.config_sections import DAMAGES
from simulator.rng import stream

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
EV_MAKES = np.array([m.ev_only or m.name == "BYD" for m in MAKES])
PREMIUM_MAKES = np.array([m.luxury or m.ev_only for m in MAKES])


@dataclass(frozen=True)
class ClaimStream:
    """Claims in time order; every array has shape (n_claims,) except `step_bounds` (n_steps + 1,).

    `size` is the job's bay time as a multiple of the shop's cycle days; `base_cost` the bill in yuan at
    price index 1.0; `deadline_days` is NaN when the customer named none. Claims of step s are
    `step_bounds[s]:step_bounds[s + 1]`.
    """

    time_s: FloatArray
    city: IntArray
    lat: FloatArray
    lon: FloatArray
    make: IntArray
    capabilities: IntArray
    damage: IntArray
    size: FloatArray
    base_cost: FloatArray
    rental: NDArray[np.bool_]
    deadline_days: FloatArray
    step_bounds: IntArray

    def __len__(self) -> int:
        return len(self.time_s)


def generate_claims(config: SimConfig) -> ClaimStream:
    """The seeded claim stream of `config` (the same for every policy)."""
    rng = stream(config.seed, "claims")
    n = config.n_claims
    time_s = _arrival_times(config, rng)
    city, lat, lon, population = _places(config, rng, n)
    make = _makes(config, rng, population)
    damage, capabilities = _damages(config, rng, make)
    c = config.claims
    spread = rng.lognormal(0.0, c.severity_sigma, n)
    severity = np.array([c.severity[d] for d in DAMAGES])[damage]
    cost = np.array([c.base_cost[d] for d in DAMAGES])[damage]
    with_paint = (capabilities >> CAPABILITY_INDEX["paint"] & 1).astype(bool) & (
        damage != DAMAGES.index("paint")
    )
    severity = severity + np.where(with_paint, 0.5 * c.severity["paint"], 0.0)
    cost = cost + np.where(with_paint, 0.5 * c.base_cost["paint"], 0.0)
    deadline = np.where(rng.random(n) < c.deadline_share, rng.integers(3, 8, n).astype(np.float64), np.nan)
    step_s = config.step_minutes * 60.0
    n_steps = int(np.ceil(config.days * 86400.0 / step_s))
    bounds = np.searchsorted(time_s, np.arange(n_steps + 1) * step_s, side="left").astype(np.int64)
    bounds[-1] = n
    return ClaimStream(
        time_s=time_s,
        city=city,
        lat=lat,
        lon=lon,
        make=make,
        capabilities=capabilities,
        damage=damage,
        size=severity * spread,
        base_cost=cost * spread,
        rental=rng.random(n) < c.rental_cover_share,
        deadline_days=deadline,
        step_bounds=bounds,
    )


def _arrival_times(config: SimConfig, rng: np.random.Generator) -> FloatArray:
    """Sorted seconds since the start: a day by weekday weight, an hour by the hourly profile."""
    start = dt.date.fromisoformat(config.start_date)
    weekday = np.array([(start + dt.timedelta(days=d)).weekday() for d in range(config.days)])
    day_w = np.asarray(config.claims.weekday_profile)[weekday]
    hour_w = np.asarray(config.claims.hourly_profile)
    slots = np.outer(day_w, hour_w).ravel()
    slot = rng.choice(slots.size, size=config.n_claims, p=slots / slots.sum())
    return np.sort(slot * 3600.0 + rng.random(config.n_claims) * 3600.0)


def _places(
    config: SimConfig, rng: np.random.Generator, n: int
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """City, coordinates and city population of each claim (centre or a district, plus scatter)."""
    cities = load_cities()
    pop = np.array([c.population for c in cities], dtype=np.float64)
    weight = pop**config.claims.population_exponent
    city = rng.choice(len(cities), size=n, p=weight / weight.sum())
    centres = [[(c.lat, c.lon)] + [(d[2], d[3]) for d in c.districts] for c in cities]
    first = np.cumsum([0] + [len(c) for c in centres])[:-1]
    count = np.array([len(c) for c in centres])
    flat = np.array([p for c in centres for p in c])
    extra = np.minimum((rng.random(n) * (count[city] - 1)).astype(np.int64) + 1, count[city] - 1)
    pick = np.where((count[city] == 1) | (rng.random(n) < 0.5), 0, extra)
    lat0, lon0 = flat[first[city] + pick, 0], flat[first[city] + pick, 1]
    spread_km = np.clip(1.5 + 3.0 * np.sqrt(pop[city] / 1e6), 1.5, 14.0)
    off = rng.normal(size=(n, 2)) * spread_km[:, None] / KM_PER_DEG
    lat = np.clip(lat0 + off[:, 0], 18.0, 53.5)
    lon = lon0 + off[:, 1] / np.cos(np.radians(lat))
    return city.astype(np.int64), lat, lon, pop[city]


def _makes(config: SimConfig, rng: np.random.Generator, population: FloatArray) -> IntArray:
    """Make by market share; luxury and EV makes scaled down by min(1, population / premium size)."""
    share = np.array([m.market_share for m in MAKES])
    scale = np.minimum(1.0, population / config.claims.premium_city_population)
    weight = share[None, :] * np.where(PREMIUM_MAKES[None, :], scale[:, None], 1.0)
    cumulative = np.cumsum(weight, axis=1)
    u = rng.random(len(population)) * cumulative[:, -1]
    return np.asarray(np.minimum((cumulative < u[:, None]).sum(axis=1), len(MAKES) - 1), dtype=np.int64)


def _damages(config: SimConfig, rng: np.random.Generator, make: IntArray) -> tuple[IntArray, IntArray]:
    """Main damage by `damage_mix` (battery damage only on EVs) and the capability bits it needs."""
    mix = np.array([config.claims.damage_mix[d] for d in DAMAGES])
    damage = rng.choice(len(DAMAGES), size=len(make), p=mix / mix.sum())
    battery = DAMAGES.index("ev_battery")
    damage = np.where((damage == battery) & ~EV_MAKES[make], DAMAGES.index("collision"), damage)
    bit_of = np.array([1 << CAPABILITY_INDEX[d] for d in DAMAGES], dtype=np.int64)
    bits = bit_of[damage]
    paint = (damage == DAMAGES.index("collision")) & (
        rng.random(len(make)) < config.claims.collision_paint_share
    )
    bits = bits | np.where(paint, 1 << CAPABILITY_INDEX["paint"], 0)
    return damage.astype(np.int64), bits.astype(np.int64)
