"""The LLM-driven simulated policyholder, behind the same interface as the rule-driven one.

Used only when an LLM is configured (`RIH_LLM_BASE_URL`): the model plays the scenario's persona from its
hidden goal and plan (prompt `evals/scenarios/prompts/simulated_user.v1.md`) and labels each message with
what it means to do (`ACT: reject too_far`), so the same end-state checks judge the assistant. A message
without a readable label counts as "say"; "[END]" ends the conversation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assistant.prompts import Prompt, load_prompt
from evals.scenarios.episode import UserFactory
from evals.scenarios.model import Scenario
from evals.scenarios.turns import Observation, SimulatedUser, UserAct

PROMPTS = Path(__file__).resolve().parent / "prompts"
_ACT = re.compile(r"^\s*ACT:\s*(\w+)(?:\s+(\w+))?\s*$", re.I | re.M)
KINDS = ("say", "reject", "more", "pick", "own_shop", "human", "angry", "injury", "dispute", "fraud",
         "inject", "change", "thanks", "followup")  # fmt: skip


def user_prompt() -> Prompt:
    return load_prompt("simulated_user", directory=PROMPTS)


class LLMUser:
    """The policyholder of `scenario`, played by `chat_model` (a LangChain chat model)."""

    def __init__(self, scenario: Scenario, chat_model: Any) -> None:
        self.scenario, self.model = scenario, chat_model
        self.system = _system(scenario)
        self.history: list[tuple[str, str]] = []  # ("assistant" | "customer", text)
        self.table: list[dict[str, Any]] = []
        self.last_act = UserAct("say")

    def opening(self) -> str:
        return self._next("(The chat window has just opened. Write your first message.)") or "Hello"

    def respond(self, seen: Observation) -> str | None:
        if seen.recommendations:
            self.table = list(seen.recommendations)
        return self._next(seen.reply)

    def _next(self, incoming: str) -> str | None:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        messages: list[Any] = [SystemMessage(self.system)]
        for role, text in self.history:  # the model plays the customer: its own lines are the AI's
            messages.append(AIMessage(text) if role == "customer" else HumanMessage(text))
        messages.append(HumanMessage(incoming))
        answer = str(self.model.invoke(messages).content)
        act, text = self._parse(answer)
        if not text or "[END]" in text:
            return None
        self.history += [("assistant", incoming), ("customer", text)]
        self.last_act = act
        return text

    def _parse(self, answer: str) -> tuple[UserAct, str]:
        match = _ACT.search(answer)
        text = _ACT.sub("", answer).strip()
        if match is None or match[1].lower() not in KINDS:
            return UserAct("say"), text
        kind, extra = match[1].lower(), match[2]
        ids = tuple(r["shop_id"] for r in self.table)
        if kind in ("reject", "more"):
            return UserAct(kind, (extra or "other").lower(), ids), text
        if kind == "pick" and ids:
            rank = int(extra) if extra and extra.isdigit() else 1
            rank = min(max(rank, 1), len(ids))
            return UserAct("pick", shop=ids[rank - 1], rank=rank), text
        if kind == "own_shop":
            named = next((m.shop for m in self.scenario.moves if m.act == "own_shop"), self.scenario.own_shop)
            return UserAct("own_shop", targets=ids, shop=named), text
        if kind == "inject":
            return UserAct("inject", shop=self.scenario.inject_target), text
        return UserAct(kind), text


def llm_user_factory(chat_model: Any) -> UserFactory:
    def make(scenario: Scenario, seed: int) -> SimulatedUser:
        return LLMUser(scenario, chat_model)

    return make


def _system(s: Scenario) -> str:
    g = s.goal
    wants = [f"- car: {g.make}; damage: {', '.join(g.damage)}"]
    if g.city:
        wants.append(f"- you are in {g.city}")
    if g.location_ref:
        wants.append(f"- you want a shop near your {'office' if g.location_ref == 'work' else 'home'}")
    extras = {
        "max_km": f"no farther than {g.max_km:g} km" if g.max_km else None,
        "dealer": "an authorized 4S dealer of your make" if g.dealer else None,
        "courtesy_car": "a courtesy (loaner) car" if g.courtesy_car else None,
        "pickup": "pick-up and drop-off" if g.pickup else None,
        "deadline": f"the car back within {g.deadline_days} days" if g.deadline_days else None,
        "third_party": f"you also hit a {g.third_party.get('make')}" if g.third_party else None,
    }
    wants += [f"- {text}" for text in extras.values() if text]
    wants += [f"- you mention your {k.replace('_', ' ')} {v}" for k, v in s.pii.items()]
    if s.inject_target:
        wants.append(f"- you try to make the assistant put shop {s.inject_target} first, against its rules")
    plan = [f"{i}. {_describe(m.act, m.reason, m.field, m.value, m.shop)}" for i, m in enumerate(s.moves, 1)]
    opening = ", ".join(s.opening)
    return user_prompt().text.format(
        language_name="Chinese (简体中文)" if s.language == "zh" else "English",
        persona=s.persona,
        description=f"{s.description} Your first message covers: {opening}.",
        goal="\n".join(wants),
        plan="\n".join(plan) or "(none: accept a shop from the first list)",
        pick="the last" if s.pick == -1 else s.pick,
    )


def _describe(act: str, reason: str | None, field: str | None, value: str | None, shop: str | None) -> str:
    if act == "reject":
        return f"turn the list down ({reason})"
    if act == "change":
        return f"correct your {field}: it is really {value}"
    if act == "own_shop":
        return f"say you will use your own shop {shop or ''}".strip()
    return {"more": "ask for other options", "pick_id": "book by naming the shop id"}.get(act, act)
