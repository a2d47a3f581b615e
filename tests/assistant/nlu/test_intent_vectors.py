from __future__ import annotations

from assistant.nlu.intent_vectors import EXAMPLES, EmbeddingIntentMatcher, intents_with_fallback
from tests.fakes import HashingEmbedder


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        self.queries = 0

    def embed_queries(self, texts: list[str]):  # type: ignore[no-untyped-def]
        self.queries += len(texts)
        return super().embed_queries(texts)


def test_a_near_copy_of_an_example_gets_its_intent() -> None:
    matcher = EmbeddingIntentMatcher(HashingEmbedder(), threshold=0.8)
    assert matcher.intents("put me through to a person please") == {"human"}


def test_an_unrelated_message_gets_no_intent() -> None:
    matcher = EmbeddingIntentMatcher(HashingEmbedder(), threshold=0.8)
    assert matcher.intents("the rear bumper is cracked") == frozenset()


def test_answers_are_cached_so_a_repeat_costs_no_embedding() -> None:
    embedder = CountingEmbedder()
    matcher = EmbeddingIntentMatcher(embedder, threshold=0.8)
    embedder.queries = 0  # the fake embeds passages as queries
    matcher.intents("hello there friend")
    matcher.intents("hello there friend")
    assert embedder.queries == 1


def test_the_fallback_runs_only_when_the_patterns_find_nothing() -> None:
    embedder = CountingEmbedder()
    matcher = EmbeddingIntentMatcher(embedder, threshold=0.8)
    embedder.queries = 0
    assert intents_with_fallback("转人工", matcher) == {"human"} and embedder.queries == 0
    assert intents_with_fallback("put me through to a person please", matcher) == {"human"}
    assert embedder.queries == 1


def test_every_intent_has_examples_in_both_languages() -> None:
    for name, texts in EXAMPLES.items():
        assert any(t.isascii() for t in texts) and any(not t.isascii() for t in texts), name
