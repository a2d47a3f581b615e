from __future__ import annotations

import argparse
import json

import pytest

from assistant.extraction_cli import add_extract_command, parse_prior


def rih(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rih")
    add_extract_command(parser.add_subparsers(title="commands"))
    args = parser.parse_args(argv)
    return int(args.run(args))


@pytest.fixture(autouse=True)
def _local_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant

    monkeypatch.delenv("RIH_LLM_BASE_URL", raising=False)
    assistant._default_extractor.cache_clear()


def test_extract_prints_the_preferences_json_with_chinese_unescaped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert rih(["extract", "我在苏州，宝马X5前挡风玻璃裂了，不需要代步车"]) == 0
    out = capsys.readouterr().out
    body = json.loads(out)
    assert body["city"] == "Suzhou" and body["needs_courtesy_car"] is False
    assert body["damage"]["types"] == ["glass"] and "苏州" in out  # ensure_ascii=False


def test_extract_merges_a_prior(capsys: pytest.CaptureFixture[str]) -> None:
    prior = json.dumps({"city": "Shanghai", "vehicle": {"make": "BMW"}})
    assert rih(["extract", "actually I'm in Hangzhou", "--prior", prior]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["city"] == "Hangzhou" and body["vehicle"]["make"] == "BMW"


@pytest.mark.parametrize(
    ("prior", "message"),
    [
        ("{not json", "--prior is not JSON"),
        ('{"max_distance_km": -1}', "--prior is not valid Preferences: max_distance_km"),
        ('{"rejection_reasons": ["smelly"]}', "--prior is not valid Preferences: rejection_reasons"),
    ],
)
def test_a_bad_prior_is_a_one_line_value_error(prior: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_prior(prior)
    assert "\n" not in str(caught.value)
