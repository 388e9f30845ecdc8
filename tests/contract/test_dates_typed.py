"""A date typed in a query finds the items of the meeting held on it.

People name an item by the meeting it was on: "kb meddelelser 26. november 2014", "eventuelt
mødesystemgruppen oktober 2016".  Items seldom write their own meeting's date, and a standing
item ("Meddelelser", "Eventuelt") has the same title at every meeting, so the words alone cannot
pick it.  Every open item's meeting date is indexed in words (``dates.date_in_words``), and a
day and month, or a month and year, typed among the words, or a year typed alone, is held by the
items of such a meeting as well as by the text writing it, on every engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from indexer.dates import date_in_words
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService
from tests.contract.engines import ENGINES
from tests.helpers import closed_copy, quiet_ingest, seed_meeting, variant, write_jsonl


def runs(text: str) -> list[str]:
    node = ast.parse(text)
    children = node.children if isinstance(node, ast.And) else (node,) if node else ()
    return [words for _, _, words in ast.date_runs(children)]


def test_a_date_typed_is_read_as_the_meetings_date_in_words() -> None:
    assert runs("kb meddelelser 26. november 2014") == ["26 november 2014"]
    assert runs("eventuelt oktober 2016") == ["oktober 2016"]
    assert runs("orienteringspunkt 9 nov. 2017") == ["9 november 2017"]
    assert runs("møde 3. maj") == ["3 maj"]
    # the number before a month that is no day is left out of the date: "punkt 10 august" has one
    assert runs("hvorfor udgik punkt 40 august 2014") == ["august 2014"]
    # a year alone is the meetings of that year; a month alone or a day with no month names none
    assert runs("budget 2014") == ["2014"]
    assert runs("maj") == runs("punkt 26") == runs("nr. 3 i maj") == []
    # in a field or quoted the words are the text's alone
    assert runs("titel:oktober 2016") == ["2016"]  # the field holds "oktober"; "2016" is a word beside it
    assert ast.expand_dates(ast.parse('"oktober 2016"')) == ast.parse('"oktober 2016"')


def test_the_date_is_held_by_the_text_writing_it_or_by_the_meeting() -> None:
    assert ast.expand_dates(ast.parse("meddelelser oktober 2016")) == ast.And(
        (
            ast.Word("meddelelser"),
            ast.Or((ast.And((ast.Word("oktober"), ast.Word("2016"))), ast.Phrase("oktober 2016", field="meeting"))),
        )
    )


def test_a_year_typed_alone_is_held_by_the_text_or_by_that_years_meetings() -> None:
    assert ast.expand_dates(ast.parse("2016")) == ast.Or((ast.Word("2016"), ast.Phrase("2016", field="meeting")))
    # a number of four digits that is no year of ours, and a year in a field, stay as typed
    assert ast.expand_dates(ast.parse("1450")) == ast.Word("1450")
    assert ast.expand_dates(ast.parse("titel:2016")) == ast.parse("titel:2016")


def test_a_meetings_date_in_words() -> None:
    assert date_in_words(date(2014, 11, 26)) == "26 november 2014"
    assert date_in_words(datetime(2016, 10, 6, 13, 0)) == "6 oktober 2016"
    # a meeting known by its year only is no day in January
    assert date_in_words(date(2016, 1, 1), "year") == "2016"
    assert date_in_words(None) == ""


@pytest.fixture(scope="module", params=ENGINES)
def meetings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SearchService, dict[str, str]]]:
    """The seed item (5 December 2022) at two later meetings with the same title and text, one
    more whose text writes a date its meeting was not held on, and a closed one."""
    tmp = tmp_path_factory.mktemp("dates")
    location = request.param(tmp)
    seed = seed_meeting()
    january = variant(seed, start=seed.start.replace(year=2023, month=1, day=16))
    march = variant(seed, start=seed.start.replace(year=2024, month=3, day=5))
    written = variant(seed, committee="Økonomiudvalget", start=seed.start.replace(year=2025, month=6, day=2))
    written.items[0].sections[0].text += " Retningslinjerne blev vedtaget den 14. februar 2021."
    written.finalise()
    closed = variant(closed_copy(seed, "hemmeligordxyz"), start=seed.start.replace(year=2024, month=4, day=9))
    meetings_ = [seed, january, march, written, closed]
    assert not quiet_ingest([write_jsonl(tmp / "m.jsonl", meetings_)], location).rejected
    service = SearchService(location)
    ids = {
        "seed": seed.items[0].id,
        "january": january.items[0].id,
        "march": march.items[0].id,
        "written": written.items[0].id,
        "closed": closed.items[0].id,
    }
    yield service, ids
    service.close()


def _ids(service: SearchService, q: str) -> list[str]:
    # the seed's copies are one case's treatments by their text: each listed as a row of its own
    return [hit["id"] for hit in service.search(SearchRequest(q=q, every_treatment=True)).results]


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("sociale medier 16. januar 2023", "january"),
        ("sociale medier januar 2023", "january"),
        ("sociale medier 5. marts 2024", "march"),
        ("sociale medier marts 2024", "march"),
        ("sociale medier 5. dec. 2022", "seed"),
        ("sociale medier 2023", "january"),
        # the text writing the date holds it as well
        ("sociale medier 14. februar 2021", "written"),
    ],
)
def test_every_engine_finds_the_item_of_the_meeting_on_the_date_typed(
    meetings: tuple[SearchService, dict[str, str]], typed: str, first: str
) -> None:
    service, ids = meetings
    found = _ids(service, typed)
    assert found[:1] == [ids[first]]
    # the items of the other meetings lack the date: the first answer is the only whole one
    assert service.search(SearchRequest(q=typed)).partial is not None or len(found) == 1


def test_a_year_alone_finds_the_items_of_that_years_meetings(meetings: tuple[SearchService, dict[str, str]]) -> None:
    service, ids = meetings
    # no text writes "2023" or "2024": the year is the meetings'
    assert _ids(service, "2023") == [ids["january"]]
    assert _ids(service, "2024") == [ids["march"]]  # the closed item's meeting was in 2024 too
    # the text writing a year holds it as well: 2021 is written in one item's text only
    assert _ids(service, "2021") == [ids["written"]]
    # every copy's text writes 2022; the item of 2022's meeting, which holds it twice over, comes first
    found = _ids(service, "2022")
    assert found[0] == ids["seed"] and ids["closed"] not in found and len(found) == 4


def test_a_closed_item_is_never_found_by_its_meetings_date(meetings: tuple[SearchService, dict[str, str]]) -> None:
    service, ids = meetings
    for typed in ("9. april 2024", "april 2024", "sociale medier april 2024", "hemmeligordxyz april 2024"):
        assert ids["closed"] not in _ids(service, typed), typed
    assert service.search(SearchRequest(q="9. april 2024")).total == 0


def test_a_document_rebuilt_from_its_stored_fields_keeps_its_meetings_date(tmp_path: Path) -> None:
    """A rewrite from the stored fields (``minutes topics`` after a new KLE table) indexes the
    meeting's date again: it is not stored, so it is read from the meeting the item keeps."""
    root = tmp_path / "ix"
    MinutesIndex.create(root, profile="danish")
    seed = seed_meeting()
    # a meeting known by its year alone (an export giving no day) keeps its year, no day
    yearly = variant(seed, committee="Økonomiudvalget", date_precision="year", native_id="m-2016")
    yearly.start = seed.start.replace(year=2016, month=1, day=1)
    yearly.finalise()
    assert not quiet_ingest([write_jsonl(tmp_path / "m.jsonl", [seed, yearly])], root).rejected
    index = MinutesIndex.open(root)
    with index.ix.searcher() as searcher:
        stored = {fields["committee"]: dict(fields) for fields in searcher.documents(access="open")}
    assert all("meeting_text" not in fields for fields in stored.values())
    assert index.with_derived_fields(stored[seed.committee])["meeting_text"] == "5 december 2022"
    assert index.with_derived_fields(stored["Økonomiudvalget"])["meeting_text"] == "2016"
    # and its precision, which the date filters read, from the meeting the item keeps
    for committee, precision in ((seed.committee, "day"), ("Økonomiudvalget", "year")):
        fields = {k: v for k, v in stored[committee].items() if k != "date_precision"}
        assert index.with_derived_fields(fields)["date_precision"] == precision
    # as freshly indexed: the year finds it; a month of that year holds it not (no guessed 1 January)
    service = SearchService(root)
    assert [hit["id"] for hit in service.search(SearchRequest(q="sociale medier 2016")).results][:1] == [
        yearly.items[0].id
    ]
    in_january = service.search(SearchRequest(q="sociale medier januar 2016"))
    assert in_january.partial is not None and in_january.partial.whole == 0
    service.close()
