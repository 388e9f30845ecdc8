"""A meeting as the public sees it: its committee, date, kind and place, its items in agenda
order (closed ones as numbered stubs) and the whole-meeting documents its open items were read
from.  Built from the items' own public documents: a closed stub gives its number, nothing else."""

from __future__ import annotations

from typing import Any

from indexer.search.service import SearchService


def public_meeting(service: SearchService, meeting_id: str) -> dict[str, Any] | None:
    """The meeting, or None when no open item of it is indexed (unknown, taken down, or closed
    whole: a meeting with nothing public in it has no page)."""
    with service.engine.reading():
        opened = [stored for stored in service.engine.meeting_items(meeting_id) if stored.is_open]
        if not opened:
            return None
        items = service.meeting_items(meeting_id)
    by_id = {stored.id: stored for stored in opened}
    first = min(opened, key=lambda stored: stored.position)
    meta = first.doc.get("meeting", {})
    documents: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in items:  # in agenda order: each document is linked through the first item read from it
        stored = by_id.get(entry["id"] or "")
        source = stored.doc.get("source_document") if stored is not None else None
        if not source:
            continue
        key = source.get("archive_name") or source.get("source_url") or source.get("title") or ""
        if key in seen:
            continue
        seen.add(key)
        documents.append(
            {
                "title": source.get("title"),
                "media_type": source.get("media_type"),
                "item_id": entry["id"],
                "available": bool(source.get("archive_name") or source.get("source_url")),
            }
        )
    return {
        "id": meeting_id,
        "committee": meta.get("committee") or "",
        "municipality": meta.get("municipality") or "",
        "meeting_date": meta.get("start"),
        "date_precision": meta.get("date_precision", "day"),
        "type": meta.get("kind"),
        "location": meta.get("location"),
        "items": [{k: v for k, v in entry.items() if k != "position"} for entry in items],
        "documents": documents,
    }
