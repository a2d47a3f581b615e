"""SessionStore on every backend: round trips, upserts, the agent console's queue."""

from __future__ import annotations

import pytest

from assistant.errors import UnknownSessionError
from assistant.store.ports import Persistence
from tests.assistant.store.samples import state


def test_a_saved_state_loads_back_equal_with_chinese_text_and_nested_dicts(store: Persistence) -> None:
    saved = state("s-1", said=("我的车门被撞了", "在上海浦东，比亚迪汉"))
    saved["handoff"] = {
        "id": "T-1",
        "reason": "客户要求人工",
        "ts": 1.5,
        "tags": ["zh", {"nested": [1, 2.5]}],
    }
    store.save(saved)
    assert store.load("s-1") == saved


def test_saving_a_session_again_replaces_its_state_and_keeps_its_creation_time(store: Persistence) -> None:
    store.save(state("s-1", stage="gathering"))
    first = store.recent_sessions()[0]
    changed = state("s-1", stage="offered", said=("换一家",))
    store.save(changed)
    assert store.load("s-1") == changed
    [again] = store.recent_sessions()
    assert (again.stage, again.last_message) == ("offered", "换一家")
    assert again.created_at == first.created_at
    assert again.updated_at > first.updated_at


def test_changing_a_loaded_state_does_not_change_the_stored_one(store: Persistence) -> None:
    store.save(state("s-1"))
    loaded = store.load("s-1")
    loaded["transcript"].append({"role": "user", "text": "not saved", "ts": 0.0})
    assert len(store.load("s-1")["transcript"]) == 2


def test_loading_an_unknown_session_raises_unknown_session(store: Persistence) -> None:
    store.save(state("s-1"))
    with pytest.raises(UnknownSessionError, match=r"^No session with that id\.$"):
        store.load("s-2")


def test_recent_sessions_list_hand_offs_first_then_the_newest(store: Persistence) -> None:
    for session_id, stage in [("a", "gathering"), ("b", "handoff"), ("c", "offered"), ("d", "handoff")]:
        store.save(state(session_id, stage=stage))
    store.save(state("a", stage="booked"))  # updated last: first of the others
    assert [s.session_id for s in store.recent_sessions()] == ["d", "b", "a", "c"]
    assert [s.session_id for s in store.recent_sessions(limit=3)] == ["d", "b", "a"]
    assert [s.session_id for s in store.recent_sessions(limit=1)] == ["d"]


def test_recent_sessions_of_one_stage_are_newest_first(store: Persistence) -> None:
    for session_id, stage in [("a", "offered"), ("b", "handoff"), ("c", "offered"), ("d", "booked")]:
        store.save(state(session_id, stage=stage))
    assert [s.session_id for s in store.recent_sessions(stage="offered")] == ["c", "a"]
    assert [s.session_id for s in store.recent_sessions(stage="booked")] == ["d"]
    assert store.recent_sessions(stage="own_shop") == []


def test_a_summary_carries_the_customers_last_message_hand_off_and_claim(store: Persistence) -> None:
    saved = state("s-1", stage="handoff", said=("你好", "我要人工客服"))
    saved["handoff"] = {"id": "T-9", "reason": "asked for a person", "ts": 3.0}
    store.save(saved)
    store.save(state("s-2", said=()))
    by_id = {s.session_id: s for s in store.recent_sessions()}
    first = by_id["s-1"]
    assert (first.role, first.stage, first.language) == ("customer", "handoff", "zh")
    assert first.last_message == "我要人工客服"  # the assistant spoke last, but the customer's line counts
    assert first.handoff == {"id": "T-9", "reason": "asked for a person", "ts": 3.0}
    assert first.claim_id == "CLM-s-1"
    assert by_id["s-2"].last_message is None
    assert by_id["s-2"].handoff is None
