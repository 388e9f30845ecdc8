"""Texts as word ids (``indexer.analysis.tokens``): the analysis tokeniser's words, line by line."""

from __future__ import annotations

import re

import pytest

from indexer.analysis import tokens
from indexer.analysis.danish import WORD_PATTERN
from indexer.formats import IngestContext, iter_inputs
from tests.conftest import CORPUS_CSV

GREVE = CORPUS_CSV.parents[1] / "firstagenda-api" / "greve"


def _real_texts() -> list[str]:
    """Section texts, headings and titles of real items (Greve API documents, corpus rows)."""
    texts: list[str] = []
    for path, module in list(iter_inputs([GREVE]))[:40] + list(iter_inputs([CORPUS_CSV])):
        assert module is not None
        for meeting in module.parse(path, IngestContext(extract_text=False)):
            for item in meeting.items:
                texts.append(item.title)
                texts += [f"{s.heading}\n{s.text}" for s in item.sections]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = _real_texts()
    assert len(found) > 1000 and sum("\n" in t for t in found) > 500
    return found


def _words(ids: object) -> list[str]:
    return [tokens.VOCABULARY.words[i] for i in ids]  # type: ignore[attr-defined]


def test_word_ids_are_the_tokenisers_words(texts: list[str]) -> None:
    pattern = re.compile(WORD_PATTERN)
    for text in texts:
        assert _words(tokens.word_ids(text)) == pattern.findall(text)
    # Joins by newlines (the writer's body, the classifier's) are their parts' words in order.
    joined = "\n\n".join(texts[:50])
    assert _words(tokens.word_ids(joined)) == pattern.findall(joined)


def test_many_texts_at_once_are_each_text_alone(texts: list[str]) -> None:
    chosen = [*texts[:300], "", "\n\n", "x\n", *texts[300:400]]
    ids, lengths = tokens.many_word_ids(chosen)
    assert len(lengths) == len(chosen) and int(lengths.sum()) == len(ids)
    at = 0
    for text, length in zip(chosen, lengths.tolist(), strict=True):
        assert ids[at : at + length].tolist() == tokens.word_ids(text).tolist()
        at += length


def test_the_vocabulary_and_line_cache_start_over_past_their_limits(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern = re.compile(WORD_PATTERN)
    monkeypatch.setattr(tokens, "VOCABULARY_LIMIT", 2_000)
    monkeypatch.setattr(tokens, "LINE_CACHE_LIMIT", 300)
    generation = tokens.VOCABULARY.generation
    for text in texts:
        tokens.VOCABULARY.check_limit()
        assert _words(tokens.word_ids(text)) == pattern.findall(text)
    assert tokens.VOCABULARY.generation > generation + 2
    assert len(tokens.VOCABULARY.lines) <= 300 + max(t.count("\n") + 1 for t in texts)
