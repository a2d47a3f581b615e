"""The LLM-driven turn: the chat model reads the conversation and calls the dispatch tools itself.

The tools run the same code as the local nodes (`act`), so rejected shops are excluded, outcomes are fed
back and every slate is logged whatever the model does. The model writes the lead-in; the shop list with its
factor-based explanations is appended by the system, so no number about a shop comes from the model.
"""

from __future__ import annotations

import html
import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import StructuredTool

from assistant.dialogue import act
from assistant.dialogue.ports import DialogueDeps
from assistant.dialogue.presenting import slate_lines
from assistant.dialogue.state import DialogueState
from assistant.prompts import load_prompt

MAX_TOOL_ROUNDS = 4
HISTORY_MESSAGES = 12
GUARDED_ROUTES = {"recommend": act.recommend, "reject": act.reject, "confirm": act.confirm}
REASONS = (
    "too_far",
    "wants_authorized",
    "low_quality",
    "too_slow",
    "too_expensive",
    "bad_experience",
    "other",
)


def agent_turn(state: DialogueState, deps: DialogueDeps) -> dict[str, Any]:
    work: dict[str, Any] = dict(state)
    tools = _tools(work, deps)
    model = deps.chat_model.bind_tools(tools)  # type: ignore[union-attr]
    messages = _messages(state)
    by_name = {t.name: t for t in tools}
    calls: list[str] = []
    reply = ""
    for _ in range(MAX_TOOL_ROUNDS + 1):
        answer: AIMessage = model.invoke(messages)
        messages.append(answer)
        if not answer.tool_calls:
            reply = str(answer.content).strip()
            break
        for call in answer.tool_calls:
            calls.append(call["name"])
            tool = by_name.get(call["name"])
            result = tool.invoke(call["args"]) if tool else {"error": f"unknown tool {call['name']}"}
            messages.append(ToolMessage(json.dumps(result, ensure_ascii=False), tool_call_id=call["id"]))
    backend = "llm"
    if not calls and state["route"] in GUARDED_ROUTES:
        # The local planner knows a tool is due (everything needed is known, or the customer rejected or
        # picked a shop) and the model called none: act on its behalf so the customer is never left waiting
        # on a model that cannot use tools. The templated reply replaces the model's words then.
        update = GUARDED_ROUTES[state["route"]](work, deps)  # type: ignore[arg-type]
        work.update({k: v for k, v in update.items() if k != "transcript"})
        reply, backend = update["reply"], "llm+guard"
        calls.append(f"guard:{state['route']}")
        return _finish(state, deps, work, reply, calls, backend, appended=True)
    return _finish(state, deps, work, html.unescape(reply), calls, backend, appended=False)


def _finish(
    state: DialogueState,
    deps: DialogueDeps,
    work: dict[str, Any],
    reply: str,
    calls: list[str],
    backend: str,
    appended: bool,
) -> dict[str, Any]:
    slate = [] if appended else work.get("recommendations") or []
    if slate:
        reply = "\n".join([reply, *slate_lines(deps, work["language"], slate)]).strip()
    if "injection" in state["intents"] and not appended:
        notice = deps.templates.render("injection", state["language"])
        reply = reply if notice in reply else notice + "\n" + reply
    if not appended and not state["transcript"][:-1] and state.get("role") != "agent":
        reply = deps.templates.render("greet", state["language"]) + "\n" + reply
    prompt = load_prompt("dialogue_system")
    trace = [*state.get("trace", []), {"backend": backend, "prompt": prompt.tag, "tool_calls": calls}]
    transcript = [*state["transcript"], {"role": "assistant", "text": reply}]
    keep = {k: v for k, v in work.items() if k not in ("reply", "transcript")}
    return {**keep, "reply": reply, "transcript": transcript, "trace": trace}


def _messages(state: DialogueState) -> list[BaseMessage]:
    prompt = load_prompt("dialogue_system")
    current = [{"shop_id": r["shop_id"], "rank": r["rank"], "name": r["name"]} for r in state["current"]]
    system = prompt.text.format(
        language_name="Chinese (简体中文)" if state["language"] == "zh" else "English",
        preferences=json.dumps(state["preferences"], ensure_ascii=False),
        stage=state["stage"],
        current=json.dumps(current, ensure_ascii=False),
    )
    history: list[BaseMessage] = []
    for turn in state["transcript"][-HISTORY_MESSAGES:]:
        kind = HumanMessage if turn["role"] == "user" else AIMessage
        history.append(kind(content=turn["text"]))
    return [SystemMessage(content=system), *history]


def _tools(work: dict[str, Any], deps: DialogueDeps) -> list[StructuredTool]:
    def apply(update: dict[str, Any]) -> list[dict[str, Any]]:
        work.update({k: v for k, v in update.items() if k not in ("reply", "transcript")})
        return [_brief(r) for r in update.get("recommendations") or []]

    def recommend_shops() -> dict[str, Any]:
        """Recommend repair shops for the customer's current preferences."""
        shops = apply(act.recommend(work, deps))  # type: ignore[arg-type]
        return {"shops": shops} if shops else {"shops": [], "note": "no shop meets every requirement"}

    def reject_and_find_alternatives(reason: str, shop_id: str | None = None) -> dict[str, Any]:
        """Record that the customer turned shops down (all on the table, or one shop_id) and find others."""
        reasons = [reason if reason in REASONS else "other"]
        shops = apply(act.reject(work, deps, reasons=reasons, shop_id=shop_id))  # type: ignore[arg-type]
        return {"alternatives": shops}

    def book_shop(shop_id: str) -> dict[str, Any]:
        """Book the shop the customer picked from the ones on the table."""
        if shop_id not in {r["shop_id"] for r in work["current"]}:
            return {"error": f"{shop_id} is not on the table; book only a shop that was offered."}
        apply(act.confirm(work, deps, shop_id=shop_id))  # type: ignore[arg-type]
        return {"booked": shop_id}

    return [
        StructuredTool.from_function(f) for f in (recommend_shops, reject_and_find_alternatives, book_shop)
    ]


def _brief(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "shop_id": rec["shop_id"],
        "rank": rec["rank"],
        "name": rec["name"],
        "distance_km": rec["distance_km"],
    }
