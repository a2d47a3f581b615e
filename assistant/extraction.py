"""Preference extraction behind one port, with two adapters: the embedded local NLU and an LLM.

`LLMExtractor` asks any OpenAI-compatible chat model (LangChain `with_structured_output`) for what the latest
message states and merges it into the prior preferences. On a timeout, an error or an output that does not
validate it answers with its fallback (the local extractor) and says so in one log line, which never holds
the API key or the model's raw output.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import ConfigDict, Field, ValidationError

from assistant.nlu import extract_local, warm_up
from assistant.preferences import Preferences, merge_preferences

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger("rih.extraction")
PROMPT_NAME = "extract_preferences"
_CORRECTABLE = frozenset({"damage.types", "third_party.damage_types", "priorities", "max_distance_km"})


class PreferenceExtractor(Protocol):
    """The port: the preferences stated in `text`, merged into `prior` (later statements win)."""

    def extract(self, text: str, prior: Preferences | None = None) -> Preferences: ...


class LocalExtractor:
    """The embedded backend: jieba, gazetteers and patterns; no LLM, no network, a few ms per message."""

    name = "local"

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self._today = today

    def extract(self, text: str, prior: Preferences | None = None) -> Preferences:
        return extract_local(text, prior, today=self._today())

    def warm_up(self) -> LocalExtractor:
        """Load the segmenter and gazetteers now (about a second) instead of on the first message."""
        warm_up()
        return self


class LLMOutput(Preferences):
    """What the LLM returns: the preferences the latest message states, and the fields it corrects."""

    model_config = ConfigDict(extra="ignore")
    corrects: list[str] = Field(
        default_factory=list,
        description="Fields the message corrects rather than adds to, e.g. ['damage.types'] for "
        "'actually only the glass is broken'.",
    )


class LLMExtractor:
    """An OpenAI-compatible chat model with structured output; `fallback` answers when it cannot."""

    name = "llm"

    def __init__(
        self,
        chat_model: Any,
        fallback: PreferenceExtractor,
        timeout_s: float = 20.0,
        *,
        today: Callable[[], date] = date.today,
        system_prompt: str | None = None,
        method: str = "json_schema",
    ) -> None:
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}.")
        # "json_schema" suits OpenAI; servers without it (llama-cpp's) take "function_calling" or "json_mode".
        self._structured = chat_model.with_structured_output(LLMOutput, method=method)
        self._fallback = fallback
        self._timeout_s = timeout_s
        self._today = today
        self._system, self.prompt_tag = _system_prompt(system_prompt)
        self.fallbacks = 0  # how many messages the fallback answered

    def extract(self, text: str, prior: Preferences | None = None) -> Preferences:
        try:
            output = self._ask(text, prior)
        except FutureTimeout:
            return self._fall_back(text, prior, f"no answer within {self._timeout_s:g} s")
        except ValidationError:
            return self._fall_back(text, prior, "output did not validate")
        except Exception as error:  # an adapter boundary: any failure of the remote model means "use local"
            return self._fall_back(text, prior, type(error).__name__)
        replace = {f for f in output.corrects if f in _CORRECTABLE or f in Preferences.model_fields}
        update = Preferences.model_validate(output.model_dump(exclude={"corrects"}))
        return merge_preferences(prior, update, replace=replace)

    def _ask(self, text: str, prior: Preferences | None) -> LLMOutput:
        known = prior.model_dump(mode="json", exclude_none=True) if prior is not None else {}
        human = (
            f"Today is {self._today().isoformat()}.\n"
            f"Preferences known so far: {json.dumps(known, ensure_ascii=False)}\n"
            f"Customer's latest message: {text}"
        )
        future: Future[Any] = _pool().submit(
            self._structured.invoke, [("system", self._system), ("human", human)]
        )
        result = future.result(timeout=self._timeout_s)
        if result is None:
            raise ValueError("The model returned no structured output.")
        return LLMOutput.model_validate(result if isinstance(result, dict) else result.model_dump())

    def _fall_back(self, text: str, prior: Preferences | None, reason: str) -> Preferences:
        self.fallbacks += 1
        log.warning("LLM extraction failed (%s); the local extractor answered instead", reason)
        return self._fallback.extract(text, prior)


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """Worker threads for LLM calls, so a call can be abandoned at its timeout."""
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="rih-llm-extract")


def _system_prompt(text: str | None) -> tuple[str, str]:
    if text is not None:
        return text, "custom"
    from assistant.prompts import load_prompt

    prompt = load_prompt(PROMPT_NAME)
    return prompt.text, prompt.tag


def chat_model_from_settings(settings: Settings) -> Any:
    """A LangChain `ChatOpenAI` for `RIH_LLM_BASE_URL` / `RIH_LLM_API_KEY` / `RIH_LLM_MODEL`."""
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        api_key=key,  # type: ignore[arg-type]
        model=settings.llm_model,
        timeout=_timeout(settings),
        max_retries=0,  # the local fallback is the retry
        temperature=0,
    )


def _timeout(settings: Settings) -> float:
    return float(getattr(settings, "llm_timeout_s", 20.0))


def make_extractor(settings: Settings, chat_model: Any | None = None) -> PreferenceExtractor:
    """The LLM extractor (local fallback) when an LLM is configured or given, else the local extractor."""
    local = LocalExtractor()
    if chat_model is None and settings.llm_base_url:
        chat_model = chat_model_from_settings(settings)
    if chat_model is None:
        return local
    return LLMExtractor(
        chat_model, local, timeout_s=_timeout(settings), method=settings.llm_structured_method
    )
