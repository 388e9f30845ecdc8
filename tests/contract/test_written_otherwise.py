"""Words written in another Unicode form find, and are found as, the plain words, on every engine.

Greve's FirstAgenda texts hold soft hyphens where a line may break ("fun\\u00addamentet",
"ind\\u00adgribende"): each was two words, so "fundamentet" missed the item.  A query pasted from a
PDF or a phone (a ligature, full-width digits, "a" and a combining ring) is the plain query.  A
zero-width joiner, word joiner, byte order mark or zero-width space pasted into a word from Word
parted it in two as the soft hyphen did ("præsen\\u200dterer"); planted in a copy of the same
meeting, each word is found as the word.  (A compound parted at its joint, "opgave\\u200dglidning",
was found before too, by the rule for compounds written apart, but as two words.)
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator

import pytest

from indexer.search.service import SearchRequest, SearchService
from tests.conftest import REPO
from tests.contract.engines import ENGINES
from tests.helpers import quiet_ingest

MEETING = (
    REPO
    / "tests"
    / "fixtures"
    / "firstagenda-api"
    / "greve"
    / "Sundheds- og Omsorgsudvalget_2022-03-14T15:30:00+01:00_cb0891e8-f2be-4ca8-90fc-9ad1537e9451.json"
)


@pytest.fixture(scope="module", params=ENGINES)
def greve(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    location = request.param(tmp_path_factory.mktemp("written"))
    assert "fun\u00addamentet" in MEETING.read_text(encoding="utf-8")
    assert quiet_ingest([MEETING], location).items_added
    service = SearchService(location)
    yield service
    service.close()


def ids(service: SearchService, q: str) -> list[str]:
    return [hit["id"] for hit in service.search(SearchRequest(q=q, literal=True, per_page=50)).results]


@pytest.mark.parametrize("word", ["fundamentet", "indgribende", '"udgangspunktet og fundamentet for indsatsen"'])
def test_a_word_with_a_soft_hyphen_is_found_as_the_word(greve: SearchService, word: str) -> None:
    assert len(ids(greve, word)) == 1, word


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("\ufb01nansiering", "finansiering"),  # a ligature, as PDFs give it
        ("budget \uff12\uff10\uff12\uff12", "budget 2022"),  # full-width digits
        (unicodedata.normalize("NFD", "årsrapporten"), "årsrapporten"),  # a + combining ring
        ("ind\u00adgribende", "indgribende"),
    ],
)
def test_a_query_written_otherwise_finds_what_the_plain_one_finds(
    greve: SearchService, written: str, plain: str
) -> None:
    found = ids(greve, plain)
    assert found, plain
    assert ids(greve, written) == found, written


def test_the_text_is_shown_as_written(greve: SearchService) -> None:
    """Only the terms compare normalised: the item's text keeps its soft hyphen."""
    (item_id,) = ids(greve, "fundamentet")
    item = greve.get_item(item_id)
    assert item is not None and "fun\u00addamentet" in json.dumps(item["sections"], ensure_ascii=False)


# (the word as Greve's text has it, once, in one item; the same word with an invisible sign inside)
JOINED = [
    ("præsenterer", "præsen\u200dterer"),  # ZERO WIDTH JOINER
    ("omstændigheder", "omstæn\u200cdigheder"),  # ZERO WIDTH NON-JOINER
    ("uanmeldte", "uan\u2060meldte"),  # WORD JOINER
    ("berettiget", "beretti\ufeffget"),  # ZERO WIDTH NO-BREAK SPACE (a byte order mark)
    ("forveksles", "for\u200bveksles"),  # ZERO WIDTH SPACE
]


@pytest.fixture(scope="module", params=ENGINES)
def joined(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    """The Greve meeting with each of those words written with its sign, on each engine."""
    text = MEETING.read_text(encoding="utf-8")
    for plain, written in JOINED:
        assert text.count(plain) == 1, plain
        text = text.replace(plain, json.dumps(written)[1:-1])  # as the JSON escapes it
    copy = tmp_path_factory.mktemp("joined-source") / MEETING.name
    copy.write_text(text, encoding="utf-8")
    location = request.param(tmp_path_factory.mktemp("joined"))
    assert quiet_ingest([copy], location).items_added
    service = SearchService(location)
    yield service
    service.close()


@pytest.mark.parametrize(("plain", "written"), JOINED, ids=[plain for plain, _ in JOINED])
def test_a_word_with_a_zero_width_sign_is_found_as_the_word(joined: SearchService, plain: str, written: str) -> None:
    (item_id,) = ids(joined, plain)
    assert ids(joined, written) == [item_id]  # pasted with its sign, the query is the word too
    item = joined.get_item(item_id)
    assert item is not None and written in json.dumps(item, ensure_ascii=False)  # shown as written
