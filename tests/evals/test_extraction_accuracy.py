"""Gate: field accuracy of the local extractor on the labelled bilingual set is at least 0.95."""

from __future__ import annotations

from collections import Counter

from assistant.nlu import detect_intents
from assistant.preferences import Preferences
from evals.extraction_accuracy import FIELDS, GATE, evaluate, intent_accuracy, load_items, local_extract

SCHEMA_FIELDS = {
    f for f in FIELDS if f not in ("location_ref", "chosen_shop") and not f.startswith("third_party")
}


def test_the_labelled_set_is_large_and_every_split_is_half_chinese_half_english() -> None:
    items = load_items()
    assert len(items) >= 120
    splits = Counter((i["split"], i["lang"]) for i in items)
    assert {split for split, _ in splits} == {"dev", "heldout", "probe", "blind"}
    for split in ("dev", "heldout", "probe", "blind"):
        assert splits[(split, "en")] == splits[(split, "zh")] > 0, split
    assert len({i["id"] for i in items}) == len(items)


def test_every_schema_field_is_labelled_in_both_languages() -> None:
    items = load_items()
    for lang in ("en", "zh"):
        labelled = {path for i in items if i["lang"] == lang for path in i["expect"]} | {"language"}
        assert labelled >= SCHEMA_FIELDS, (lang, SCHEMA_FIELDS - labelled)


def test_negations_corrections_and_multi_turn_items_are_covered() -> None:
    items = load_items()
    assert sum("prior" in i for i in items) >= 4
    assert sum(len(i.get("turns", [])) > 1 for i in items) >= 4
    assert sum(i["expect"].get("needs_courtesy_car") is False for i in items) >= 4


def test_local_field_accuracy_meets_the_gate_per_language_and_on_the_heldout_half() -> None:
    result = evaluate(local_extract(), load_items())
    accuracy = result["accuracy"]
    for group in ("all", "en", "zh", "heldout"):
        assert accuracy[("*", group)] >= GATE, (group, result["misses"])


def test_intents_of_the_last_message_are_mostly_right() -> None:
    assert intent_accuracy(detect_intents, load_items())["all"] >= 0.9


def test_an_extractor_that_finds_nothing_scores_zero_but_language() -> None:
    result = evaluate(lambda text, prior: Preferences(), load_items())
    assert result["accuracy"][("*", "all")] < 0.1


def test_false_positives_cost_accuracy() -> None:
    def always_shanghai(text: str, prior: Preferences | None) -> Preferences:
        return local_extract()(text, prior).model_copy(update={"city": "Shanghai"})

    assert evaluate(always_shanghai, load_items())["accuracy"][("city", "all")] < 0.2
