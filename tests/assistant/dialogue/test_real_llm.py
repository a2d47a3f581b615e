"""Against a real OpenAI-compatible server (marked `llm`, skipped by default). See README, "A real LLM".

    RIH_LLM_BASE_URL=http://127.0.0.1:8088/v1 RIH_LLM_MODEL=smollm2 \\
        .venv/bin/python -m pytest -m llm tests/assistant/dialogue/test_real_llm.py -o addopts=""

A tiny local model often answers badly; the product must still complete every turn, keep the preferences
valid and never break a hard constraint, which is what this asserts.
"""

from __future__ import annotations

import os

import pytest

from assistant.bootstrap import Container, make_chat_model
from assistant.conversation import Conversation
from assistant.dialogue.graph import build_graph
from assistant.dialogue.ports import DialogueDeps, LocalUnderstanding
from assistant.extraction import LLMExtractor, LocalExtractor
from assistant.preferences import Preferences
from assistant.prompts import load_templates
from assistant.settings import Settings
from assistant.store import InMemoryStore

pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(not os.environ.get("RIH_LLM_BASE_URL"), reason="needs RIH_LLM_BASE_URL"),
]


def test_a_real_llm_drives_a_conversation_without_breaking_constraints(container: Container) -> None:
    model = make_chat_model(Settings())
    assert model is not None
    deps = DialogueDeps(
        container.dispatch, LocalExtractor(), LocalUnderstanding(), load_templates("local_replies"), model
    )
    chat = Conversation(build_graph(deps), InMemoryStore(), deps)
    session = chat.start()
    first = chat.send(session, "My BMW was rear-ended in Shanghai and the bumper is smashed.")
    assert first.reply
    second = chat.send(session, "These are too far, and I want the BMW 4S store.")
    assert second.reply
    shown = {r["shop_id"] for r in first.recommendations}
    assert not shown & {r["shop_id"] for r in second.recommendations}


def test_a_real_llm_extracts_valid_preferences_or_falls_back() -> None:
    model = make_chat_model(Settings())
    extractor = LLMExtractor(model, fallback=LocalExtractor(), timeout_s=60)
    prefs = extractor.extract("我的宝马在上海被追尾了，想去4S店，5公里以内", None)
    assert isinstance(prefs, Preferences)
    Preferences.model_validate(prefs.model_dump())
