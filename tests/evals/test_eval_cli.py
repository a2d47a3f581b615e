"""`rih eval` / `python -m evals`: writes the tagged report and exits by the gates."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from evals.cli import add_eval_command, main
from evals.dispatch_set import run_dispatch_set
from evals.gates import GATES


def test_eval_registers_on_a_rih_style_parser() -> None:
    parser = argparse.ArgumentParser(prog="rih")
    add_eval_command(parser.add_subparsers())
    args = parser.parse_args(["eval", "--k", "2", "--only", "scenarios", "--scenarios", "3"])
    assert args.k == 2 and args.only == ["scenarios"] and args.scenarios == 3 and callable(args.run)


def test_a_short_run_writes_a_tagged_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    only = ["--only", "scenarios", "faithfulness", "--scenarios", "2", "--k", "1"]
    code = main([*only, "--out", str(tmp_path), "--no-progress", "--user", "rule"])
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert code == 0 and report["passed"]
    tags = report["tags"]
    assert tags["git_revision"] and tags["backend"] == "local" and tags["user_simulator"] == "rule"
    assert tags["prompts"]["local_replies"].startswith("local_replies@v")
    assert tags["strategies"]["default"] in tags["strategies"]["loaded"]
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "pass^1" in markdown and "![scenarios](scenarios.png)" in markdown
    assert (tmp_path / "scenarios.png").stat().st_size > 0
    assert "wall time" in capsys.readouterr().out


def test_a_failing_gate_exits_one(tmp_path: Path) -> None:
    gates = tmp_path / "gates.toml"
    text = GATES.read_text(encoding="utf-8").replace("faithful_share = 1.0", "faithful_share = 2.0")
    gates.write_text(text, encoding="utf-8")
    only = ["--only", "faithfulness", "--scenarios", "1", "--k", "1", "--gates", str(gates)]
    code = main([*only, "--out", str(tmp_path / "out"), "--no-progress", "--user", "rule"])
    assert code == 1


def test_an_llm_user_without_an_llm_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RIH_LLM_BASE_URL", raising=False)
    code = main(["--only", "scenarios", "--scenarios", "1", "--out", str(tmp_path), "--user", "llm"])
    assert code == 2


def test_the_dispatch_set_is_skipped_without_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "simulator.config", None)  # importing it now raises ImportError
    result = run_dispatch_set()
    assert result["status"] == "skipped" and "not importable" in result["reason"]
