"""`rih chat` runs a whole conversation from lines of input; the copilot reads a session for an agent."""

from __future__ import annotations

import io

from assistant.bootstrap import Container
from assistant.chat_cli import chat_loop
from assistant.cli import main
from assistant.copilot import suggest


def test_the_terminal_chat_runs_to_a_booking(container: Container) -> None:
    out = io.StringIO()
    lines = [
        "My BMW was rear-ended in Shanghai, the bumper is smashed.\n",
        "/state\n",
        "The second one.\n",
        "/quit\n",
    ]
    assert chat_loop(container.conversation, lines, out) == 0
    text = out.getvalue()
    assert "1. " in text and '"city": "Shanghai"' in text and "booked" in text


def test_rih_help_lists_the_chat_and_extract_commands(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([]) == 2
    help_text = capsys.readouterr().out
    assert "chat" in help_text and "extract" in help_text


def test_the_copilot_summarises_and_suggests_for_an_offered_session(container: Container) -> None:
    chat = container.conversation
    session = chat.start()
    chat.send(session, "我的宝马在上海被追尾了，需要代步车")
    advice = suggest(chat.state(session), chat.deps)
    assert "BMW" in advice.summary and "courtesy car=True" in advice.summary
    assert "confirm the customer's choice" in advice.next_actions
    assert len(advice.recommendations) == 3
    assert advice.recommendations[0]["explanation"] in advice.suggested_reply


def test_the_copilot_previews_without_logging_an_offer(container: Container) -> None:
    chat = container.conversation
    session = chat.start("agent")
    chat.send(session, "Customer in Chengdu, Honda, cracked windscreen.")
    state = chat.state(session)
    before = container.decisions.counts()[0]
    advice = suggest({**state, "current": [], "stage": "gathering"}, chat.deps)  # type: ignore[typeddict-item]
    assert advice.recommendations and container.decisions.counts()[0] == before
