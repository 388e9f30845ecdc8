"""One meeting is one meeting, whatever format or spelling it arrives in.

The meeting id is computed from municipality, committee and date, so the
municipality must come out in one spelling from every source, and a dagsorden
read from the portal's JSON API must land on the same items as the referat page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.formats import IngestContext, edoc, firstagenda, publication
from indexer.model import Meeting, MeetingKind
from indexer.municipalities import (
    MUNICIPALITY_CODES,
    canonical_municipality,
    municipality_from_location,
    municipality_name,
)
from indexer.search.service import SearchService
from tests.conftest import SAMPLES
from tests.helpers import quiet_ingest

EDOC = SAMPLES / "edoc" / "ballerup-sundhedsudvalget-2012" / "04-12-2012 13:00:00"
BALLERUP_PUBLICATION = SAMPLES / "publication" / "ballerup-it-udvalget-2013"
MINUTES_PAGE = SAMPLES / "firstagenda" / "aarhus-2025" / "example_minutes.html"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Ballerup", "Ballerup Kommune"),
        ("ballerup kommune", "Ballerup Kommune"),
        ("  Ballerup   Kommune ", "Ballerup Kommune"),
        ("Århus", "Aarhus Kommune"),
        ("Aarhus Kommune", "Aarhus Kommune"),
        ("Lyngby-Taarbaek Kommune", "Lyngby-Taarbæk Kommune"),  # a portal slug, capitalised
        ("Høje Taastrup", "Høje-Taastrup Kommune"),
        ("Koege", "Køge Kommune"),
        ("København", "Københavns Kommune"),
        ("Københavns Kommune", "Københavns Kommune"),
        ("Nordfyn", "Nordfyns Kommune"),
        ("Bornholm", "Bornholms Regionskommune"),
        ("Region Hovedstaden", "Region Hovedstaden"),  # not a municipality: kept as given
        ("Eksempelby", "Eksempelby"),
        ("", ""),
    ],
)
def test_municipality_spellings(given: str, stored: str) -> None:
    assert canonical_municipality(given) == stored


def test_every_official_name_is_its_own_canonical_form() -> None:
    for short in MUNICIPALITY_CODES.values():
        official = municipality_name(short)
        assert canonical_municipality(official) == official
        assert canonical_municipality(short) == official


def _edoc(municipality: str | None) -> Meeting:
    [meeting] = edoc.parse(EDOC, IngestContext(municipality=municipality))
    return meeting


def test_edoc_meeting_id_does_not_depend_on_how_the_municipality_is_spelt() -> None:
    from_town_hall = _edoc(None)  # "… på Ballerup Rådhus"
    assert from_town_hall.municipality == "Ballerup Kommune"
    for spelling in ("Ballerup", "ballerup kommune", "Ballerup Kommune"):
        given = _edoc(spelling)
        assert given.municipality == "Ballerup Kommune"
        assert given.id == from_town_hall.id
        assert [i.id for i in given.items] == [i.id for i in from_town_hall.items]


def test_publication_and_edoc_from_ballerup_name_the_municipality_alike() -> None:
    [it_udvalget] = publication.parse(BALLERUP_PUBLICATION, IngestContext(municipality="Ballerup"))
    assert it_udvalget.municipality == _edoc(None).municipality == "Ballerup Kommune"


def _referat_page() -> Meeting:
    [meeting] = firstagenda.parse(MINUTES_PAGE, IngestContext())
    return meeting


def _agenda_json_of(referat: Meeting, folder: Path) -> Path:
    """The portal's JSON API document of the same meeting's dagsorden (no decisions yet), in
    the real API's shape (see tests/fixtures/firstagenda-api/), built from the real referat
    page's item ids, numbers and titles."""
    points = [
        {
            "Id": item.source_key,
            "Caption": item.title,
            "Number": item.number,
            "SagsNummer": item.case_number,
            "IsOpen": False,  # the real API says False for open items too
            "Felter": [{"Navn": "", "Html": f"<h3>Resume</h3><div>Dagsordentekst til punkt {item.number}.</div>"}],
            "Bilag": [],
        }
        for item in referat.items
    ]
    assert referat.start is not None
    document = {
        "Id": referat.native_id,
        "Dagsordenpunkter": points,
        "Udvalg": {"Navn": referat.committee},
        "Moede": {"Dato": referat.start.isoformat(), "Afsluttet": False, "Moededeltagere": []},
    }
    target = folder / "dagsorden.json"
    target.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    return target


AGENDA_CONTEXT = IngestContext(municipality="Aarhus")


def test_portal_json_dagsorden_and_html_referat_share_meeting_and_item_ids(tmp_path: Path) -> None:
    referat = _referat_page()
    assert referat.kind == MeetingKind.REFERAT and referat.municipality == "Aarhus Kommune"
    assert all(item.source_key for item in referat.items)
    [dagsorden] = firstagenda.parse(_agenda_json_of(referat, tmp_path), AGENDA_CONTEXT)
    assert dagsorden.kind == MeetingKind.DAGSORDEN
    assert dagsorden.municipality == "Aarhus Kommune"  # given as "Aarhus"
    assert dagsorden.id == referat.id
    assert [i.id for i in dagsorden.items] == [i.id for i in referat.items]


def test_referat_page_supersedes_the_json_dagsorden_in_the_index(tmp_path: Path) -> None:
    referat = _referat_page()
    agenda = _agenda_json_of(referat, tmp_path)
    root = tmp_path / "ix"
    first = quiet_ingest([agenda], root, context=AGENDA_CONTEXT)
    assert (first.items_added, first.rejected) == (6, [])
    second = quiet_ingest([MINUTES_PAGE], root)
    assert (second.items_added, second.items_updated) == (0, 6)
    service = SearchService(root)
    for item in referat.items:
        stored = service.get_item(item.id)
        assert stored["type"] == "referat"
        assert stored["title"] == item.title
    # The dagsorden read again later never replaces the referat.
    third = quiet_ingest([agenda], root, context=AGENDA_CONTEXT)
    assert (third.items_added, third.items_updated, third.items_skipped) == (0, 0, 6)
    assert SearchService(root).get_item(referat.items[1].id)["type"] == "referat"


def test_a_publication_without_its_municipality_is_the_town_halls_as_edocs_is() -> None:
    """Neither export names its municipality; both meet "på Ballerup Rådhus": one meeting place,
    one municipality, so a search for Ballerup finds the IT-udvalget's items from either."""
    [it_udvalget] = publication.parse(BALLERUP_PUBLICATION, IngestContext())
    assert it_udvalget.municipality == "Ballerup Kommune"
    assert not any("municipality" in warning for warning in it_udvalget.warnings)
    [given] = publication.parse(BALLERUP_PUBLICATION, IngestContext(municipality="Ballerup"))
    assert given.id == it_udvalget.id


def test_only_a_town_hall_named_for_one_of_the_98_names_the_municipality() -> None:
    assert municipality_from_location("Mødecenter A, Lokale 3 på Ballerup Rådhus") == "Ballerup Kommune"
    assert municipality_from_location("Aarhus Rådhus, lokale 390") == "Aarhus Kommune"
    assert municipality_from_location("Byrådssalen, Lyngby-Taarbæk Rådhus") == "Lyngby-Taarbæk Kommune"
    # Favrskov's town hall stands in Hammel: the place names no municipality by name
    assert municipality_from_location("Hammel Rådhus, mødelokale 1") == ""
    assert municipality_from_location("Mødelokale 2, Rådhuset") == ""
    assert municipality_from_location(None) == ""
