"""`recommendation_payload` is the API contract's Recommendation object, JSON-safe."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.explain import check_faithfulness, recommendation_payload
from assistant.explain.payload import DECIMALS, UNBOUNDED_WAIT_DAYS, round6
from dispatch_core.domain import Factor
from tests.assistant.explain.decisions import Case

CONTRACT = {
    "shop_id": str,
    "name": str,
    "rank": int,
    "distance_km": float,
    "authorized_makes": list,
    "rating": float,
    "expected_wait_days": float,
    "score": float,
    "exploration": bool,
    "explanation": str,
    "factors": list,
}


def test_every_payload_has_exactly_the_contract_fields_and_types(cases: list[Case]) -> None:
    for case in cases:
        payload = recommendation_payload(case.rec, case.shop, "en", case.make, case.needs)
        assert set(payload) == set(CONTRACT)
        assert all(isinstance(payload[k], t) for k, t in CONTRACT.items()), payload
        assert all(set(f) == {"name", "value", "contribution"} for f in payload["factors"])
        json.dumps(payload, allow_nan=False)


def test_the_name_and_explanation_follow_the_language(cases: list[Case]) -> None:
    case = cases[0]
    zh = recommendation_payload(case.rec, case.shop, "zh", case.make, case.needs)
    en = recommendation_payload(case.rec, case.shop, "en", case.make, case.needs)
    assert (zh["name"], en["name"]) == (case.shop.name_zh, case.shop.name_en)
    assert zh["explanation"].endswith("。") and en["explanation"].endswith(".")


def test_factor_contributions_add_up_to_the_score(cases: list[Case]) -> None:
    for case in cases:
        payload = recommendation_payload(case.rec, case.shop)
        assert math.isclose(
            sum(f["contribution"] for f in payload["factors"]), payload["score"], abs_tol=1e-4
        )


def test_an_unbounded_wait_is_capped_and_non_finite_factors_are_dropped(cases: list[Case]) -> None:
    case = cases[0]
    broken = {"expected_wait_days": math.inf, "deadline_slack_days": -math.inf, "free_bays": math.nan}
    factors = tuple(Factor(f.name, broken.get(f.name, f.value), f.contribution) for f in case.rec.factors)
    rec = replace(case.rec, expected_wait_days=math.inf, factors=factors)
    payload = recommendation_payload(rec, case.shop, "zh", case.make, case.needs)
    json.dumps(payload, allow_nan=False)
    assert payload["expected_wait_days"] == UNBOUNDED_WAIT_DAYS
    assert {f["name"] for f in payload["factors"]}.isdisjoint(broken)
    assert len(payload["factors"]) == len(factors) - len(broken)
    assert check_faithfulness(payload["explanation"], rec, case.shop) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(),  # NaN, infinities, subnormals and -0.0 included
            st.floats(-1e4, 1e4),
            st.integers(-1000, 1000).map(lambda k: k / 128),  # exact decimal ties at the 7th place
            st.integers(-(10**9), 10**9).map(lambda k: k / 10**7),  # just off such ties
            st.integers(-1000, 1000),
            st.booleans(),
            st.floats(-10, 10).map(np.float64),  # numpy's own __round__, not Python's
        ),
        max_size=60,
    )
)
def test_round6_is_round_to_6_decimals_in_value_sign_and_type(numbers: list[float]) -> None:
    assert repr([round6(x) for x in numbers]) == repr([round(x, DECIMALS) for x in numbers])


def test_payload_numbers_are_the_recommendations_numbers_rounded_to_6_decimals(cases: list[Case]) -> None:
    for case in cases:
        rec, shop = case.rec, case.shop
        payload = recommendation_payload(rec, shop, "zh", case.make, case.needs)
        factors = [
            {"name": f.name, "value": round(f.value, 6), "contribution": round(f.contribution, 6)}
            for f in rec.factors
            if math.isfinite(f.value) and math.isfinite(f.contribution)
        ]
        numbers = [round(float(x), 6) for x in (rec.distance_km, shop.rating, rec.score)]
        assert repr(payload["factors"]) == repr(factors)  # repr: the same floats to the last bit, and types
        assert repr([payload[k] for k in ("distance_km", "rating", "score")]) == repr(numbers)
        assert payload["expected_wait_days"] == min(round(rec.expected_wait_days, 6), UNBOUNDED_WAIT_DAYS)
