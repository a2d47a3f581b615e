"""The simulator's assumptions, one documented key each, grouped in TOML tables.

Every number the market model uses lives here with its default and a one-line reason, so changing an
assumption is a config edit. `python -m simulator.config` prints this as the README's table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# fmt: off
HOURLY = [0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.9, 1.6, 2.0, 1.6, 1.3, 1.3,  # 0-11 h: morning rush peaks at 8
          1.2, 1.2, 1.3, 1.4, 1.6, 1.9, 1.8, 1.3, 0.9, 0.7, 0.5, 0.3]  # 12-23 h: evening rush at 17-18
# fmt: on
DAMAGES = ("collision", "paint", "glass", "mechanical", "electrical", "ev_battery", "adas", "flood", "tire")


def key(default: Any, doc: str, lo: float | None = None, hi: float | None = None) -> Any:
    """A config field: its default, what it means, and the inclusive range a number must lie in."""
    meta = {"doc": doc, "lo": lo, "hi": hi}
    if isinstance(default, type):  # a nested table: its dataclass
        return field(default_factory=default, metadata=meta)
    if isinstance(default, (dict, list, tuple)):
        frozen = tuple(default) if isinstance(default, list) else default
        return field(default_factory=lambda: frozen, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class ClaimsConfig:
    population_exponent: float = key(1.0, "claims per city ∝ population^x (cars follow people)", 0.0, 2.0)
    weekday_profile: tuple[float, ...] = key(
        [1.05, 1.0, 1.0, 1.0, 1.1, 0.95, 0.9], "relative claims Monday..Sunday", 0.0
    )
    hourly_profile: tuple[float, ...] = key(
        HOURLY,
        "relative claims per local hour 0..23 (rush-hour peaks)",
        0.0,
    )
    damage_mix: Mapping[str, float] = key(
        {
            "collision": 0.42,
            "paint": 0.18,
            "glass": 0.12,
            "mechanical": 0.08,
            "electrical": 0.05,
            "ev_battery": 0.02,
            "adas": 0.03,
            "flood": 0.02,
            "tire": 0.08,
        },
        "share of claims by main damage (ev_battery only for EV makes, else collision)",
        0.0,
    )
    collision_paint_share: float = key(0.6, "collision claims that also need paint", 0.0, 1.0)
    severity: Mapping[str, float] = key(
        {
            "collision": 1.0,
            "paint": 0.6,
            "glass": 0.25,
            "mechanical": 0.7,
            "electrical": 0.5,
            "ev_battery": 1.4,
            "adas": 0.3,
            "flood": 2.0,
            "tire": 0.15,
        },
        "bay time of a median job of this damage, as a multiple of the shop's mean cycle days",
        0.0,
    )
    severity_sigma: float = key(0.5, "log-normal spread of a job's size around that median", 0.0, 2.0)
    base_cost: Mapping[str, float] = key(
        {
            "collision": 6500,
            "paint": 2200,
            "glass": 2800,
            "mechanical": 4000,
            "electrical": 3000,
            "ev_battery": 18000,
            "adas": 3500,
            "flood": 15000,
            "tire": 1200,
        },
        "median repair bill (yuan) at price index 1.0; scales with the job's size",
        0.0,
    )
    premium_city_population: float = key(
        2e6, "luxury/EV makes are rarer below this city size (as their dealers are)", 1.0
    )
    rental_cover_share: float = key(0.3, "claims whose policy pays a rental car while the car is away", 0, 1)
    deadline_share: float = key(0.1, "customers who say they need the car back within 3-7 days", 0.0, 1.0)


@dataclass(frozen=True)
class CustomersConfig:
    preference_concentration: tuple[float, ...] = key(
        [3.0, 2.5, 1.5, 1.5, 1.0],
        "Dirichlet concentration of latent weights: distance, quality, speed, brand, amenities",
        0.01,
    )
    distance_scale_km: float = key(6.0, "median km at which a shop's convenience has fallen to 1/e", 0.1)
    distance_scale_sigma: float = key(0.5, "log-normal spread of that scale between customers", 0.0, 2.0)
    brand_affinity_premium: float = key(0.7, "mean wish for a 4S dealer, luxury/EV makes", 0.0, 1.0)
    brand_affinity_mass: float = key(0.45, "mean wish for a 4S dealer, mass-market makes", 0.0, 1.0)
    states_priority_p: float = key(0.55, "customers who name their true top priority", 0.0, 1.0)
    misstates_priority_p: float = key(0.15, "customers who name a priority they do not hold", 0.0, 1.0)
    states_authorized_p: float = key(0.7, "customers with a strong 4S wish (> 0.75) who say so", 0.0, 1.0)
    states_courtesy_p: float = key(0.5, "customers who care for amenities and ask for a car", 0.0, 1.0)
    sees_quoted_wait: bool = key(True, "customers see the expected wait a policy quotes (the hub does)")
    assumed_wait_days: float = key(1.0, "wait a customer assumes when no wait is quoted", 0.0)
    choice_scale: float = key(8.0, "logit scale of the choice: higher = less random", 0.1)
    reservation_mean: float = key(0.42, "mean utility of the outside option (own shop / walk away)")
    reservation_sd: float = key(0.1, "spread of the outside option between customers", 0.0)
    ask_alternatives_p: float = key(0.65, "P(a customer who rejects a slate asks for alternatives)", 0, 1)
    patience: float = key(0.6, "that probability is multiplied by this for each further slate", 0.0, 1.0)
    satisfaction_base: float = key(1.5, "logit of satisfaction at average quality, no wait, near")
    satisfaction_quality: float = key(0.8, "logit per standard deviation of true shop quality", 0.0)
    satisfaction_wait_per_day: float = key(0.3, "logit lost per day of waiting (× 0.5-2 by speed weight)", 0)
    satisfaction_distance: float = key(0.4, "logit lost per distance scale travelled (× distance weight)", 0)
    satisfaction_brand: float = key(0.6, "logit gained when a 4S wish is met (lost when not)", 0.0)
    satisfaction_rework: float = key(1.5, "logit lost when the repair must be redone", 0.0)
    satisfaction_deadline: float = key(1.0, "logit lost when a stated deadline is missed", 0.0)
    satisfaction_noise: float = key(0.6, "sd of the unexplained part of satisfaction (logit)", 0.0)


@dataclass(frozen=True)
class ShopsConfig:
    rating_reliability_reviews: float = key(
        15.0, "reviews at which the displayed rating explains half the true quality", 0.0
    )
    new_shop_quality_mean: float = key(0.0, "mean true quality of new shops (sd units vs all)")
    new_shop_quality_sd: float = key(1.0, "spread of new shops' true quality", 0.0)
    cycle_noise_sigma: float = key(0.15, "log-sd of true vs catalog cycle days, established shops", 0.0)
    new_shop_cycle_noise_sigma: float = key(0.35, "the same for new shops (their figure is a guess)", 0.0)
    quality_speed_effect: float = key(0.08, "log cycle days saved per sd of quality", 0.0, 1.0)
    rework_quality_effect: float = key(0.5, "log rework odds lost per sd of quality", 0.0)
    background_load: float = key(0.5, "mean share of bays the shop's own (non-insurer) work takes", 0, 0.99)
    background_concentration: float = key(
        5.0, "Beta concentration of that share across shops: low = 'ice and fire'", 0.1
    )
    background_daily_sigma: float = key(0.25, "day-to-day log-sd of a shop's own work", 0.0)
    background_daily_rho: float = key(0.6, "day-to-day autocorrelation of it", 0.0, 0.99)
    weekend_background_factor: float = key(0.8, "own work on weekends relative to weekdays", 0.0)
    technician_attendance: float = key(0.93, "P(a technician is on duty on a day)", 0.0, 1.0)
    closure_daily_p: float = key(0.004, "P(a shop is closed for a whole day: holiday, inspection)", 0, 1)
    live_feed_share: float = key(0.85, "shops that report live capacity (the rest are silent)", 0, 1)
    estimate_silent_shops: bool = key(
        True,
        "the insurer reports silent shops' free bays itself: bays × (1 - background_load) - its cars there",
    )
    report_dropout_p: float = key(0.02, "P(a shop's report for a step is lost)", 0.0, 1.0)
    heartbeat_minutes: float = key(60.0, "a live shop re-reports unchanged capacity this often", 1.0)
    report_delay_minutes: float = key(2.0, "age of a live report when the step's claims are ranked", 0.0)
    target_coverage: float = key(
        0.8, "a city's monthly referral targets sum to this share of its expected monthly claims", 0.01
    )


@dataclass(frozen=True)
class CostsConfig:
    labour_share: float = key(0.45, "labour share of a repair bill (rest is parts)", 0.0, 1.0)
    rework_cost_share: float = key(0.35, "extra cost of a rework as a share of the bill", 0.0)
    rental_per_day: float = key(150.0, "yuan a day for a rental car on claims with rental cover", 0.0)
    regret_cost_weight: float = key(
        0.3, "claim utility = satisfaction - this × (bill / list-price bill - 1); 0 if nobody accepts", 0.0
    )


@dataclass(frozen=True)
class BaselinesConfig:
    round_robin_pool: int = key(8, "round robin rotates over this many nearest capable shops", 1)
    rating_radius_km: float = key(10.0, "rating priority takes the best rated within this radius", 0.1)


@dataclass(frozen=True)
class OpeConfig:
    enabled: bool = key(False, "log under `logging_strategy` and estimate `target_strategy` off-policy")
    logging_strategy: str = key("explore@v1", "strategy that logs decisions (needs temperature > 0)")
    target_strategy: str = key("market@v1", "strategy whose value is estimated from the logs")
    reward_model_l2: float = key(1.0, "ridge penalty of the logistic reward model used by DR", 0.0)
