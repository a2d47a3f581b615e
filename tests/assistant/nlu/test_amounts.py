from __future__ import annotations

from datetime import date

import pytest

from assistant.nlu.amounts import deadline_days, max_distance_km
from assistant.nlu.text import Doc

WEDNESDAY = date(2026, 11, 18)


@pytest.mark.parametrize(
    ("text", "km"),
    [
        ("need a shop within 10 km", 10.0),
        ("within 8km of Tianhe", 8.0),
        ("Max 15 kilometres please", 15.0),
        ("no more than 20 km", 20.0),
        ("within five km", 5.0),
        ("10 miles max", 16.1),
        ("5公里以内", 5.0),
        ("离我家五公里以内", 5.0),
        ("不超过十公里", 10.0),
        ("２０公里以内吧", 20.0),
        ("you keep sending me shops 30km away", None),
        ("都是30公里以外的", None),
        ("about 30k RMB of damage", None),
    ],
)
def test_distance_limits(text: str, km: float | None) -> None:
    assert max_distance_km(Doc.of(text)) == km


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Need it back by Friday", 2),
        ("周五之前必须修好", 2),
        ("I need this done by next Monday at the latest", 5),
        ("最晚下周一要修好", 5),
        ("I need the car back within 3 days", 3),
        ("三天之内要拿到车", 3),
        ("need it in 2 days", 2),
        ("两天内要用车", 2),
        ("I need it back in a week max", 7),
        ("最多一个星期要拿回来", 7),
        ("need it back tomorrow", 1),
        ("明天要用车", 1),
        ("need it back by the weekend", 3),
        ("need it by the end of the month", 12),
        ("S002345要排到12月", None),
        ("they took a month to fix a scratch", None),
        ("no rush", None),
        ("three days ago it was fine", None),
    ],
)
def test_deadlines_in_days_from_today(text: str, days: int | None) -> None:
    assert deadline_days(Doc.of(text), WEDNESDAY) == days


def test_a_weekday_that_has_passed_this_week_means_the_coming_one() -> None:
    saturday = date(2026, 11, 21)
    assert deadline_days(Doc.of("need it by Friday"), saturday) == 6
