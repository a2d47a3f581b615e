"""`rih extract "TEXT" [--prior JSON]`: print the preferences in TEXT as JSON (wired into `assistant.cli`)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pydantic import ValidationError

from assistant.preferences import Preferences


def add_extract_command(subparsers: Any) -> argparse.ArgumentParser:
    """Register `extract` on the `rih` sub-command parsers (the object `add_subparsers()` returns)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "extract",
        help="print the preferences in a customer message as JSON (English or Chinese)",
        description="Extract repair preferences from TEXT; --prior merges them into earlier ones "
        "(later statements win). Uses the local NLU unless RIH_LLM_BASE_URL configures an LLM.",
    )
    parser.add_argument(
        "text", help="the customer's message, e.g. '我在苏州，宝马X5前挡风玻璃裂了，不需要代步车'"
    )
    parser.add_argument("--prior", default=None, metavar="JSON", help="earlier Preferences as a JSON object")
    parser.set_defaults(run=run_extract)
    return parser


def run_extract(args: argparse.Namespace) -> int:
    from assistant import extract_preferences

    prefs = extract_preferences(args.text, parse_prior(args.prior))
    print(json.dumps(prefs.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


def parse_prior(text: str | None) -> Preferences | None:
    """`--prior` as Preferences; a ValueError with a one-line message when it is not valid."""
    if text is None:
        return None
    try:
        return Preferences.model_validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise ValueError(f"--prior is not JSON: {error.msg} at character {error.pos}.") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "prior"
        raise ValueError(f"--prior is not valid Preferences: {where}: {first['msg']}.") from None
