from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from assistant.preferences import Preferences, merge_preferences
from tests.assistant.schema_check import errors, load_schema

FULL: dict[str, Any] = {
    "language": "zh",
    "city": "Shanghai",
    "location": {"text": "浦东", "lat": 31.22, "lon": 121.54},
    "vehicle": {"make": "BMW", "model": "X5", "year": 2021, "powertrain": "ice"},
    "damage": {
        "types": ["collision", "glass"],
        "severity": "moderate",
        "drivable": True,
        "description": "撞了",
    },
    "dealer_preference": "authorized",
    "max_distance_km": 5.0,
    "top_priority": "distance",
    "priorities": {"distance": 1.0, "cost": 0.5},
    "needs_courtesy_car": False,
    "needs_pickup": True,
    "deadline_days": 3,
    "rejected_shop_ids": ["S000123"],
    "rejection_reasons": ["too_far"],
    "location_ref": "work",
    "third_party": {"make": "Tesla", "model": "Model 3", "damage_types": ["paint"]},
    "chosen_shop": "S000999",
}


def test_an_empty_preferences_dump_validates_against_the_contract_schema() -> None:
    assert errors(Preferences().model_dump(), load_schema()) == []


def test_a_full_preferences_dump_validates_against_the_contract_schema() -> None:
    prefs = Preferences.model_validate(FULL)
    assert errors(prefs.model_dump(), load_schema()) == []
    assert errors(prefs.model_dump(mode="json"), load_schema()) == []


def test_the_schema_check_catches_a_value_outside_the_contract() -> None:
    schema = load_schema()
    assert errors({**FULL, "max_distance_km": 0}, schema)
    assert errors({**FULL, "rejection_reasons": ["smelly"]}, schema)
    assert errors({**FULL, "priorities": {"cost": 2.0}}, schema)
    assert errors({**FULL, "vehicle": {"year": "2019"}}, schema)


def test_every_schema_field_is_a_field_of_the_model() -> None:
    assert set(load_schema()["properties"]) <= set(Preferences.model_fields)
    for nested in ("location", "vehicle", "damage"):
        schema_fields = set(load_schema()["properties"][nested]["properties"])
        model = Preferences.model_fields[nested].annotation.__args__[0]  # type: ignore[union-attr]
        assert schema_fields <= set(model.model_fields), nested


def test_extra_fields_are_kept_at_every_level() -> None:
    prefs = Preferences.model_validate({"claim_ref": "C1", "vehicle": {"make": "BMW", "colour": "white"}})
    dumped = prefs.model_dump()
    assert dumped["claim_ref"] == "C1" and dumped["vehicle"]["colour"] == "white"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language", "fr"),
        ("max_distance_km", 0),
        ("max_distance_km", -3),
        ("deadline_days", -1),
        ("top_priority", "looks"),
        ("priorities", {"cost": 1.5}),
        ("priorities", {"colour": 0.5}),
        ("rejection_reasons", ["too_smelly"]),
        ("dealer_preference", "any"),
        ("location_ref", "gym"),
        ("damage", {"types": ["scratch"]}),
        ("location", {"lat": 95.0}),
    ],
)
def test_values_outside_the_contract_are_refused(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        Preferences.model_validate({field: value})


def test_later_statements_win_field_by_field_and_unsaid_fields_stay() -> None:
    prior = Preferences.model_validate(
        {"city": "Shanghai", "needs_courtesy_car": True, "max_distance_km": 10}
    )
    merged = merge_preferences(prior, Preferences.model_validate({"needs_courtesy_car": False}))
    assert merged.city == "Shanghai" and merged.max_distance_km == 10 and merged.needs_courtesy_car is False


def test_nested_fields_merge_one_by_one() -> None:
    prior = Preferences.model_validate(
        {"vehicle": {"make": "BMW", "model": "X5"}, "damage": {"severity": "minor"}}
    )
    update = Preferences.model_validate({"vehicle": {"year": 2020}, "damage": {"drivable": False}})
    merged = merge_preferences(prior, update)
    assert merged.vehicle is not None and merged.damage is not None
    assert (merged.vehicle.make, merged.vehicle.model, merged.vehicle.year) == ("BMW", "X5", 2020)
    assert (merged.damage.severity, merged.damage.drivable) == ("minor", False)


def test_rejections_accumulate_without_duplicates() -> None:
    first = Preferences.model_validate({"rejected_shop_ids": ["S1"], "rejection_reasons": ["too_far"]})
    second = Preferences.model_validate(
        {"rejected_shop_ids": ["S1", "S2"], "rejection_reasons": ["too_far", "other"]}
    )
    merged = merge_preferences(first, second)
    assert merged.rejected_shop_ids == ["S1", "S2"]
    assert merged.rejection_reasons == ["too_far", "other"]


def test_damage_types_add_up_unless_the_update_corrects_them() -> None:
    prior = Preferences.model_validate({"damage": {"types": ["collision"]}})
    update = Preferences.model_validate({"damage": {"types": ["glass"]}})
    assert merge_preferences(prior, update).damage.types == ["collision", "glass"]  # type: ignore[union-attr]
    corrected = merge_preferences(prior, update, replace={"damage.types"})
    assert corrected.damage.types == ["glass"]  # type: ignore[union-attr]


def test_a_new_city_replaces_the_old_place_and_place_reference() -> None:
    prior = Preferences.model_validate(
        {
            "city": "Shanghai",
            "location": {"text": "Pudong", "lat": 31.2, "lon": 121.5},
            "location_ref": "work",
        }
    )
    merged = merge_preferences(prior, Preferences.model_validate({"city": "Suzhou"}))
    assert merged.city == "Suzhou" and merged.location is None and merged.location_ref is None


def test_a_place_reference_replaces_an_earlier_place_but_keeps_the_city() -> None:
    prior = Preferences.model_validate({"city": "Shanghai", "location": {"text": "Pudong"}})
    merged = merge_preferences(prior, Preferences.model_validate({"location_ref": "home"}))
    assert (merged.city, merged.location, merged.location_ref) == ("Shanghai", None, "home")


def test_a_different_make_replaces_the_old_model_and_year() -> None:
    prior = Preferences.model_validate({"vehicle": {"make": "BMW", "model": "X5", "year": 2019}})
    merged = merge_preferences(prior, Preferences.model_validate({"vehicle": {"make": "Audi"}}))
    assert merged.vehicle is not None
    assert (merged.vehicle.make, merged.vehicle.model, merged.vehicle.year) == ("Audi", None, None)


def test_replace_can_clear_a_field_the_customer_takes_back() -> None:
    prior = Preferences.model_validate({"max_distance_km": 5, "priorities": {"distance": 1.0}})
    merged = merge_preferences(prior, Preferences(), replace={"max_distance_km", "priorities"})
    assert merged.max_distance_km is None and merged.priorities == {}


def test_merging_into_nothing_copies_the_update() -> None:
    update = Preferences.model_validate(FULL)
    merged = merge_preferences(None, update)
    assert merged == update and merged is not update


def test_a_merged_result_still_validates_against_the_schema() -> None:
    prior = Preferences.model_validate(FULL)
    update = Preferences.model_validate(
        {"city": "Suzhou", "rejection_reasons": ["other"], "vehicle": {"year": 2022}}
    )
    assert errors(merge_preferences(prior, update).model_dump(), load_schema()) == []
