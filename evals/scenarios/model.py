"""The scenario format: a simulated policyholder with a hidden goal, a persona, a script, an expected end.

One JSON object per line of `datasets/scenarios.jsonl`:

- `id`, `language` ("en" | "zh"), `persona` (a label such as "terse" or "rejects the first offer") and
  `description` (one sentence for people);
- `goal`: the hidden preferences: `city` (canonical English name) or `location_ref` ("home" | "work", read
  from the claim's profile), `make`, `damage` (damage types), `max_km`, `dealer` ("authorized"),
  `courtesy_car`, `pickup`, `deadline_days`, `third_party` ({"make", "damage"} said in the chat);
- `opening`: what the first message says, in order (see `OPENING_PARTS`); `style`: "full" or "terse"
  (terse answers a question with a word);
- `moves`: what the user does with each offer in turn before picking one (see `MOVES`); `pick`: the rank
  the user finally takes (-1 = the last one);
- `claim`: an optional API Claim; `pii`: phone / plate / ID numbers the user mentions; `inject_target`: the
  shop an injection tries to promote; `own_shop`: the shop an opening naming the user's own shop names;
  `setup`: market conditions made before the chat (`full`, `closed`,
  `past_bad`: that many of the shops the assistant would offer are reported full, closed, or disliked in
  the profile);
- `expect`: `end` ("booked" | "own_shop" | "handoff") plus assertions (`handoff_reason`, `min_slates`,
  `third_party_offered`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.claim import Claim
from assistant.preferences import DAMAGE_TYPES, REJECTION_REASONS
from retrieval.catalog.cities import find_city
from retrieval.catalog.vocabulary import MAKE_NAMES

DATASET = Path(__file__).resolve().parents[1] / "datasets" / "scenarios.jsonl"
END_STATES = ("booked", "own_shop", "handoff")
OPENING_PARTS = (
    "greeting", "stressed", "situation", "location", "make", "damage", "constraints", "third_party", "pii",
    "inject", "human", "angry", "injury", "dispute", "fraud", "own_shop", "terse", "request",
)  # fmt: skip
MOVES = (
    "reject", "more", "change", "own_shop", "human", "angry", "injury", "dispute", "fraud", "inject",
    "pick_id",
)  # fmt: skip
SETUP_KEYS = ("full", "closed", "past_bad")
ASSERTIONS = ("handoff_reason", "min_slates", "third_party_offered")


class ScenarioError(ValueError):
    """A scenario that does not follow the format; the message names the scenario and the field."""


@dataclass(frozen=True)
class Goal:
    make: str
    damage: tuple[str, ...]
    city: str | None = None
    location_ref: str | None = None
    max_km: float | None = None
    dealer: str | None = None
    courtesy_car: bool = False
    pickup: bool = False
    deadline_days: int | None = None
    third_party: dict[str, Any] | None = None


@dataclass(frozen=True)
class Move:
    act: str
    reason: str | None = None  # reject: one of the schema's rejection reasons
    rank: int | None = None  # reject one shop of the slate, or pick_id: the rank whose id is named
    field: str | None = None  # change: "city" or "make"
    value: str | None = None
    shop: str | None = None  # own_shop: a shop id, or None for "my own mechanic"


@dataclass(frozen=True)
class Scenario:
    id: str
    language: str
    persona: str
    description: str
    goal: Goal
    opening: tuple[str, ...]
    moves: tuple[Move, ...] = ()
    pick: int = 1
    style: str = "full"
    claim: dict[str, Any] | None = None
    pii: dict[str, str] = field(default_factory=dict)
    inject_target: str | None = None
    own_shop: str | None = None  # the shop an opening "own_shop" names (None: "my own mechanic")
    setup: dict[str, int] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> str:
        return str(self.expect["end"])

    def claim_model(self) -> Claim | None:
        return Claim.model_validate(self.claim) if self.claim is not None else None

    def final_goal(self) -> Goal:
        """The goal after every change of mind and every wish a rejection states (4S after 'wants 4S')."""
        goal = self.goal
        for move in self.moves:
            if move.act == "change" and move.field == "city":
                goal = _replace(goal, city=move.value, location_ref=None)
            elif move.act == "change" and move.field == "make":
                goal = _replace(goal, make=move.value)
            elif move.act == "reject" and move.reason == "wants_authorized":
                goal = _replace(goal, dealer="authorized")
        return goal


def _replace(goal: Goal, **changes: Any) -> Goal:
    return Goal(**{**goal.__dict__, **changes})


def load_scenarios(path: Path = DATASET) -> list[Scenario]:
    """Every scenario of the JSONL file, validated; a bad one raises `ScenarioError` naming it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    scenarios = [parse_scenario(json.loads(line)) for line in lines if line.strip()]
    seen: set[str] = set()
    for scenario in scenarios:
        if scenario.id in seen:
            raise ScenarioError(f"Scenario id {scenario.id!r} appears twice in {path.name}.")
        seen.add(scenario.id)
    return scenarios


