"""One splitter for every family: cleaned lines + a layout profile → items.

The splitter knows no family; everything family-specific is in the profile.
It walks the lines once: a line matching the profile's item heading (confirmed
by the line that must follow it, and in numbering order) starts an item; lines
that mark a closed or open part switch the access of the items that follow.
Each item's lines are then read into its case number, sections, this meeting's
decision, earlier decisions, absentees and attachments.

Closed items keep their number and the page they start on, nothing else: their
lines are dropped here, so their text cannot reach anything downstream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from indexer.dates import parse_danish_date
from indexer.documents.extract import Line
from indexer.documents.profiles import COMMON_HEADINGS, Profile
from indexer.model import Access, Attachment, Decision, Item, Section, SectionKind, normalise_key, number_by_titles

# Said anywhere: the item (or, as a short line of its own, the rest of the meeting) was closed.
CLOSED_PHRASE = re.compile(r"\bfor lukkede døre\b", re.IGNORECASE)
CLOSED_LINE_MAX = 60
CLOSED_TITLE = "Lukket punkt"


@dataclass
class RawItem:
    number: str
    title: str
    page: int
    access: Access
    case_number: str | None = None
    route: str | None = None
    lines: list[Line] = field(default_factory=list)


@dataclass
class Split:
    header: list[Line]  # lines before the first item (the meeting's front page)
    items: list[RawItem]
    closed_pages: set[int]  # pages holding any closed line


def _rx(pattern: str | None, flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    return re.compile(pattern, flags) if pattern else None


def presplit(lines: list[Line], profile: Profile) -> list[Line]:
    """Break flattened lines before the profile's inline markers."""
    if not profile.split_before:
        return lines
    pattern = re.compile("|".join(profile.split_before))
    out: list[Line] = []
    for line in lines:
        out.extend(Line(part.strip(), line.page) for part in pattern.split(line.text) if part.strip())
    return out


def _next_ok(previous: str | None, number: str, profile: Profile, confirmed: bool) -> bool:
    if previous is None:
        return True
    if profile.numbering == "hierarchical":
        prev = [int(p) for p in previous.split(".")]
        cur = [int(p) for p in number.split(".")]
        allowed = [[*prev, 1]]
        for depth in range(len(prev)):
            allowed.append([*prev[:depth], prev[depth] + 1])
        return cur in allowed
    try:
        prev_n, cur_n = int(previous), int(number)
    except ValueError:
        return False
    return cur_n > prev_n if confirmed else prev_n < cur_n <= prev_n + 5


def split_lines(lines: list[Line], profile: Profile, default_access: Access) -> Split:
    """Cut the lines into the header and the items."""
    lines = presplit(lines, profile)
    item_rx = re.compile(profile.item)
    confirm_rx = _rx(profile.item_confirm)
    closed_part = _rx(profile.closed_part)
    open_part = _rx(profile.open_part)
    closed_title = _rx(profile.closed_title)
    stops = [rx for rx in (_rx(profile.case_number, 0), _rx(profile.decision), confirm_rx) if rx]
    stops += [re.compile(p, re.IGNORECASE) for p in profile.skip_lines]
    headings = {**COMMON_HEADINGS, **profile.headings}
    heading_shape = _rx(profile.heading_pattern, 0)

    header: list[Line] = []
    items: list[RawItem] = []
    closed_pages: set[int] = set()
    part_access = default_access
    limbo = False  # after a closed-part marker, until the next item: dropped, never the previous item's
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        if closed_part and closed_part.match(text):
            part_access = Access.CLOSED
            limbo = True
            closed_pages.add(line.page)
            i += 1
            continue
        if open_part and open_part.match(text):
            part_access = default_access
            i += 1
            continue
        if CLOSED_PHRASE.search(text) and len(text) <= CLOSED_LINE_MAX:
            # "Lukket møde – for lukkede døre" as a line of its own: the rest is closed, and so is
            # the item it stands in (deny when it cannot be told where the closed part starts).
            part_access = Access.CLOSED
            limbo = True
            closed_pages.add(line.page)
            if items:
                items[-1].access = Access.CLOSED
            i += 1
            continue
        match = item_rx.match(text)
        if match:
            window = [ln.text for ln in lines[i + 1 : i + 1 + profile.confirm_within]]
            confirmed = confirm_rx is None or any(confirm_rx.match(t) for t in window)
            previous = items[-1].number if items else None
            if confirmed and _next_ok(previous, match.group("number"), profile, confirm_rx is not None):
                groups = match.groupdict()
                title = groups["title"].strip()
                i += 1
                # The title may wrap onto the next lines, up to the first field line.
                for _ in range(profile.title_max_lines - 1):
                    if i >= len(lines):
                        break
                    nxt = lines[i].text
                    if (
                        any(rx.match(nxt) for rx in stops)
                        or item_rx.match(nxt)
                        or nxt.casefold().rstrip(":") in headings
                        or (heading_shape and heading_shape.match(nxt))
                    ):
                        break
                    title = f"{title} {nxt}"
                    i += 1
                access = part_access
                if closed_title and closed_title.match(title):
                    access = Access.CLOSED
                if (groups.get("access") or "").casefold() == "lukket":
                    access = Access.CLOSED
                limbo = False
                items.append(
                    RawItem(
                        number=groups["number"],
                        title=title,
                        page=line.page,
                        access=access,
                        case_number=groups.get("case"),
                    )
                )
                continue
        if limbo:
            closed_pages.add(line.page)
        elif items:
            item = items[-1]
            if CLOSED_PHRASE.search(text):
                item.access = Access.CLOSED
            item.lines.append(line)
        else:
            header.append(line)
        i += 1
    for item in items:
        if item.access != Access.OPEN:
            closed_pages.add(item.page)
            closed_pages.update(ln.page for ln in item.lines)
            item.lines = []  # closed text goes no further
    return Split(header=header, items=items, closed_pages=closed_pages)


