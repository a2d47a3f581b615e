"""What the dialogue needs from the outside, as ports; `bootstrap` wires the adapters, tests pass fakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from assistant.dispatch_service import DispatchService
from assistant.extraction import PreferenceExtractor
from assistant.nlu import chosen_rank, classify_rejection, detect_intents, detect_language
from assistant.prompts import Templates, load_templates


class Understanding(Protocol):
    """The local NLU the graph always runs (safety routing never depends on an LLM)."""

    def language(self, text: str) -> str: ...

    def intents(self, text: str) -> frozenset[str]: ...

    def rejection_reasons(self, text: str) -> list[str]: ...

    def chosen_rank(self, text: str) -> int | None: ...


class LocalUnderstanding:
    def language(self, text: str) -> str:
        return detect_language(text)

    def intents(self, text: str) -> frozenset[str]:
        return detect_intents(text)

    def rejection_reasons(self, text: str) -> list[str]:
        return list(classify_rejection(text))

    def chosen_rank(self, text: str) -> int | None:
        return chosen_rank(text)


@dataclass
class DialogueDeps:
    dispatch: DispatchService
    extractor: PreferenceExtractor
    understanding: Understanding
    templates: Templates
    chat_model: Any | None = None  # a LangChain chat model: when set, the LLM drives the tool calls
    k: int = 3


def local_deps(dispatch: DispatchService, extractor: PreferenceExtractor) -> DialogueDeps:
    return DialogueDeps(dispatch, extractor, LocalUnderstanding(), load_templates("local_replies"))