def parse_scenario(data: dict[str, Any]) -> Scenario:
    sid = str(data.get("id") or "?")
    try:
        goal = Goal(**{**data["goal"], "damage": tuple(data["goal"]["damage"])})
        scenario = Scenario(
            id=sid,
            language=data["language"],
            persona=data["persona"],
            description=data.get("description", ""),
            goal=goal,
            opening=tuple(data["opening"]),
            moves=tuple(Move(**m) for m in data.get("moves", ())),
            pick=int(data.get("pick", 1)),
            style=data.get("style", "full"),
            claim=data.get("claim"),
            pii=dict(data.get("pii", {})),
            inject_target=data.get("inject_target"),
            own_shop=data.get("own_shop"),
            setup=dict(data.get("setup", {})),
            expect=dict(data["expect"]),
        )
    except (KeyError, TypeError) as error:
        raise ScenarioError(f"Scenario {sid!r} is missing or misnames a field: {error}.") from None
    _validate(scenario)
    return scenario


def _validate(s: Scenario) -> None:
    problems = []
    if s.language not in ("en", "zh"):
        problems.append(f"language must be 'en' or 'zh', got {s.language!r}")
    if s.end not in END_STATES:
        problems.append(f"expect.end must be one of {END_STATES}, got {s.end!r}")
    problems += [f"unknown opening part {p!r}" for p in s.opening if p not in OPENING_PARTS]
    problems += [f"unknown move {m.act!r}" for m in s.moves if m.act not in MOVES]
    problems += [
        f"unknown rejection reason {m.reason!r}"
        for m in s.moves
        if m.act == "reject" and m.reason not in REJECTION_REASONS
    ]
    problems += [f"unknown setup key {k!r}" for k in s.setup if k not in SETUP_KEYS]
    problems += [f"unknown assertion {k!r}" for k in s.expect if k not in (*ASSERTIONS, "end")]
    problems += _goal_problems(s.goal)
    if s.goal.city is None and s.goal.location_ref is None and not (s.claim or {}).get("location"):
        problems.append("the goal needs a city or a location_ref, or the claim a location")
    if "inject" in (*s.opening, *(m.act for m in s.moves)) and not s.inject_target:
        problems.append("an injection needs inject_target")
    g = s.goal
    wishes = g.max_km is not None or g.dealer or g.courtesy_car or g.pickup or g.deadline_days is not None
    if wishes and "constraints" not in s.opening:
        problems.append("a user with constraints states them: add 'constraints' to the opening")
    if "pii" in s.opening and not s.pii:
        problems.append("the opening mentions pii but none is given")
    if s.claim is not None:
        try:
            Claim.model_validate(s.claim)
        except ValueError as error:
            problems.append(f"claim is not an API Claim: {error}")
    if problems:
        raise ScenarioError(f"Scenario {s.id!r}: " + "; ".join(problems) + ".")


def _goal_problems(goal: Goal) -> list[str]:
    problems = []
    if goal.make not in MAKE_NAMES:
        problems.append(f"goal.make {goal.make!r} is not a catalog make")
    problems += [f"unknown damage type {d!r}" for d in goal.damage if d not in DAMAGE_TYPES]
    if not goal.damage:
        problems.append("goal.damage needs at least one damage type")
    if goal.city is not None:
        try:
            find_city(goal.city)
        except ValueError:
            problems.append(f"goal.city {goal.city!r} is not a known city")
    if goal.location_ref not in (None, "home", "work"):
        problems.append(f"goal.location_ref must be 'home' or 'work', got {goal.location_ref!r}")
    if goal.dealer not in (None, "authorized"):
        problems.append(f"goal.dealer must be 'authorized' or absent, got {goal.dealer!r}")
    return problems
