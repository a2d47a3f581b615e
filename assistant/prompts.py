"""Prompts and reply templates as versioned files: `prompts/<name>.v<N>.md`, loaded by name.

The highest version wins unless one is pinned; every trace records `name@vN`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
_FILE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.md$")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    text: str

    @property
    def tag(self) -> str:
        return f"{self.name}@v{self.version}"


def versions(name: str, directory: Path = PROMPTS_DIR) -> list[int]:
    found = (_FILE.match(p.name) for p in directory.glob(f"{name}.v*.md"))
    return sorted(int(m["version"]) for m in found if m and m["name"] == name)


@lru_cache(maxsize=64)
def load_prompt(name: str, version: int | None = None, directory: Path = PROMPTS_DIR) -> Prompt:
    """The prompt file `name.vN.md` (the highest N unless `version` is given)."""
    available = versions(name, directory)
    if not available or (version is not None and version not in available):
        raise FileNotFoundError(f"No prompt {name!r} version {version or 'any'} in {directory}.")
    chosen = version or available[-1]
    text = (directory / f"{name}.v{chosen}.md").read_text(encoding="utf-8")
    return Prompt(name, chosen, text)


@dataclass(frozen=True)
class Templates:
    """Reply templates: `## key` sections holding `- en: ...` and `- zh: ...` lines."""

    prompt: Prompt
    entries: dict[str, dict[str, str]]

    def render(self, key: str, language: str, **values: object) -> str:
        try:
            by_language = self.entries[key]
        except KeyError:
            raise KeyError(f"{self.prompt.tag} has no template {key!r}.") from None
        template = by_language.get(language) or by_language["en"]
        return template.format(**values)


@lru_cache(maxsize=16)
def load_templates(name: str, version: int | None = None) -> Templates:
    prompt = load_prompt(name, version)
    entries: dict[str, dict[str, str]] = {}
    key = None
    for line in prompt.text.splitlines():
        if line.startswith("## "):
            key = line[3:].strip()
            entries[key] = {}
        elif key and (m := re.match(r"^- (en|zh): (.*)$", line)):
            value = m[2].strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]  # quotes keep leading spaces and colons
            entries[key][m[1]] = value
    return Templates(prompt, entries)
