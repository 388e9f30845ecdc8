"""A verb finds the items writing its noun, and the noun the items writing the verb, below the
items writing the typed form (the verb families in the compound-parts field; see
``tests/analysis/test_verb_families.py``).  In the demo rows demolition is written both ways:
"nedrivning af ejendommen", "byhuset er nedrevet", "at nedrive"."""

from __future__ import annotations

import re
from statistics import median

from indexer.search.service import SearchRequest, SearchService

NOUN = re.compile(r"\bnedrivning(?:en|er|erne)?\b", re.IGNORECASE)  # the word, not inside a compound
VERB = re.compile(r"\bned(?:rive|rives|revet|rev)\b", re.IGNORECASE)


def writes(service: SearchService, item_id: str, form: re.Pattern[str]) -> bool:
    item = service.engine.item(item_id)
    assert item is not None
    return bool(form.search(" ".join([item.title, *item.texts.values()])))


def test_the_noun_finds_the_items_writing_the_verb_below_those_writing_the_noun(demo: SearchService) -> None:
    ids = [r["id"] for r in demo.search(SearchRequest(q="nedrivning", per_page=100)).results]
    nouns = [i for i in ids if writes(demo, i, NOUN)]
    verbs_only = [i for i in ids if writes(demo, i, VERB) and not writes(demo, i, NOUN)]
    assert len(verbs_only) >= 3 and len(nouns) >= 5
    # the verb weighs less than the noun typed: before the first item writing only the verb stand
    # at least five writing the noun, and the verb's items lie below the noun's on the whole.  Not
    # every one: a word's weight falls with the length of the text it stands in (BM25_B), so a
    # short text writing "nedrive" twice may pass one of 580 words writing "nedrivning" twice.
    first_verb = min(ids.index(i) for i in verbs_only)
    assert sum(1 for i in nouns if ids.index(i) < first_verb) >= 5
    assert median(ids.index(i) for i in nouns) < median(ids.index(i) for i in verbs_only)


def test_the_verb_finds_the_items_writing_only_the_noun(demo: SearchService) -> None:
    ids = [r["id"] for r in demo.search(SearchRequest(q="nedrive", per_page=100)).results]
    assert writes(demo, ids[0], VERB)
    nouns_only = [i for i in ids if not writes(demo, i, VERB)]
    assert nouns_only and all(writes(demo, i, NOUN) for i in nouns_only)


def test_a_loan_verb_finds_the_items_writing_its_ation_noun_below_its_own(demo: SearchService) -> None:
    """ "dispensere" and "dispensation": few items write the verb, many the noun."""
    verb = re.compile(r"\bdispenser(?:e|er|es|et|ede)\b", re.IGNORECASE)
    noun = re.compile(r"\bdispensation(?:en|er|erne)?\b", re.IGNORECASE)
    ids = [r["id"] for r in demo.search(SearchRequest(q="dispensere", per_page=100)).results]
    verbs = [i for i in ids if writes(demo, i, verb)]
    nouns_only = [i for i in ids if writes(demo, i, noun) and not writes(demo, i, verb)]
    assert verbs and len(nouns_only) >= 3
    assert max(ids.index(i) for i in verbs) < min(ids.index(i) for i in nouns_only)
