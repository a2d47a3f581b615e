"""The shared world: seeded claims, customers, shops and candidates that follow retrieval's rule."""

from __future__ import annotations

import numpy as np

from retrieval.catalog.vocabulary import CAPABILITY_NAMES, MAKE_NAMES
from retrieval.index import GeoIndex
from retrieval.needs import Needs
from retrieval.retriever import Retriever
from simulator.config import load_config
from simulator.floor import DAY_S, Floor
from simulator.world import build_world
from tests.simulator.conftest import TINY


def test_the_same_seed_builds_the_same_world_and_another_seed_does_not(tiny_world):
    again = build_world(load_config(None, TINY))
    assert np.array_equal(again.claims.time_s, tiny_world.claims.time_s)
    assert np.array_equal(again.candidates.rows, tiny_world.candidates.rows)
    assert np.array_equal(again.shops.quality_z, tiny_world.shops.quality_z)
    assert np.array_equal(again.customers.weights, tiny_world.customers.weights)
    other = build_world(load_config(None, TINY | {"seed": 8}))
    assert not np.array_equal(other.claims.time_s, tiny_world.claims.time_s)


def test_claims_arrive_in_time_order_over_the_days_with_rush_hours(tiny_world):
    claims, config = tiny_world.claims, tiny_world.config
    assert np.all(np.diff(claims.time_s) >= 0) and claims.time_s[-1] < config.days * DAY_S
    hours = np.bincount((claims.time_s % DAY_S // 3600).astype(int), minlength=24)
    assert hours[8] > 3 * hours[3]  # morning rush against the small hours
    assert claims.step_bounds[0] == 0 and claims.step_bounds[-1] == len(claims)


def test_big_cities_bring_more_claims_than_small_ones(tiny_world):
    per_city = np.bincount(tiny_world.claims.city)
    assert per_city[:10].sum() > per_city[200:].sum() / 10  # the largest cities come first


def test_new_shop_share_is_honoured_and_new_shops_have_few_reviews(tiny_world):
    shops = tiny_world.shops
    assert shops.is_new.sum() == round(tiny_world.config.new_shop_share * len(shops))
    reviews = shops.table["review_count"]
    assert np.median(reviews[shops.is_new]) < np.median(reviews[~shops.is_new]) / 3


def test_the_rating_says_more_about_true_quality_for_established_shops(tiny_world):
    shops = tiny_world.shops
    rating = shops.table["rating"].astype(float)
    old = np.corrcoef(rating[~shops.is_new], shops.quality_z[~shops.is_new])[0, 1]
    new = np.corrcoef(rating[shops.is_new], shops.quality_z[shops.is_new])[0, 1]
    assert old > 0.5 and new < old


def test_every_candidate_can_do_the_job_and_takes_the_make_nearest_first(tiny_world):
    w = tiny_world
    rows, caps = w.candidates.rows, w.shops.table["capabilities"].astype(np.int64)
    valid = rows >= 0
    safe = np.maximum(rows, 0)
    assert np.all(((caps[safe] & w.claims.capabilities[:, None]) == w.claims.capabilities[:, None])[valid])
    dealer = w.shops.table["shop_type"][safe] == w.shops.data.dealer_type
    takes_make = ((w.shops.table["authorized_makes"][safe] >> w.claims.make[:, None]) & 1).astype(bool)
    assert np.all((~dealer | takes_make)[valid])
    d = w.candidates.distance_km
    assert np.all(np.diff(np.where(valid, d, 1e9), axis=1)[valid[:, 1:]] >= 0)
    assert np.all(d[valid] <= w.config.max_distance_km)


def test_the_nearest_candidates_are_the_shops_retrieval_returns(tiny_world):
    w = tiny_world
    retriever = Retriever(w.shops.table, GeoIndex.build(w.shops.table))
    top = min(w.config.candidates_k, w.config.dealer_candidates_k)
    for claim in range(0, len(w.claims), 97):
        caps = tuple(n for i, n in enumerate(CAPABILITY_NAMES) if w.claims.capabilities[claim] >> i & 1)
        found = retriever.search(
            w.claims.lat[claim],
            w.claims.lon[claim],
            k=top,
            needs=Needs(caps, MAKE_NAMES[w.claims.make[claim]]),
        )
        found_rows = found.rows[(found.coverage == 1.0) & (found.distance_km <= w.config.max_distance_km)]
        ours = w.candidates.rows[claim, :top]
        assert list(ours[ours >= 0][: len(found_rows)]) == list(found_rows)


def test_shop_days_are_drawn_the_same_for_every_policy(tiny_world):
    first, second = Floor(tiny_world), Floor(tiny_world)
    for floor in (first, second):
        floor.start_day(0)
        floor.start_day(1)
    assert np.array_equal(first.background, second.background)
    assert np.array_equal(first.technicians_today, second.technicians_today)
    assert np.all(first.background <= first.capacity_today)
