"""Each of the 189 real Greve API documents, one test apiece, against a reading of the raw JSON
made here with nothing but the standard library (not the parser's helpers).

Per meeting: committee, date, location, kind, participants, absentees.  Per item: number,
title, case number, access; closed items are stubs; the section headings are the document's
own (``<h3>``/``<h4>``); the decision is the text under ``<h3>Beslutning</h3>``; the absentees
are the names after "Afbud:", "Ikke til stede:" or "Fraværende:" in it; the attachments are
``Bilag[]`` with their links; and every word of an open item's HTML is in the item.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from indexer.formats import IngestContext, firstagenda
from indexer.model import Access, Item, Meeting, MeetingKind
from tests.conftest import REPO

GREVE = REPO / "tests" / "fixtures" / "firstagenda-api" / "greve"
DOCUMENTS = sorted(GREVE.glob("*.json"))

_HEADING = re.compile(r"<(h3|h4)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
# Inline markup sits inside words ("<ins>f</ins>remtidige"); every other tag separates them.
_INLINE = re.compile(r"</?(?:span|b|i|u|a|strong|em|sup|sub|font|ins|del|o:p)\b[^>]*>", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{3,}")
_ABSENT = re.compile(r"(?im)^\s*(?:afbud|ikke til stede|fraværende)\s*:\s*(.+?)\s*$")


def plain(fragment: str) -> str:
    text = _INLINE.sub("", fragment)
    text = re.sub(r"<br\s*/?>|</(?:p|div|li|tr|h\d)>", "\n", text, flags=re.IGNORECASE)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return "\n".join(re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip())


def letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text).casefold()


def words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def blocks(raw_html: str) -> list[tuple[str, str]]:
    """(heading, text under it) in document order; the text before the first heading has heading ""."""
    found: list[tuple[str, str]] = []
    heading, position = "", 0
    for match in _HEADING.finditer(raw_html):
        found.append((heading, plain(raw_html[position : match.start()])))
        heading, position = plain(match.group(2)), match.end()
    found.append((heading, plain(raw_html[position:])))
    return found


def item_words(item: Item) -> set[str]:
    parts = [item.title, *item.absentees]
    parts += [f"{s.heading} {s.text}" for s in item.sections]
    parts += [f"{d.body or ''} {d.text}" for d in item.decisions + item.history]
    return words(" ".join(parts))


def names(listed: str) -> list[str]:
    return [n.strip(" .") for n in re.split(r",| og ", listed) if n.strip(" .")]


@cache
def read(path: Path) -> tuple[dict[str, Any], Meeting]:
    [meeting] = firstagenda.parse(path, IngestContext())
    return json.loads(path.read_text("utf-8")), meeting


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name.split("T")[0] for p in DOCUMENTS])
def test_document(path: Path) -> None:
    raw, meeting = read(path)
    moede = raw["Moede"]
    assert meeting.municipality == "Greve Kommune"
    assert meeting.committee == re.sub(r"\s+\d{4}-\d{4}$", "", raw["Udvalg"]["Navn"].lstrip(". "))
    assert meeting.start == datetime.fromisoformat(moede["Dato"])
    assert meeting.location == (moede["Sted"].strip() or None)
    concluded = moede["Afsluttet"] in (True, "true", "True")
    has_decision = any(
        heading == "Beslutning" and text
        for point in raw["Dagsordenpunkter"]
        for field in point["Felter"]
        for heading, text in blocks(field["Html"] or "")
    )
    assert meeting.kind == (MeetingKind.REFERAT if concluded or has_decision else MeetingKind.DAGSORDEN)
    people = moede["Moededeltagere"]
    assert meeting.participants == [p["Name"].strip() for p in people]
    assert meeting.absentees == [
        p["Name"].strip() for p in people if p["Absent"] in (True, "true") or p["ParticipationCancelled"] is True
    ]
    points = raw["Dagsordenpunkter"]
    assert [i.number for i in meeting.items] == [p["Number"] for p in points]
    for point, item in zip(points, meeting.items, strict=True):
        where = f"{path.name} item {point['Number']}"
        if point["Caption"].startswith("Lukket: "):
            assert (item.access, item.title, item.case_number) == (Access.CLOSED, "Lukket punkt", None), where
            assert not (item.sections or item.decisions or item.history or item.attachments or item.absentees), where
            continue
        assert (item.access, item.title, item.case_number) == (
            Access.OPEN,
            " ".join(point["Caption"].split()),
            point["SagsNummer"] or None,
        ), where
        parts = [b for field in point["Felter"] for b in blocks(field["Html"] or "")]
        headings = {letters(h) for h, _ in parts if h}
        assert all(letters(s.heading) in headings for s in item.sections if s.heading), where
        decided = [text for heading, text in parts if heading == "Beslutning" and re.search(r"\w", text)]
        assert len(item.decisions) == len(decided), where
        for decision, text in zip(item.decisions, decided, strict=True):
            first = _ABSENT.sub("", text).split()[:8]
            assert _ABSENT.sub("", decision.text).split()[: len(first)] == first, where
            assert (decision.body, decision.date) == (meeting.committee, meeting.start.date()), where
        absent = [n for text in decided for listed in _ABSENT.findall(text) for n in names(listed)]
        assert sorted(item.absentees) == sorted(dict.fromkeys(absent)), where
        assert words(" ".join(t for _, t in parts)) <= item_words(item), where
        assert [(a.title, a.document_id, a.url) for a in item.attachments] == [
            (
                " ".join(b["Navn"].split()),
                b["Id"],
                f"https://dagsordener.greve.dk/vis/pdf/bilag/{b['Id']}" if b["HarPdfVersion"] == "true" else None,
            )
            for b in point["Bilag"]
        ], where
