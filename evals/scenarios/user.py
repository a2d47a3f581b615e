"""The rule-driven simulated policyholder: deterministic for a seed, answers from its hidden goal.

It reads what the assistant asked from the reply text (either language), answers one thing at a time,
plays its script on each offer (reject with a reason, change its mind, name its own shop, ask for a
person, inject ...), then picks the rank it wants. When the assistant has no alternative after a
rejection it asks for a person, as a customer would; when it cannot tell what it is asked, it restates
its situation once and then gives up (the end-state check then fails).
"""

from __future__ import annotations

import random
import re
from typing import Any

from evals.scenarios import phrases as p
from evals.scenarios.model import Goal, Move, Scenario
from evals.scenarios.turns import Observation, UserAct

QUESTIONS = (  # checked in this order: "哪里受损" asks about damage, not a place
    ("third_party", re.compile(r"other party|other (?:car|vehicle|driver)|对方", re.I)),
    ("damage", re.compile(r"what is damaged|what(?:'s| got) damaged|which part|受损|哪里坏|损坏", re.I)),
    ("make", re.compile(r"what make|which make|what brand|which brand|make of car|品牌|什么车", re.I)),
    ("location", re.compile(r"\bwhere\b|which city|what city|哪里|哪儿|城市|在哪", re.I)),
)
MAX_ASKS = 2  # the same question answered this many times: the user restates once, then gives up


def asked_field(reply: str) -> str | None:
    """What the assistant asks for in `reply`: third_party, damage, make, location, or None."""
    return next((name for name, pattern in QUESTIONS if pattern.search(reply)), None)