_LIST_START = re.compile(r"^(?:[-•▪●◦*–]\s|\(?\d{1,2}[.)]\s|[a-zA-Z][.)]\s|At \d+\)|\d+\s+(?:Åben|Lukket)\s)")
MIN_REFLOW_WIDTH = 60


def _line_width(lines: list[str]) -> int:
    """The width of a full line of running text (the 90th percentile of line lengths); 0 when the
    text is too narrow to tell wrapped lines from short ones."""
    if len(lines) < 5:
        return 0
    lengths = sorted(len(line) for line in lines)
    width = lengths[int(len(lengths) * 0.9) - 1]
    return width if width >= MIN_REFLOW_WIDTH else 0


def reflow(lines: list[str], width: int) -> list[str]:
    """Join lines a page wrapped: a line nearly as wide as the text continues on the next one,
    unless the next one starts a list item. Short lines end their paragraph."""
    out: list[str] = []
    last = ""  # the previous physical line
    for line in lines:
        if out and len(last) >= 0.75 * width and not _LIST_START.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        last = line
    return out


@dataclass
class _Block:
    """A run of an item's lines: a section, this meeting's decision or an earlier one."""

    kind: str  # "section" | "decision" | "history"
    target: Section | Decision
    lines: list[str] = field(default_factory=list)


