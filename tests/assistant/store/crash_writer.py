"""A writer for the crash test: writes sessions, decisions and outcomes one at a time and prints each key
once the store returned (= acknowledged), until it is killed.

    python -m tests.assistant.store.crash_writer DATABASE_URL
"""

from __future__ import annotations

import sys

from assistant.decision_log import DecisionRecord
from assistant.dialogue.state import DialogueState
from assistant.store import SqlStore
from tests.assistant.store.samples import decision, outcome, state

LIMIT = 100_000  # a bound, should the test fail to kill it


def session_of(i: int) -> DialogueState:
    return state(f"crash-{i}", said=(f"第{i}条消息",))


def decision_of(i: int) -> DecisionRecord:
    return decision(f"crash-{i}", created_at=1_800_000_000.0 + i, session_id=f"crash-{i}")


def main(url: str) -> None:
    store = SqlStore.from_url(url)
    for i in range(LIMIT):
        store.save(session_of(i))
        print(f"session {i}", flush=True)
        store.record(decision_of(i))
        print(f"decision {i}", flush=True)
        store.add_outcome(f"crash-{i}", outcome(f"crash-{i}", i % 3))
        print(f"outcome {i}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
