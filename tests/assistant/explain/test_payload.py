"""`recommendation_payload` is the API contract's Recommendation object, JSON-safe."""

from __future__ import annotations

import json
import math
from dataclasses import replace

from assistant.explain import check_faithfulness, recommendation_payload
from assistant.explain.payload import UNBOUNDED_WAIT_DAYS
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