class RuleUser:
    """The scripted policyholder of one scenario; `rng` varies only the wording."""

    def __init__(self, scenario: Scenario, rng: random.Random) -> None:
        self.scenario, self.rng, self.lang = scenario, rng, scenario.language
        self.goal: Goal = scenario.goal
        self.moves: list[Move] = list(scenario.moves)
        self.table: list[dict[str, Any]] = []
        self.asked: dict[str, int] = {}
        self.sent: set[str] = set()
        self.last_act = UserAct("say")

    def opening(self) -> str:
        parts = [self._part(name) for name in self.scenario.opening]
        joiner = "" if self.lang == "zh" else " "
        decisive = [n for n in self.scenario.opening if n in _OPENING_ACTS]
        self.last_act = _OPENING_ACTS[decisive[-1]](self) if decisive else UserAct("say")
        return joiner.join(x for x in parts if x).strip()

    def respond(self, seen: Observation) -> str | None:
        if seen.recommendations:
            self.table = list(seen.recommendations)
        if seen.stage in _FOLLOW_UP:
            key, kind = _FOLLOW_UP[seen.stage]
            if seen.stage == "own_shop" and not self.table:
                key, kind = "thanks", "thanks"  # no slate was ever shown: nothing to be "too far"
            return self._once(key, UserAct(kind))
        if seen.stage == "offered" and self.table:
            if self.last_act.kind in ("reject", "more") and not seen.recommendations:
                return self._act(p.say(self.lang, "no_alternatives", self.rng), UserAct("human"))
            return self._move(self.moves.pop(0)) if self.moves else self._pick()
        field = asked_field(seen.reply)
        if field is not None and self.asked.get(field, 0) < MAX_ASKS:
            self.asked[field] = self.asked.get(field, 0) + 1
            return self._act(self._answer(field), UserAct("say"))
        return self._once("restate", UserAct("say"))

    # -- what the user says -------------------------------------------------------------------------

    def _say(self, key: str, **values: Any) -> str:
        return p.say(self.lang, key, self.rng, **values)

    def _act(self, text: str, act: UserAct) -> str:
        self.last_act = act
        return text

    def _once(self, key: str, act: UserAct) -> str | None:
        if key in self.sent:
            return None
        self.sent.add(key)
        text = self._situation() if key == "restate" else self._say(key)
        return self._act(text, act)

    def _part(self, name: str) -> str:
        g, lang = self.goal, self.lang
        if name == "situation":
            return self._situation()
        if name in ("location", "make", "damage"):
            return self._answer(name)
        if name == "constraints":
            return self._constraints()
        if name == "third_party":
            return self._say("third_party", **self._third_party())
        if name == "pii":
            text = self._say("pii", **self.scenario.pii) if "phone" in self.scenario.pii else ""
            if "id_number" in self.scenario.pii:
                text += ("" if lang == "zh" else " ") + self._say("pii_id", **self.scenario.pii)
            return text.strip()
        if name == "inject":
            return self._say("inject", target=self.scenario.inject_target)
        if name == "own_shop":
            shop = self.scenario.own_shop
            return self._say("own_shop", shop=shop) if shop else self._say("own_shop_unnamed")
        return self._say(name, make=p.make_name(g.make, lang))

    def _situation(self) -> str:
        g, lang = self.goal, self.lang
        damage = self._damage()
        if g.city:
            where = self._say("where_city", city=p.city_name(g.city, lang))
        else:
            where = self._say(f"where_{g.location_ref}") if g.location_ref else ""
        return self._say("situation", make=p.make_name(g.make, lang), damage=damage, where=where)

    def _damage(self) -> str:
        joiner = "，" if self.lang == "zh" else " and "
        return joiner.join(p.damage_part(d, self.lang, self.rng) for d in self.goal.damage)

    def _constraints(self) -> str:
        g, make = self.goal, p.make_name(self.goal.make, self.lang)
        said = []
        if g.max_km is not None:
            said.append(self._say("max_km", km=f"{g.max_km:g}"))
        if g.dealer == "authorized":
            said.append(self._say("dealer", make=make))
        if g.courtesy_car:
            said.append(self._say("courtesy"))
        if g.pickup:
            said.append(self._say("pickup"))
        if g.deadline_days is not None:
            said.append(self._say("deadline", days=g.deadline_days))
        return ("" if self.lang == "zh" else " ").join(said)

    def _answer(self, field: str) -> str:
        g, lang, terse = self.goal, self.lang, self.scenario.style == "terse"
        if field == "location":
            if g.city:
                key = "location_terse" if terse else "location"
                return self._say(key, city=p.city_name(g.city, lang))
            return self._say(f"location_{g.location_ref or 'home'}")
        if field == "make":
            return self._say("make_terse" if terse else "make", make=p.make_name(g.make, lang))
        if field == "damage":
            if terse:
                return self._say("damage_terse", damage_word=p.damage_word(g.damage[0], lang))
            return self._say("damage", damage=self._damage())
        if g.third_party:
            return self._say("third_party_answer", **self._third_party())
        return "No other car was involved." if lang == "en" else "没有其他车辆。"

    def _third_party(self) -> dict[str, str]:
        tp = self.goal.third_party or {}
        return {"tp_make": p.make_name(str(tp.get("make", "")), self.lang), "tp_part": p.TP_PART[self.lang]}

    # -- what the user does with an offer ----------------------------------------------------------

    def _move(self, move: Move) -> str:
        lang, ids = self.lang, tuple(r["shop_id"] for r in self.table)
        make = p.make_name(self.goal.make, lang)
        if move.act == "reject" and move.rank is not None:
            rank = min(move.rank, len(ids))
            text = self._say("reject_one", ordinal=p.ordinal(rank, lang))
            return self._act(text, UserAct("reject", move.reason, (ids[rank - 1],), rank=rank))
        if move.act in ("reject", "more"):
            reason = move.reason or "other"
            key = "more" if move.act == "more" else f"reject_{reason}"
            return self._act(self._say(key, make=make), UserAct(move.act, reason, ids))
        if move.act == "change":
            return self._change(move)
        if move.act == "own_shop":
            key = "own_shop" if move.shop else "own_shop_unnamed"
            act = UserAct("own_shop", targets=ids, shop=move.shop)
            return self._act(self._say(key, shop=move.shop), act)
        if move.act == "inject":
            target = self.scenario.inject_target
            return self._act(self._say("inject", target=target), UserAct("inject", shop=target))
        if move.act == "pick_id":
            rank = min(move.rank or 1, len(ids))
            shop = ids[rank - 1]
            return self._act(self._say("pick_id", shop=shop), UserAct("pick", shop=shop, rank=rank))
        return self._act(self._say(move.act), UserAct(move.act))

    def _change(self, move: Move) -> str:
        lang, value = self.lang, str(move.value)
        if move.field == "city":
            old = p.city_name(self.goal.city, lang) if self.goal.city else ""
            self.goal = Goal(**{**self.goal.__dict__, "city": value, "location_ref": None})
            text = self._say("change_city", value=p.city_name(value, lang), old=old)
        else:
            old = p.make_name(self.goal.make, lang)
            self.goal = Goal(**{**self.goal.__dict__, "make": value})
            text = self._say("change_make", value=p.make_name(value, lang), old=old)
        return self._act(text, UserAct("change"))

    def _pick(self) -> str:
        rank = len(self.table) if self.scenario.pick == -1 else min(self.scenario.pick, len(self.table))
        shop = self.table[rank - 1]["shop_id"]
        if self.scenario.pick == -1:
            text = self._say("pick_last")
        else:
            text = self._say("pick", ordinal=p.ordinal(rank, self.lang))
        return self._act(text, UserAct("pick", shop=shop, rank=rank))


_FOLLOW_UP = {  # after the end state: one more message, to see that the assistant keeps to it
    "booked": ("thanks", "thanks"),
    "own_shop": ("after_own_shop", "followup"),
    "handoff": ("after_handoff", "followup"),
}
_OPENING_ACTS = {
    "human": lambda u: UserAct("human"),
    "angry": lambda u: UserAct("angry"),
    "injury": lambda u: UserAct("injury"),
    "dispute": lambda u: UserAct("dispute"),
    "fraud": lambda u: UserAct("fraud"),
    "own_shop": lambda u: UserAct("own_shop", shop=u.scenario.own_shop),
    "inject": lambda u: UserAct("inject", shop=u.scenario.inject_target),
}
