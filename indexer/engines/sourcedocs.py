"""The whole-meeting document an item was read from, as the engines store it (``source_document``
in an item's stored document: title, first and last page, archive name of the published copy).

When items of an archived document close, are withdrawn or forgotten while others of the meeting
stay open, the engines re-publish the copy with those pages blank too
(``indexer.documents.publish.reblanked_copy``) and point the open items at it: these helpers
say where the items sit and rewrite the links.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from indexer.model import Access, Item, Meeting


def source_record(stored: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """(archive name, where it sits in the document) of an open item read from an archived
    whole-meeting document; None for any other item."""
    if not stored or stored.get("access") != Access.OPEN.value or '"source_document"' not in (stored.get("doc") or ""):
        return None
    try:
        source = json.loads(stored.get("doc") or "{}").get("source_document") or {}
    except ValueError:
        return None
    name = source.get("archive_name")
    if not name:
        return None
    return str(name), {
        "page": source.get("page"),
        "last_page": source.get("last_page"),
        "position": stored.get("position"),
        "meeting_id": stored.get("meeting_id"),
    }


def withheld_records(
    meetings: Iterable[Meeting], document_names: dict[int, str], published: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """Archive name → where the items sit that a batch's version read open from its document but
    that are not published open (an earlier version closed them, or they were taken down with
    ``minutes forget``): their pages must not be shown beside the other items.
    ``document_names``: id(version) → its document's archive name."""
    found: dict[str, list[dict[str, Any]]] = {}
    for meeting in meetings:
        name = document_names.get(id(meeting))
        if name is not None:
            found.setdefault(name, []).extend(withheld_in(meeting, published))
    return found


def withheld_in(meeting: Meeting, published: set[str]) -> list[dict[str, Any]]:
    """Where the items sit in one version's document that it reads open but that are not
    published open (``published``: ids of the items published open), forgotten ones included."""
    found: list[dict[str, Any]] = list(getattr(meeting, "forgotten_sources", []))
    for position, item in enumerate(meeting.items):
        if item.access == Access.OPEN and item.id not in published:
            found.append(item_source(meeting, item, position))
    return found


def item_source(meeting: Meeting, item: Item, position: int) -> dict[str, Any]:
    """Where an item sits in its version's document, as ``source_record`` reads it back."""
    return {
        "page": item.source_page,
        "last_page": item.source_last_page,
        "position": position,
        "meeting_id": meeting.id,
    }


def document_name(document: dict[str, Any]) -> str | None:
    """The archive name of the whole-meeting document an item document links to, if any."""
    found = source_record(document)
    return found[0] if found else None


def without_document(doc_json: str, old: str, new: str | None) -> str:
    """An item's stored document with its whole-meeting document ``old`` replaced by the re-blanked
    copy ``new`` (None: not shown at all).  The source URL goes too: the document there still
    holds the pages of the item that closed."""
    doc = json.loads(doc_json)
    source = doc.get("source_document") or {}
    if source.get("archive_name") == old:
        source["archive_name"] = new
        source["source_url"] = None
    return json.dumps(doc, ensure_ascii=False)


def add_source(gone: dict[str, list[dict[str, Any]]], stored: dict[str, Any] | None) -> None:
    """Note where an open item that leaves sat in its archived whole-meeting document."""
    found = source_record(stored)
    if found is not None:
        gone.setdefault(found[0], []).append(found[1])
