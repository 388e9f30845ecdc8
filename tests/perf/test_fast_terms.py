"""The cached indexing path must give exactly the postings the analyzers give."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from indexer.analysis import fastterms
from indexer.engines.whoosh.index import FastText, MinutesIndex, build_schema
from indexer.normalise import INVISIBLE_SIGNS
from tests.conftest import CORPUS_CSV, SEED


def corpus_texts() -> list[str]:
    with CORPUS_CSV.open(encoding="utf-8", newline="") as handle:
        texts = [row["indhold"] for row in csv.DictReader(handle)]
    return [*texts, SEED.read_text(encoding="utf-8", errors="replace")]


@pytest.mark.parametrize("kind", sorted(fastterms.KINDS))
def test_fast_positions_equal_the_analyzer_on_the_real_corpus(kind: str) -> None:
    analyzer = fastterms.KINDS[kind].analyzer()
    assert fastterms.supported(kind)
    for text in corpus_texts():
        assert fastterms.term_positions(text, kind) == fastterms.analyzer_positions(text, analyzer)


def with_invisible_signs(text: str) -> str:
    """The text with a sign a reader does not see inside every third word of four letters or more
    (after its second letter, the signs in turn), as Word's pastes and Greve's soft hyphens put them."""
    words = iter(range(1_000_000))
    return re.sub(
        r"(?<!\w)([^\W\d_]{2})(?=[^\W\d_]{2})",
        lambda m: (
            m.group(1) + INVISIBLE_SIGNS[n // 3 % len(INVISIBLE_SIGNS)] if (n := next(words)) % 3 == 0 else m.group(1)
        ),
        text,
    )


@pytest.mark.parametrize("kind", sorted(fastterms.KINDS))
def test_words_with_invisible_signs_index_as_written_without(kind: str) -> None:
    """Real minutes with zero-width joiners, word joiners, byte order marks, zero-width spaces and
    soft hyphens inside their words: the fast path gives what the analyzer gives, and the words are
    the plain text's (the danish and exact fields; the parts fields read suspended compounds,
    "bygge- og anlægsarbejder", by a pattern of their own)."""
    analyzer = fastterms.KINDS[kind].analyzer()
    texts = corpus_texts()[:60]
    planted = [with_invisible_signs(text) for text in texts]
    assert all(sign in "".join(planted) for sign in INVISIBLE_SIGNS)
    for text, signed in zip(texts, planted, strict=True):
        assert fastterms.term_positions(signed, kind) == fastterms.analyzer_positions(signed, analyzer)
        if kind in ("danish", "exact"):
            assert fastterms.term_positions(signed, kind) == fastterms.term_positions(text, kind)


def test_fast_field_postings_equal_whoosh_text_field_postings() -> None:
    schema = build_schema()
    texts = corpus_texts()[:80]
    fast_fields = [name for name in schema.names() if isinstance(schema[name], FastText)]
    assert {"title", "body", "exact"} <= set(fast_fields)
    for name in fast_fields:
        field = schema[name]
        for text in texts:
            fast = sorted(field.index(text))
            slow = sorted(super(FastText, field).index(text))
            assert fast == slow, name


def test_an_index_built_fast_holds_every_analyzer_term(tmp_path: Path) -> None:
    from indexer.cli import ingest

    summary = ingest([SEED], tmp_path / "ix", workers=1)
    assert summary.items_added > 0
    index = MinutesIndex.open(tmp_path / "ix")
    analyzer = index.ix.schema["body"].analyzer
    checked = 0
    with index.ix.searcher() as searcher:
        reader = searcher.reader()
        for fields in searcher.all_stored_fields():
            for term, positions in fastterms.analyzer_positions(fields.get("body") or "", analyzer).items():
                assert ("body", term) in reader
                assert reader.frequency("body", term) >= len(positions)
                checked += 1
    assert checked >= 50
