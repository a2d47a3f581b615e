"""`rih chat`: the customer's side of the conversation in a terminal, on the embedded defaults."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from assistant.claim import Claim

BANNER = (
    "Resource Intelligence Hub: repair-shop assistant. Write in English or Chinese; "
    "/quit to leave, /state to see what I understood."
)


def add_chat_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    chat = sub.add_parser("chat", help="chat with the assistant in the terminal (customer side)")
    chat.add_argument(
        "--claim", type=Path, default=None, help="a Claim JSON file (location, vehicle, profile)"
    )
    chat.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from assistant.bootstrap import bootstrap

    claim = Claim.model_validate_json(args.claim.read_text(encoding="utf-8")) if args.claim else None
    container = bootstrap()
    backend = "LLM " + container.settings.llm_model if container.chat_model else "local NLP (no LLM)"
    print(f"{BANNER}\n[backend: {backend}]", file=sys.stderr)
    return chat_loop(container.conversation, _lines(sys.stdin), sys.stdout, claim)


def chat_loop(conversation: object, lines: Iterable[str], out: TextIO, claim: Claim | None = None) -> int:
    """Run a session over input lines; prints each reply. Returns 0 (EOF or /quit end it)."""
    session = conversation.start("customer", claim)  # type: ignore[attr-defined]
    for line in lines:
        text = line.strip()
        if text in ("/quit", "/exit"):
            break
        if text == "/state":
            state = conversation.state(session)  # type: ignore[attr-defined]
            print(json.dumps(state["preferences"], ensure_ascii=False, indent=2), file=out)
            continue
        if not text:
            continue
        turn = conversation.send(session, text)  # type: ignore[attr-defined]
        print(f"\nassistant> {turn.reply}\n", file=out, flush=True)
    return 0


def _lines(stream: TextIO) -> Iterable[str]:
    while True:
        if stream.isatty():
            print("you> ", end="", file=sys.stderr, flush=True)
        line = stream.readline()
        if not line:
            return
        yield line
