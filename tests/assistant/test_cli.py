from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main


def test_catalog_build_then_search_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RIH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RIH_RETRIEVAL_MODE", "lexical")
    assert main(["catalog", "build", "--shops", "800", "--seed", "3"]) == 0
    assert (tmp_path / "catalog.sqlite").exists() and (tmp_path / "index" / "geo.faiss").exists()
    assert main(["search", "--city", "Beijing", "glass repair", "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert "capabilities=['glass']" in out and out.count(" km ") == 3


def test_unknown_city_is_a_one_line_error_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RIH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RIH_CATALOG_SHOPS", "300")
    assert main(["search", "--city", "Atlantis", "glass"]) == 2
    assert "Unknown city 'Atlantis'" in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "catalog" in capsys.readouterr().out


def test_settle_heap_builds_the_services_starts_the_writer_freezes_the_heap_and_spaces_collections() -> None:
    import gc
    from types import SimpleNamespace

    from assistant.cli import FULL_COLLECTION_EVERY, _settle_heap

    built: list[str] = []

    class Lazy(SimpleNamespace):
        def __getattribute__(self, name: str) -> object:
            if name in ("dispatch", "conversation", "capacity_feed", "decision_writer"):
                built.append(name)
            return object.__getattribute__(self, name)

    started: list[str] = []
    writer = SimpleNamespace(start=lambda: started.append("writer"))
    ranker = SimpleNamespace(start=lambda: started.append("ranker"))
    container = Lazy(dispatch=1, conversation=2, capacity_feed=3, decision_writer=writer, ranker=ranker)
    threshold = gc.get_threshold()
    try:
        _settle_heap(container)
        assert built == ["dispatch", "conversation", "capacity_feed", "decision_writer"]
        assert started == ["writer", "ranker"]  # their processes start before the first request
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (threshold[0], threshold[1], FULL_COLLECTION_EVERY)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