def _names(text: str) -> list[str]:
    parts = re.split(r",|\bog\b|;", text)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def build_item(
    raw: RawItem, profile: Profile, committee: str, meeting_date: date | None, reflow_lines: bool = False
) -> Item:
    """Read one open item's lines into the model. ``reflow_lines`` (PDF, OCR) joins the lines a page
    wrapped back into paragraphs; a DOCX's lines are its paragraphs already."""
    if raw.access != Access.OPEN:
        return Item(number=raw.number, title=CLOSED_TITLE, access=Access.CLOSED, source_page=raw.page)
    case_rx = _rx(profile.case_number, 0)
    skip = [re.compile(p, re.IGNORECASE) for p in profile.skip_lines]
    route_rx = _rx(profile.route)
    decision_rx = _rx(profile.decision)
    history_rx = _rx(profile.history)
    history_date_rx = _rx(profile.history_date)
    history_skip = [re.compile(p, re.IGNORECASE) for p in profile.history_skip]
    absent_line = _rx(profile.absent_line)
    absent_heading = _rx(profile.absent_heading)
    attachment_rx = _rx(profile.attachment)
    headings = {**COMMON_HEADINGS, **profile.headings}
    heading_shape = _rx(profile.heading_pattern, 0)
    inline = (
        re.compile(
            r"^(?P<label>"
            + "|".join(re.escape(k) for k in profile.inline_fields)
            + r")(?::|\s)\s*(?P<rest>.*)$|^(?P<bare>"
            + "|".join(re.escape(k) for k in profile.inline_fields)
            + r"):?$",
            re.IGNORECASE,
        )
        if profile.inline_fields
        else None
    )

    item = Item(number=raw.number, title=raw.title, access=Access.OPEN, case_number=raw.case_number)
    item.source_page = raw.page
    item.source_last_page = max([raw.page, *(ln.page for ln in raw.lines)])
    committee_key = normalise_key(committee)

    blocks: list[_Block] = []
    current: _Block | None = None
    positional: list[Attachment] = []  # numbered by their place in the printed list
    mode = "text"  # "absent" after an absentee heading; "history" inside Sagsforløb

    def start(kind: str, obj: Section | Decision) -> None:
        nonlocal current
        current = _Block(kind, obj)
        blocks.append(current)

    for line in raw.lines:
        text = line.text
        low = text.casefold().rstrip(": ")
        if mode == "attachments":
            # Attachment titles, one a line, to the end of the item (no file: the title is what is printed).
            item.attachments.append(Attachment(number=str(len(item.attachments) + 1), title=text, access=Access.OPEN))
            positional.append(item.attachments[-1])
            assert current is not None
            current.lines.append(text)
            continue
        if case_rx and item.case_number is None and (m := case_rx.match(text)):
            item.case_number = m.group("case")
            continue
        if any(rx.match(text) for rx in skip):
            continue
        if route_rx and item.route is None and (m := route_rx.match(text)):
            item.route = m.group("route").strip()
            continue
        if absent_heading and absent_heading.match(text):
            mode = "absent"
            continue
        if decision_rx and (m := decision_rx.match(text)):
            groups = m.groupdict()
            body = (groups.get("body") or "").strip()
            when = parse_danish_date(groups.get("date")) if groups.get("date") else None
            if body and normalise_key(body).rstrip("s") == committee_key.rstrip("s"):
                body = committee
            body = body or committee
            this_meeting = when is None or meeting_date is None or when == meeting_date
            decided = Decision(body=body, date=when or (meeting_date if this_meeting else None), text="", heading=text)
            start("decision" if this_meeting else "history", decided)
            mode = "text"
            continue
        if history_rx and (m := history_rx.match(text)) and (mode == "history" or not profile.history_date):
            groups = m.groupdict()
            when = parse_danish_date(groups.get("date")) if groups.get("date") else None
            start("history", Decision(body=(groups.get("body") or "").strip(), date=when, text="", heading=text))
            continue
        if mode == "history" and current and isinstance(current.target, Decision) and current.kind == "history":
            if history_date_rx and (m := history_date_rx.match(text)):
                current.target.date = parse_danish_date(m.group("date"))
                continue
            if any(rx.match(text) for rx in history_skip):
                continue
        if inline and (m := inline.match(text)):
            label = (m.group("label") or m.group("bare")).casefold()
            field_kind = profile.inline_fields[label]
            heading = (m.group("label") or m.group("bare")).strip()
            if field_kind == SectionKind.DECISION:
                start("decision", Decision(body=committee, date=meeting_date, text="", heading=heading))
            else:
                start("section", Section(heading=heading, text="", kind=field_kind, access=item.access))
            rest = (m.group("rest") or "").strip() if m.group("label") else ""
            if rest and current:
                current.lines.append(rest)
            mode = "text"
            continue
        if low in headings or (heading_shape and heading_shape.match(text) and not _is_sentence(text)):
            section_kind = headings.get(low, SectionKind.BODY)
            if section_kind == SectionKind.HISTORY:
                mode = "history"
                continue
            heading = text.rstrip(":").strip() if low in headings else text
            start("section", Section(heading=heading, text="", kind=section_kind, access=item.access))
            mode = "attachments" if profile.attachments_last and low == "bilag" else "text"
            continue
        if mode == "absent":
            item.absentees.extend(_names(text))
            continue
        if absent_line and (m := absent_line.match(text)) and not (current and current.kind == "history"):
            item.absentees.extend(_names(m.group("names")))
        in_bilag = (
            current is not None and isinstance(current.target, Section) and current.target.heading.casefold() == "bilag"
        )
        if attachment_rx and in_bilag and (m := attachment_rx.match(text)):
            groups = m.groupdict()
            access = Access.CLOSED if (groups.get("access") or "").casefold() == "lukket" else Access.OPEN
            item.attachments.append(
                Attachment(
                    number=groups.get("number") or str(len(item.attachments) + 1),
                    title=groups["title"].strip(),
                    access=access,
                    journal_number=groups.get("journal"),
                    text_status="no-file",
                )
            )
            if not groups.get("number"):
                positional.append(item.attachments[-1])
            if item.attachments[-1].access == Access.CLOSED:
                # The printed line names a closed attachment: the item's open "Bilag" text keeps
                # only that there is one, as the attachment itself does (model.Attachment).
                assert current is not None
                number = groups.get("number")
                current.lines.append(f"Bilag {number} (lukket)" if number else "Bilag (lukket)")
                continue
        if current is None:
            start("section", Section(heading="", text="", kind=SectionKind.BODY, access=item.access))
        assert current is not None
        current.lines.append(text)

    width = _line_width([ln.text for ln in raw.lines]) if reflow_lines else 0
    for block in blocks:
        body = "\n".join(reflow(block.lines, width) if width else block.lines).strip()
        obj = block.target
        obj.text = body
        if isinstance(obj, Section):
            if obj.heading or obj.text:
                item.sections.append(obj)
        elif block.kind == "decision":
            if not body:
                continue  # a decision field left empty: no decision was recorded
            item.decisions.append(obj)
            item.sections.append(Section(heading=obj.heading, text=body, kind=SectionKind.DECISION, access=item.access))
        else:
            item.history.append(obj)
    number_by_titles(item.attachments, positional)
    # Attachments printed by title only have no file here: only open ones are kept.
    item.attachments = [a for a in item.attachments if a.access == Access.OPEN]
    return item


def _is_sentence(text: str) -> bool:
    """A heading-shaped line that is really a sentence (ends with a full stop after words)."""
    return text.endswith(".") and len(text.split()) > 3
