"""Compound parts find their compounds, ranked below items with the exact word."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from indexer.search.service import SearchRequest, SearchService
from tests.helpers import quiet_ingest, seed_meeting, write_jsonl


def seed_and_a_rewritten_copy(tmp_path: Path, rewrite: Callable[[str], str]) -> SearchService:
    """The seed item (its body says "personalepolitikken" once, never "politik") beside a copy
    titled "Orientering om arbejdsmiljø" whose sections' text is ``rewrite`` of the seed's."""
    meeting = seed_meeting()
    copied = copy.deepcopy(meeting.items[0])
    copied.number, copied.title = "2", "Orientering om arbejdsmiljø"
    for section in copied.sections:
        section.text = rewrite(section.text)
    meeting.items.append(copied)
    meeting.finalise()
    root = tmp_path / "ix"
    quiet_ingest([write_jsonl(tmp_path / "m.jsonl", [meeting])], root)
    return SearchService(root)


def test_part_of_a_compound_finds_it_below_the_exact_word(tmp_path: Path) -> None:
    service = seed_and_a_rewritten_copy(tmp_path, lambda _: "Udvalget drøftede kommunens politik for arbejdsmiljø.")
    ranked = [r["title"] for r in service.search(SearchRequest(q="politik")).results]
    assert ranked == ["Orientering om arbejdsmiljø", "Sociale medier i arbejdsmæssig sammenhæng"]
    # and precision: "rådhus" is not "rådgivning"
    assert service.search(SearchRequest(q="rådhus")).total == 0


def test_a_compound_typed_as_two_words_finds_the_compound_first(tmp_path: Path) -> None:
    # the copy has the same text, with the two words apart
    service = seed_and_a_rewritten_copy(
        tmp_path, lambda text: text.replace("personalepolitikken", "personalet og kommunens politik")
    )
    ranked = [r["title"] for r in service.search(SearchRequest(q="personale politik")).results]
    assert ranked == ["Sociale medier i arbejdsmæssig sammenhæng", "Orientering om arbejdsmiljø"]
    # The compound alone finds only the item that writes it as one word; so does the compound
    # written with a hyphen, which no item writes.
    assert service.search(SearchRequest(q="personalepolitikken")).total == 1
    hyphen = service.search(SearchRequest(q="personale-politikken", literal=True))
    assert [r["title"] for r in hyphen.results] == ["Sociale medier i arbejdsmæssig sammenhæng"]


def test_a_compound_typed_solid_finds_it_written_apart(tmp_path: Path) -> None:
    """Minutes often write a compound as two words ("personale politikken"): the compound typed
    solid finds that item too, and only where the two words stand together."""
    service = seed_and_a_rewritten_copy(
        tmp_path, lambda text: text.replace("personalepolitikken", "den nye personale politikken")
    )
    found = {r["title"] for r in service.search(SearchRequest(q="personalepolitikken")).results}
    assert found == {"Sociale medier i arbejdsmæssig sammenhæng", "Orientering om arbejdsmiljø"}
    (tmp_path / "not-together").mkdir()
    apart = seed_and_a_rewritten_copy(
        tmp_path / "not-together", lambda text: text.replace("personalepolitikken", "personalet og kommunens politik")
    )
    found = {r["title"] for r in apart.search(SearchRequest(q="personalepolitikken")).results}
    assert found == {"Sociale medier i arbejdsmæssig sammenhæng"}


def test_on_the_demo_rows_a_compound_typed_solid_finds_the_item_writing_it_apart(demo: SearchService) -> None:
    """An item writes "OB(overflade belægning)" and never the compound: before, nothing was found."""
    found = demo.search(SearchRequest(q="overfladebelægning"))
    assert [r["title"] for r in found.results][:1] == ["Evaluering af funktionskontrakt med Katrine Henriksen"]
