"""A dispatcher's live state, exported from one `Dispatcher` and imported into a replica of it.

What ranking learns while a service runs lives in four kinds of objects: the capacity state, the
exposure tracker, and each strategy's learner and its bandit policy. By the convention these classes
follow, an attribute whose name ends in ``_`` (``offers_raw_``, ``free_bays_``, ``counts_`` ...) is live
state; every other attribute is configuration, fixed when the object was built, or a private cache
(a leading ``_``). A replica built on the same catalog with the same strategies and settings holds the
same configuration, so copying the live attributes makes it rank exactly as the original does.

`import_live_state` checks that the configurations match (scalars equal, arrays of the same shape and
type) and raises `InvalidInputError` otherwise, so a replica built differently fails loudly rather than
ranking on someone else's numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from dispatch_core.errors import InvalidInputError

if TYPE_CHECKING:
    from dispatch_core.ranking import Dispatcher

LiveState = dict[str, dict[str, Any]]
_SCALARS = (bool, int, float, str, type(None))


def _parts(dispatcher: Dispatcher) -> dict[str, Any]:
    parts: dict[str, Any] = {"capacity": dispatcher.capacity, "exposure": dispatcher.exposure}
    for key, learner in dispatcher.learners_.items():
        parts[f"learner {key}"], parts[f"policy {key}"] = learner, learner.policy
    return parts


def _is_live(name: str) -> bool:
    return name.endswith("_") and not name.startswith("_")


def export_live_state(dispatcher: Dispatcher) -> LiveState:
    """{part: {attribute: value}} of every live attribute, plus each part's scalar configuration under
    ``"config"``. The values are the dispatcher's own objects, not copies: pickle (or copy) the result
    while nothing else can update the dispatcher."""
    state: LiveState = {}
    for name, part in _parts(dispatcher).items():
        attributes = vars(part)
        state[name] = {a: v for a, v in attributes.items() if _is_live(a)}
        state[name]["config"] = {
            a: v for a, v in attributes.items() if not _is_live(a) and not a.startswith("_") and _scalar(v)
        }
    return state


def import_live_state(dispatcher: Dispatcher, state: LiveState) -> None:
    """Make `dispatcher` hold `state` (from `export_live_state` of a dispatcher built like this one); the
    arrays are taken over, not copied."""
    parts = _parts(dispatcher)
    if set(parts) != set(state):
        raise InvalidInputError(f"Live state of parts {sorted(state)}; this dispatcher has {sorted(parts)}.")
    for name, part in parts.items():
        values = dict(state[name])
        config = values.pop("config", {})
        mine = vars(part)
        for attribute, value in config.items():
            if mine.get(attribute) != value:
                raise InvalidInputError(
                    f"{name}.{attribute} is {mine.get(attribute)!r} here but {value!r} in the live state."
                )
        live = {a for a in mine if _is_live(a)}
        if live != set(values):
            raise InvalidInputError(f"{name} has {sorted(live)}; the state {sorted(values)}.")
        for attribute, value in values.items():
            _check_like(f"{name}.{attribute}", mine[attribute], value)
        for attribute, value in values.items():
            setattr(part, attribute, value)


def _scalar(value: Any) -> bool:
    return isinstance(value, (*_SCALARS, np.generic))


def _check_like(where: str, mine: Any, theirs: Any) -> None:
    if isinstance(mine, np.ndarray):
        if not isinstance(theirs, np.ndarray) or theirs.shape != mine.shape or theirs.dtype != mine.dtype:
            got = (theirs.shape, theirs.dtype) if isinstance(theirs, np.ndarray) else type(theirs).__name__
            raise InvalidInputError(f"{where}: an array {mine.shape} {mine.dtype} here, {got} in the state.")
    elif type(mine) is not type(theirs) and not (_scalar(mine) and _scalar(theirs)):
        raise InvalidInputError(f"{where}: {type(mine).__name__} here, {type(theirs).__name__} in the state.")
    elif isinstance(mine, (list, dict)) and len(mine) != len(theirs):
        raise InvalidInputError(f"{where}: {len(mine)} entries here, {len(theirs)} in the state.")
