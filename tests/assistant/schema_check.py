"""A faithful check of a JSON value against preferences.schema.json (the `jsonschema` package is not a
dependency): every keyword the schema uses is implemented, and an unknown keyword fails loudly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SCHEMA_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "contracts" / "preferences.schema.json"
_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "integer": int,
    "number": (int, float),
}
_ANNOTATIONS = {"$schema", "$id", "title", "description"}


def load_schema() -> dict[str, Any]:
    if not SCHEMA_PATH.exists():
        pytest.skip(f"the shared contract is not beside the repository: {SCHEMA_PATH}")
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every violation of `schema` by `value` (empty when it validates)."""
    try:
        import jsonschema  # used when installed; the hand check below runs either way
    except ImportError:
        pass
    else:
        found = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(value)]
        if found:
            return found
    return _check(value, schema, where)


def _check(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    for key, rule in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "type":
            kinds = rule if isinstance(rule, list) else [rule]
            if not any(_is_type(value, k) for k in kinds):
                out.append(f"{where}: {value!r} is not of type {kinds}")
        elif key == "enum":
            if value not in rule:
                out.append(f"{where}: {value!r} is not one of {rule}")
        elif key == "properties":
            if isinstance(value, dict):
                for name, sub in rule.items():
                    if name in value:
                        out += _check(value[name], sub, f"{where}.{name}")
        elif key == "additionalProperties":
            if isinstance(value, dict) and isinstance(rule, dict):
                known = set(schema.get("properties", {}))
                for name, item in value.items():
                    if name not in known:
                        out += _check(item, rule, f"{where}.{name}")
        elif key == "items":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    out += _check(item, rule, f"{where}[{i}]")
        elif key in ("minimum", "maximum", "exclusiveMinimum"):
            if _is_type(value, "number") and not _within(key, value, rule):
                out.append(f"{where}: {value!r} violates {key} {rule}")
        else:
            raise AssertionError(f"schema keyword {key!r} at {where} is not implemented by this check")
    return out


def _is_type(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[kind])


def _within(key: str, value: float, bound: float) -> bool:
    return {"minimum": value >= bound, "maximum": value <= bound, "exclusiveMinimum": value > bound}[key]
