from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

import assistant
from assistant.extraction import LLMExtractor, LLMOutput, LocalExtractor, make_extractor
from assistant.preferences import Preferences
from assistant.settings import Settings
from tests.fakes import ScriptedStructuredChatModel, SlowAnswer

SECRET = "sk-test-do-not-log-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def llm(script: list[Any], timeout_s: float = 2.0) -> tuple[LLMExtractor, ScriptedStructuredChatModel]:
    model = ScriptedStructuredChatModel(script)
    return LLMExtractor(model, LocalExtractor(), timeout_s=timeout_s, today=lambda: date(2026, 11, 18)), model


def test_the_local_extractor_reads_a_message_with_no_network() -> None:
    prefs = LocalExtractor().extract("我在苏州，宝马X5前挡风玻璃裂了")
    assert prefs.city == "Suzhou" and prefs.vehicle is not None and prefs.vehicle.make == "BMW"


def test_the_llm_answer_is_merged_into_the_prior_preferences() -> None:
    extractor, model = llm([{"city": "Suzhou", "vehicle": {"model": "X5"}, "language": "en"}])
    prior = Preferences.model_validate({"city": "Shanghai", "vehicle": {"make": "BMW"}, "needs_pickup": True})
    prefs = extractor.extract("actually I'm in Suzhou, it's an X5", prior)
    assert prefs.city == "Suzhou" and prefs.needs_pickup is True
    assert prefs.vehicle is not None and (prefs.vehicle.make, prefs.vehicle.model) == ("BMW", "X5")
    assert model.schemas == [LLMOutput] and extractor.fallbacks == 0


def test_the_llm_sees_the_prompt_file_the_prior_the_date_and_the_message() -> None:
    extractor, model = llm([{"language": "zh"}])
    extractor.extract("不需要代步车", Preferences(city="Shanghai"))
    (system_role, system), (human_role, human) = model.calls[0]
    assert (system_role, human_role) == ("system", "human")
    assert "damage.types" in system and extractor.prompt_tag == "extract_preferences@v1"
    assert "2026-11-18" in human and '"city": "Shanghai"' in human and "不需要代步车" in human


def test_fields_the_llm_marks_as_corrected_replace_instead_of_adding() -> None:
    extractor, _ = llm([{"damage": {"types": ["glass"]}, "corrects": ["damage.types"]}])
    prior = Preferences.model_validate({"damage": {"types": ["collision"]}})
    prefs = extractor.extract("actually only the glass is broken", prior)
    assert prefs.damage is not None and prefs.damage.types == ["glass"]


def test_a_pydantic_answer_is_accepted_too() -> None:
    extractor, _ = llm([LLMOutput(city="Beijing")])
    assert extractor.extract("I'm in Beijing").city == "Beijing"


@pytest.mark.parametrize(
    "answer",
    [
        RuntimeError("connection refused"),
        None,
        {"max_distance_km": -5},
        {"damage": {"types": ["scratches"]}},
        "not a dict",
    ],
)
def test_an_error_or_invalid_output_falls_back_to_the_local_extractor(answer: Any) -> None:
    extractor, _ = llm([answer])
    prefs = extractor.extract("I'm in Chengdu, my Tesla's windshield is cracked")
    assert prefs.city == "Chengdu" and prefs.damage is not None and prefs.damage.types == ["glass"]
    assert extractor.fallbacks == 1


def test_a_slow_llm_times_out_and_the_local_extractor_answers() -> None:
    extractor, _ = llm([SlowAnswer(2.0, {"city": "Beijing"})], timeout_s=0.2)
    prefs = extractor.extract("我在成都")
    assert prefs.city == "Chengdu" and extractor.fallbacks == 1


def test_the_fallback_is_logged_without_the_key(caplog: pytest.LogCaptureFixture) -> None:
    extractor, _ = llm([PermissionError(f"Incorrect API key provided: {SECRET}")])
    with caplog.at_level(logging.WARNING, logger="rih.extraction"):
        extractor.extract("hello")
    assert "local extractor answered" in caplog.text and "PermissionError" in caplog.text
    assert SECRET not in caplog.text and "sk-" not in caplog.text


