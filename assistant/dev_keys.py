"""Development API keys: when `RIH_AGENT_KEY` / `RIH_OPS_KEY` are unset, `rih serve` makes its own.

They live in a file only its owner can read (`data_dir/dev-keys.json`), are reused across restarts, and
are never printed or logged: the server prints where they are.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from assistant.settings import Settings

ROLES = ("agent", "ops")


def ensure_dev_keys(settings: Settings) -> tuple[Settings, Path | None]:
    """Settings with a key for every role; the path of the dev-keys file when any key came from it."""
    missing = [role for role in ROLES if getattr(settings, f"{role}_key") is None]
    if not missing:
        return settings, None
    path = settings.dev_keys_path
    keys = _read(path)
    if any(role not in keys for role in missing):
        keys.update({role: secrets.token_urlsafe(32) for role in missing if role not in keys})
        _write(path, keys)
    update = {f"{role}_key": SecretStr(keys[role]) for role in missing}
    return settings.model_copy(update=update), path


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if k in ROLES and isinstance(v, str) and len(v) >= 16}


def _write(path: Path, keys: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # owner-only from the first byte
    with os.fdopen(fd, "w") as out:
        json.dump(keys, out, indent=2)
    os.replace(tmp, path)
