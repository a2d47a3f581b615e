"""Realistic documents for store tests: a bilingual dialogue state, a decision with its slate."""

from __future__ import annotations

from typing import Any

from assistant.decision_log import DecisionRecord, Outcome
from assistant.dialogue.state import DialogueState, new_state

T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC, on the hour


def state(
    session_id: str, stage: str = "gathering", said: tuple[str, ...] = ("我的车门被撞了",)
) -> DialogueState:
    """A session mid-conversation: Chinese text, nested preferences, a claim."""
    claim = {"claim_id": f"CLM-{session_id}", "customer": {"language": "zh", "name": "王芳"}, "vehicle": {}}
    out = new_state(session_id, "customer", claim)
    transcript: list[dict[str, Any]] = []
    for i, text in enumerate(said):
        transcript.append({"role": "user", "text": text, "ts": T0 + 2 * i})
        transcript.append({"role": "assistant", "text": f"好的，{i}号方案", "ts": T0 + 2 * i + 1})
    out["stage"] = stage  # type: ignore[typeddict-item]
    out["transcript"] = transcript
    out["preferences"] = {"language": "zh", "priorities": {"distance": 0.7, "quality": 0.3}, "make": "比亚迪"}
    out["events"] = ["started", "asked:location"]
    out["trace"] = [{"prompt": "local_replies.v1", "tools": [{"name": "dispatch", "args": {"k": 3}}]}]
    return out


def slate(decision_id: str, n: int = 3) -> list[dict[str, Any]]:
    """Recommendations as the dispatch service logs them: payload, factors, propensity, context."""
    return [
        {
            "shop_id": f"shop-{decision_id}-{j}",
            "name": f"上海修理厂 {j}",
            "rank": j + 1,
            "expected_wait_days": 1.5 + j,
            "propensity": round(0.5 / (j + 1), 6),
            "context": [1.0, 0.1 * j, 1.0, 0.0, 0.25 * j, 1.0],
            "factors": [{"name": f"f{k}", "value": k / 10, "contribution": k / 100} for k in range(12)],
        }
        for j in range(n)
    ]


def decision(
    decision_id: str,
    created_at: float = T0,
    strategy: str = "greedy",
    version: int = 1,
    session_id: str | None = None,
) -> DecisionRecord:
    return DecisionRecord(
        decision_id=decision_id,
        created_at=created_at,
        strategy=strategy,
        strategy_version=version,
        session_id=session_id,
        claim_id=f"CLM-{session_id}" if session_id else None,
        request={"lat": 31.23, "lon": 121.47, "make": "Toyota", "priorities": {"distance": 0.7}},
        recommendations=slate(decision_id),
        considered=250,
        filtered={"closed": 12, "no_capacity": 3},
        slate_propensity=0.125,
    )


def outcome(decision_id: str, j: int, said: str = "accepted", ts: float = T0 + 60) -> Outcome:
    """An outcome about the decision's `j`-th recommended shop."""
    return Outcome(f"shop-{decision_id}-{j}", said, "离家近" if said == "accepted" else None, ts)