def test_a_nonpositive_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match="timeout_s must be positive"):
        LLMExtractor(ScriptedStructuredChatModel([]), LocalExtractor(), timeout_s=0)


def openai_reply(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "tiny",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": json.dumps(content)},
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chat_openai(handler: Any) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url="http://llm.test/v1",
        api_key=SECRET,  # type: ignore[arg-type]
        model="tiny",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def test_chat_openai_structured_output_round_trip_through_an_openai_compatible_server() -> None:
    seen: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["body"], seen["auth"] = json.loads(request.content), request.headers["authorization"]
        return httpx.Response(200, json=openai_reply({"city": "Shenzhen", "needs_courtesy_car": False}))

    extractor = LLMExtractor(chat_openai(handler), LocalExtractor(), timeout_s=5)
    prefs = extractor.extract("我在深圳，不需要代步车")
    assert prefs.city == "Shenzhen" and prefs.needs_courtesy_car is False and extractor.fallbacks == 0
    assert seen["auth"] == f"Bearer {SECRET}" and seen["body"]["model"] == "tiny"
    assert seen["body"]["response_format"]["type"] == "json_schema"


def test_a_server_error_from_chat_openai_falls_back_without_leaking_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": f"Incorrect API key provided: {SECRET}"}})

    extractor = LLMExtractor(chat_openai(handler), LocalExtractor(), timeout_s=5)
    with caplog.at_level(logging.WARNING, logger="rih.extraction"):
        prefs = extractor.extract("我在深圳")
    assert prefs.city == "Shenzhen" and extractor.fallbacks == 1
    assert "AuthenticationError" in caplog.text and SECRET not in caplog.text


def test_make_extractor_is_local_without_an_llm_and_llm_backed_with_one() -> None:
    local = make_extractor(Settings.model_validate({"llm_base_url": None}))
    remote = make_extractor(
        Settings.model_validate(
            {"llm_base_url": "http://127.0.0.1:9/v1", "llm_api_key": SECRET, "llm_model": "x"}
        )
    )
    assert isinstance(local, LocalExtractor)
    assert isinstance(remote, LLMExtractor) and SECRET not in repr(remote.__dict__)


def test_make_extractor_uses_a_given_chat_model() -> None:
    extractor = make_extractor(Settings.model_validate({}), ScriptedStructuredChatModel([{"city": "Xiamen"}]))
    assert isinstance(extractor, LLMExtractor) and extractor.extract("hi").city == "Xiamen"


def test_the_contract_function_uses_the_local_backend_when_no_llm_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RIH_LLM_BASE_URL", raising=False)
    monkeypatch.chdir(ROOT)
    assistant._default_extractor.cache_clear()
    try:
        prior = assistant.extract_preferences("I'm in Shanghai, my Audi A6L was hit")
        prefs = assistant.extract_preferences("不是上海，是苏州，不需要代步车", prior)
    finally:
        assistant._default_extractor.cache_clear()
    assert isinstance(prefs, Preferences)
    assert (prefs.city, prefs.needs_courtesy_car, prefs.language) == ("Suzhou", False, "zh")
    assert prefs.vehicle is not None and prefs.vehicle.model == "A6L"


def test_importing_the_package_loads_no_model_segmenter_or_llm_client() -> None:
    code = (
        "import sys, assistant; "
        "print([m for m in ('torch', 'jieba', 'langchain_openai', 'sentence_transformers', 'faiss') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.llm
def test_a_real_openai_compatible_server_gives_valid_preferences() -> None:
    """Needs a server: e.g. `python -m llama_cpp.server --model SmolLM2-135M-Instruct.Q4_1.gguf --port 8081`
    and RIH_LLM_BASE_URL=http://127.0.0.1:8081/v1; run with `pytest -m llm`. A small model may answer badly:
    then the local fallback answers, and the result is still valid preferences."""
    settings = Settings.model_validate({})
    if not settings.llm_base_url:
        pytest.skip("RIH_LLM_BASE_URL is not set")
    extractor = make_extractor(settings)
    assert isinstance(extractor, LLMExtractor)
    prefs = extractor.extract("我在上海，宝马X5前挡风玻璃裂了，不需要代步车")
    assert isinstance(prefs, Preferences) and prefs.language in ("zh", None)
