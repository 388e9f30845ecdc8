"""The closed-content boundary: a parsed meeting → what may be published.

Every input goes through :func:`publish` before anything is written or any
attachment is read.  It returns a copy of the meeting in which

* a closed meeting's items and every closed item are numbered stubs titled
  "Lukket punkt" — no text, decision, case number, attachment or person;
* closed sections and closed attachments of open items are gone, and so is a decision a closed
  section writes (a format may list it twice: as a section and as the item's decision);
* an unpublished draft carries no decision;
* HTML is sanitised once, here, for every output (page, JSON API, feed);
* items and meetings taken down with ``minutes forget`` are left out entirely.

Only then are attachment files read — the open files of open items — so a
parser cannot put closed text into the text cache however it is written:
parsers resolve files, this module extracts.  Access defaults to closed at
every level of the model, so what a parser cannot tell is denied.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from typing import Any

from indexer.attachments import extract_attachment
from indexer.model import Access, Attachment, Decision, Item, Meeting, Section, SectionKind
from indexer.sanitize import sanitize_html

CLOSED_TITLE = "Lukket punkt"


@dataclass
class PublicMeeting(Meeting):
    """A meeting that has passed the boundary: everything in it may be published.

    Engines accept only this type, so an unfiltered ``Meeting`` cannot reach one
    by mistake (``ensure_public`` converts at the door)."""

    forgotten_items: int = 0  # items left out because they were taken down
    # Where the items left out sat in the meeting's document (first and last page, position among
    # the published items): their pages are blanked in the copy shown beside the others.
    forgotten_sources: list[dict[str, Any]] = field(default_factory=list)


def publish(
    meeting: Meeting,
    *,
    extract: bool = True,
    forgotten: Collection[str] = (),
) -> PublicMeeting | None:
    """The public projection of ``meeting``; None when the whole meeting was taken down.

    ``forgotten`` holds item and meeting ids removed with ``minutes forget``.
    With ``extract`` the text of open attachment files of open items is read
    (through the text cache) after everything closed has been dropped.
    """
    if not meeting.id or any(not item.id for item in meeting.items):
        meeting.finalise()
    if meeting.id in forgotten:
        return None
    meeting_open = meeting.access == Access.OPEN
    items: list[Item] = []
    dropped = 0
    sources: list[dict[str, Any]] = []
    for item in meeting.items:
        if item.id in forgotten:
            if item.source_page is not None:
                sources.append(
                    {
                        "page": item.source_page,
                        "last_page": item.source_last_page,
                        "position": len(items) - 0.5,  # between its neighbours as they are published
                        "meeting_id": meeting.id,
                    }
                )
            dropped += 1
            continue
        if meeting_open and item.access == Access.OPEN:
            items.append(_open_item(item, meeting.draft))
        else:
            items.append(closed_stub(item))
    public = PublicMeeting(
        **{f.name: copy.deepcopy(getattr(meeting, f.name)) for f in fields(Meeting) if f.name != "items"},
        items=items,
        forgotten_items=dropped,
        forgotten_sources=sources,
    )
    if not meeting_open:
        # A closed publication says nothing of who met or where.
        public.participants, public.absentees, public.location = [], [], None
    if extract:
        extract_public_attachments(public)
    return public


def ensure_public(meeting: Meeting, extract: bool = True) -> PublicMeeting:
    """``meeting`` if it has passed the boundary already, else its projection."""
    if isinstance(meeting, PublicMeeting):
        return meeting
    public = publish(meeting, extract=extract)
    assert public is not None  # nothing is forgotten here
    return public


def closed_stub(item: Item) -> Item:
    """What a closed item leaves behind: its place in the agenda and nothing else."""
    return Item(number=item.number, title=CLOSED_TITLE, access=Access.CLOSED, id=item.id, meeting_id=item.meeting_id)


def _open_item(item: Item, draft: bool) -> Item:
    sections = [
        _section(s) for s in item.sections if s.access == Access.OPEN and not (draft and s.kind == SectionKind.DECISION)
    ]
    public = copy.copy(item)  # every field a format adds (source page …) comes along
    public.access = Access.OPEN
    public.sections = sections
    decisions = [] if draft else _published(item.decisions, item.sections, SectionKind.DECISION)
    public.decisions = [_decision(d) for d in decisions]
    public.history = [_decision(d) for d in _published(item.history, item.sections, SectionKind.HISTORY)]
    public.attachments = [_attachment(a) for a in item.attachments if a.access == Access.OPEN]
    public.absentees = list(item.absentees)
    return public


def _published(decisions: list[Decision], sections: list[Section], kind: SectionKind) -> list[Decision]:
    """The decisions (or earlier decisions) of an open item that may be published.  A format may
    write a decision twice, as a section of ``kind`` and in the item's list, and only the section
    says whether it is closed: a decision whose text is (or holds, or is part of) a closed
    section's is withheld, and where a section of ``kind`` is closed, so is every decision no open
    section writes word for word (default deny: which decision the closed one was is unclear)."""
    closed = [_words(s.text) for s in sections if s.access != Access.OPEN]
    if not closed:
        return list(decisions)
    written = {_words(s.text) for s in sections if s.access == Access.OPEN}
    closed_kind = any(s.access != Access.OPEN and s.kind == kind for s in sections)
    published = []
    for decision in decisions:
        text = _words(decision.text)
        if any(c and text and (c in text or text in c) for c in closed):
            continue
        if closed_kind and text not in written:
            continue
        published.append(decision)
    return published


def _words(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _section(section: Section) -> Section:
    return Section(
        heading=section.heading,
        text=section.text,
        html=sanitize_html(section.html) if section.html else section.html,
        kind=section.kind,
        access=Access.OPEN,
    )


def _decision(decision: Decision) -> Decision:
    return Decision(
        body=decision.body,
        date=decision.date,
        text=decision.text,
        heading=decision.heading,
        html=sanitize_html(decision.html) if decision.html else decision.html,
    )


def _attachment(attachment: Attachment) -> Attachment:
    return copy.copy(attachment)


def extract_public_attachments(meeting: PublicMeeting) -> None:
    """Read the text of the open files of open items: the only caller of the extractor."""
    for item in meeting.items:
        if item.access != Access.OPEN:
            continue
        for attachment in item.attachments:
            if attachment.access == Access.OPEN and attachment.file and attachment.text is None:
                problem = extract_attachment(attachment)
                if problem:
                    meeting.warnings.append(problem)
