"""`check_faithfulness`: the problems of an explanation against its recommendation; empty means faithful.

Every number must equal, at the precision printed, a value of the right quantity (a distance in km must be
the recommendation's distance, a % one of its rates x 100; a bare number any citeable value), and every worded
claim must be backed by its factors or shop fields (see `claims.CLAIMS`). The eval suite scores explanation
faithfulness with it.
"""

from __future__ import annotations

import unicodedata

from assistant.explain.claims import CLAIMS, clauses, is_negated
from assistant.explain.facts import Facts
from assistant.explain.numbers import Stated, stated_numbers
from dispatch_core.domain import Recommendation
from retrieval.catalog.table import Shop

# Which citeable values a number of each unit kind may be; percentages are rates x 100.
KIND_FACTS: dict[str, tuple[str, ...]] = {
    "distance": ("distance_km",),
    "minutes": ("travel_minutes",),
    "reviews": ("review_count",),
    "bays": ("free_bays", "bays"),
    "days": ("expected_wait_days", "cycle_days", "deadline_slack_days", "mean_cycle_days"),
    "percent": ("complaint_rate", "rework_rate"),
    "rating": ("rating",),
    "months": ("warranty_months",),
    "cars": ("courtesy_cars",),
    "technicians": ("technicians",),
    "hours": ("open_hour", "close_hour"),
}


def check_faithfulness(text: str, rec: Recommendation, shop: Shop) -> list[str]:
    """Problems of `text` as an explanation of `rec` at `shop`, one sentence each; [] when faithful."""
    if rec.shop_id != shop.shop_id:
        return [
            f"The text is checked against shop {shop.shop_id}, but the recommendation is of {rec.shop_id}."
        ]
    facts = Facts.of(rec, shop)
    text = unicodedata.normalize("NFKC", text)  # full-width digits and punctuation read as ASCII
    citeable = facts.citeable()
    problems = [_number_problem(s, citeable, rec.shop_id) for s in stated_numbers(text)]
    for clause in clauses(text):
        negated = is_negated(clause)
        for claim in CLAIMS:
            if not claim.pattern.search(clause):
                continue
            check = claim.denied if negated and claim.denied is not None else claim.holds
            if not check(facts, clause):
                said = "denies" if negated and claim.denied is not None else "claims"
                problems.append(
                    f"{clause!r} {said} {claim.name!r}, which the data of {rec.shop_id} do not back."
                )
    return [p for p in problems if p]


def _number_problem(stated: Stated, citeable: dict[str, list[float]], shop_id: str) -> str:
    names = KIND_FACTS.get(stated.kind, tuple(citeable))
    scale = 100.0 if stated.kind == "percent" else 1.0
    values = [abs(v) * scale for name in names for v in citeable.get(name, ())]
    tolerance = 0.5 * 10.0**-stated.decimals + 1e-9  # whatever rounds to the printed digits
    if any(abs(v - stated.value) <= tolerance for v in values):
        return ""
    shown = ", ".join(f"{v:.{stated.decimals}f}" for v in sorted(set(values))[:8]) or "none"
    return (
        f"{stated.text!r} ({stated.kind}) matches no {'/'.join(names) if stated.kind != 'any' else 'value'} "
        f"of {shop_id} at the precision printed (candidates: {shown})."
    )
