"""Explanations the customer reads, built only from the factors dispatch_core used, and their checker.

- `explain(rec, shop, language, make, needs)`: why a recommendation was offered, in plain English or Chinese;
- `right_to_choose_notice(language)`: the customer may choose any shop, including one not offered;
- `check_faithfulness(text, rec, shop)`: every number and claim of a text backed by the recommendation;
- `recommendation_payload(rec, shop, language, make, needs)`: the API contract's Recommendation object.
"""

from assistant.explain.compose import explain, right_to_choose_notice
from assistant.explain.faithfulness import check_faithfulness
from assistant.explain.needs import ExplainNeeds
from assistant.explain.payload import recommendation_payload

__all__ = [
    "ExplainNeeds",
    "check_faithfulness",
    "explain",
    "recommendation_payload",
    "right_to_choose_notice",
]
