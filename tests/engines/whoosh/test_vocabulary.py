""" "Mente du" from the index-wide vocabulary gives Whoosh's spelling corrector's answers.

A real index in several segments (the seed, the corpus rows, a replaced item whose old
document stays deleted, and a closed item with a word of its own, which is never indexed): each segment's words
read as arrays are its term table's, and for misspellings made from the index's own
words (a letter dropped, added, changed, two swapped) the vocabulary's suggestions are
those of Whoosh's ``ReaderCorrector``, word for word and in the same order.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh.spelling import Corrector

from indexer.engines.whoosh.vocabulary import MAX_TERM_BYTES, Vocabulary, segment_words
from indexer.search.service import SearchService
from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import NORDDJURS, closed_copy, quiet_ingest, replace_keeping_deleted, seed_meeting, write_jsonl

CLOSED_WORD = "skjultordsag"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    tmp = tmp_path_factory.mktemp("vocabulary")
    root = tmp / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    quiet_ingest([CORPUS_CSV], root)
    secret = closed_copy(seed_meeting(), CLOSED_WORD)
    secret.id, secret.items[0].id = "closed-meeting", "closed-item"
    quiet_ingest([write_jsonl(tmp / "closed.jsonl", [secret.finalise()])], root)
    changed = seed_meeting()
    changed.items[0].sections[0].text += " Revideret udgave."
    changed.finalise()
    replace_keeping_deleted(root, changed)
    service = SearchService(root)
    reader = service.engine.searcher().reader()
    assert len(reader.leaf_readers()) > 2 and reader.has_deletions()
    return service


def misspellings(words: list[str], count: int, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzæøå"
    out = []
    for _ in range(count):
        word = list(rng.choice(words))
        at = rng.randrange(len(word))
        edit = rng.randrange(4)
        if edit == 0 and len(word) > 4:
            del word[at]
        elif edit == 1:
            word.insert(at, rng.choice(letters))
        elif edit == 2:
            word[at] = rng.choice(letters)
        elif at + 1 < len(word):
            word[at], word[at + 1] = word[at + 1], word[at]
        out.append("".join(word))
    return out


@pytest.mark.parametrize("prefix", ["", "b", "s", "ø", "x"])
def test_segment_words_are_the_term_tables(service: SearchService, prefix: str) -> None:
    for leaf, _ in service.engine.searcher().reader().leaf_readers():
        words = segment_words(leaf._terms, "exact", prefix.encode())
        assert words is not None
        expected = [t for t in leaf.lexicon("exact") if t.startswith(prefix.encode()) and len(t) <= MAX_TERM_BYTES]
        assert words.keys.tolist() == expected
        assert words.frequencies.tolist() == [leaf.frequency("exact", t) for t in expected]


class VocabularyCorrector(Corrector):  # type: ignore[misc]
    """Whoosh's corrector ranking (``Corrector.suggest``) over a ``Vocabulary``'s near words, to
    hold the vocabulary to the words and frequencies Whoosh's own corrector walks."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    def _suggestions(self, text: str, maxdist: int, prefix: int) -> Iterator[tuple[float, str]]:
        for word, frequency in self.vocabulary.near(text, maxdist, prefix):
            yield 0 - (maxdist + (1.0 / (frequency or 1) * 0.5)), word  # ReaderCorrector's score


def _open_near(engine: Any, searcher: Any, word: str) -> tuple[list[str], list[str]]:
    """The engine's near words of ``word`` and Whoosh's reader's, open ones only, both sorted."""
    whoosh = [w for w in searcher.reader().terms_within("exact", word, 2, prefix=1) if w != word]
    return sorted(w for w, _ in engine.near_words(word)), sorted(w for w in whoosh if engine.has_word(w))


def test_suggestions_are_whooshs(service: SearchService) -> None:
    engine = service.engine
    searcher = engine.searcher()
    known = [w.decode() for w in searcher.reader().lexicon("exact") if len(w) >= 4]
    typed = [*misspellings(known, 400), "llers", "budgettt", "sociale", "øknomi", "x", CLOSED_WORD[:-1] + "x"]
    suggesting = 0
    for word in typed:
        whoosh = searcher.corrector("exact").suggest(word, limit=5, maxdist=2, prefix=1)
        vocabulary = engine.vocabulary(searcher, word[:1])
        assert vocabulary is not None
        assert VocabularyCorrector(vocabulary).suggest(word, limit=5, maxdist=2, prefix=1) == whoosh, word
        engine_words, whoosh_words = _open_near(engine, searcher, word)
        assert engine_words == whoosh_words, word
        suggesting += bool(whoosh)
    assert suggesting > 300, "most misspellings have suggestions"


def test_a_closed_word_is_never_a_candidate(service: SearchService) -> None:
    """A closed item is indexed as a stub without its text: its word is in no term table,
    so neither in the vocabulary nor among the suggestions."""
    engine = service.engine
    searcher = engine.searcher()
    typo = CLOSED_WORD[:-1] + "x"
    vocabulary = engine.vocabulary(searcher, typo[:1])
    assert vocabulary is not None and "sag" in vocabulary.words and CLOSED_WORD not in vocabulary.words
    assert CLOSED_WORD not in VocabularyCorrector(vocabulary).suggest(typo, limit=5, maxdist=2, prefix=1)
    assert CLOSED_WORD not in (service.did_you_mean(typo) or "")


def test_a_word_longer_than_the_vocabulary_holds_goes_to_whoosh(service: SearchService) -> None:
    long_word = "kommunalbestyrelsesmedlemmernes" * 2
    assert not Vocabulary.answers(long_word, 2)
    assert Vocabulary.answers("budgett", 2)
    engine = service.engine
    engine_words, whoosh_words = _open_near(engine, engine.searcher(), long_word)
    assert engine_words == whoosh_words


def test_a_commit_is_seen(service: SearchService, tmp_path: Path) -> None:
    """The vocabulary belongs to one index state: a word a new commit brings is suggested."""
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    fresh = SearchService(root)
    assert "vandløbsregulativerne" not in dict(fresh.engine.near_words("vandløbsregulativernx"))
    later = seed_meeting()
    later.id, later.items[0].id = "later-meeting", "later-item"
    later.items[0].sections[0].text += " Vandløbsregulativerne er revideret."
    quiet_ingest([write_jsonl(tmp_path / "later.jsonl", [later.finalise()])], root)
    assert "vandløbsregulativerne" in dict(fresh.engine.near_words("vandløbsregulativernx"))
