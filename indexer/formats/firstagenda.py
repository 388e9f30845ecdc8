"""FirstAgenda Publication portals (``https://dagsordener.<kommune>.dk``).

Two inputs: a saved meeting page (``/vis?id=<GUID>``) and the portal's JSON
document for one meeting (``/api/agenda/dagsorden/<id>``).  Pages are saved
without a charset declaration, so the encoding is taken from a BOM or a meta
tag when present, else UTF-8 when the bytes are valid UTF-8, else Windows-1252.

The JSON reader follows the real API responses (see the note above
``_meeting_from_json``), not the format description it was first written from.

Attachments live on the portal, not on disk: each becomes an absolute URL.
The portal shows only public content; an item it marks "Lukket punkt" is
closed and keeps nothing but its number.  ``Sagsforløb`` (earlier treatments)
goes to ``Item.history``.

Not a meeting format: the portal's front page and listings, and the
``cases.json`` of the Aarhus "byrådsarkiv" front end (a demo list of cases).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from indexer.attachments import attach_file
from indexer.dates import parse_danish_date, parse_danish_datetime
from indexer.formats import FormatError, IngestContext, read_input
from indexer.model import (
    Access,
    Attachment,
    Decision,
    Item,
    Meeting,
    MeetingKind,
    Section,
    SectionKind,
    closed_attachment_title,
    printed_attachment_number,
    title_marks_closed,
)
from indexer.municipalities import municipality_from_location
from indexer.sanitize import html_to_text, sanitize_html
from indexer.sidecar import load_sidecar, sidecar_start

NAME = "firstagenda"
PEEK_BYTES = 4096
PAGE_SCAN_BYTES = 65536  # the agenda table starts ~12 KB into a saved page
CLOSED_LABEL = "lukket punkt"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SITE_STYLESHEET = re.compile(r"/dist/css/(?P<slug>[a-z0-9-]+)\.css")
_HISTORY_FIELD = re.compile(r"^(?P<key>Udvalg|Dato|Punktnummer)\s*:\s*(?P<value>.*)$", re.IGNORECASE)


# --------------------------------------------------------------------------- detect


def detect(path: Path) -> bool:
    if not path.is_file():
        return False
    suffix = path.suffix.casefold()
    if suffix in {".html", ".htm"}:
        head = _read_head(path, PEEK_BYTES)
        if b"localizationKeys" not in head and b"firstagenda" not in head.lower():
            return False
        return b"punktrow" in _read_head(path, PAGE_SCAN_BYTES)
    if suffix == ".json":
        return b'"Dagsordenpunkter"' in _read_head(path, PEEK_BYTES)
    return False


def _read_head(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


# --------------------------------------------------------------------------- parse


def parse(path: Path, context: IngestContext) -> Iterator[Meeting]:
    data = read_input(path)
    if path.suffix.casefold() == ".json":
        yield _meeting_from_json(path, data, context)
    else:
        yield _meeting_from_page(path, decode_page(data), context)


# How a whole saved page ends (a comment or white space may follow).
_CUT_PAGE = re.compile(r"</body\s*>|</html\s*>", re.IGNORECASE)


def decode_page(data: bytes) -> str:
    """Text of a saved page: BOM, then a meta charset, then UTF-8, then Windows-1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _CHARSET.search(data[:PEEK_BYTES])
    if declared:
        try:
            return data.decode(codecs.lookup(declared.group(1).decode("ascii")).name, errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _clean(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "").strip()


def _first_text(root: etree._Element, xpath: str) -> str:
    found = root.xpath(xpath)
    return _clean(found[0].text_content()) if found else ""


def _site_slug(page: str) -> str | None:
    match = _SITE_STYLESHEET.search(page[:PAGE_SCAN_BYTES])
    return match.group("slug") if match else None


def _municipality(slug: str | None) -> str:
    if not slug:
        return ""
    return "-".join(part.capitalize() for part in slug.split("-")) + " Kommune"


def _base_url(root: etree._Element, slug: str | None, context: IngestContext) -> str | None:
    """Where the page came from: given, or declared in the page, or the portal's usual host."""
    if context.extras.get("base_url"):
        return context.extras["base_url"]
    for xpath in ("//base/@href", "//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = root.xpath(xpath)
        if found and str(found[0]).startswith("http"):
            return str(found[0])
    return f"https://dagsordener.{slug}.dk/" if slug else None


def _meeting_from_page(path: Path, page: str, context: IngestContext) -> Meeting:
    try:
        root = lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError) as exc:
        raise FormatError(path, f"unreadable HTML: {exc}") from exc
    heading = _first_text(root, "//h1[contains(concat(' ', @class, ' '), ' dato ')]")
    committee = (
        _first_text(root, "//div[contains(@class,'title')]//span[contains(@class,'udvalg')]")
        or _first_text(root, "//span[contains(@class,'udvalg')]")
        or (context.committee or "")
    )
    when_text = _first_text(root, "//table[contains(@class,'dagsordeninfo')]//span[contains(@class,'dato')]")
    start = parse_danish_datetime(when_text) or parse_danish_datetime(heading)
    if not committee:
        raise FormatError(path, "no committee (span.udvalg) on the page")
    if start is None:
        raise FormatError(path, "no meeting date on the page")
    slug = _site_slug(page)
    base = _base_url(root, slug, context)
    meeting = Meeting(
        municipality=context.municipality or _municipality(slug),
        committee=committee,
        start=start,
        kind=MeetingKind.REFERAT if heading.casefold().startswith("referat") else MeetingKind.DAGSORDEN,
        location=_first_text(root, "//span[contains(@class,'sted') and not(contains(@class,'divider'))]") or None,
        source=str(path),
        source_format=NAME,
        access=Access.OPEN,
    )
    meeting.municipality = meeting.municipality or municipality_from_location(meeting.location)
    if not meeting.municipality:
        meeting.warnings.append(f"{path}: municipality not stated; give it with --municipality")
    if base is None:
        meeting.warnings.append(f"{path}: portal address unknown; attachment links kept relative")
    if _CUT_PAGE.search(page[-PEEK_BYTES:]) is None:
        meeting.warnings.append(f"{path}: the page ends inside its body (no </body> or </html>); it may be cut short")
    for cell in root.xpath("//td[contains(@class,'deltagere')]"):
        meeting.participants.extend(
            _clean(li.text_content()) for li in cell.xpath(".//li") if _clean(li.text_content())
        )
    rows = root.xpath("//tr[contains(concat(' ', @class, ' '), ' punktrow ')]")
    if not rows:
        raise FormatError(path, "no agenda items (tr.punktrow) on the page")
    for row in rows:
        meeting.items.append(_item_from_row(row, meeting, base))
    return meeting.finalise()


def _item_from_row(row: etree._Element, meeting: Meeting, base: str | None) -> Item:
    row_id = row.get("id") or ""
    guid = re.search(_GUID, row_id)
    number = _first_text(row, "./td[1]//span[contains(@class,'label')]")
    title = _first_text(row, ".//h2[contains(@class,'overskrift')]")
    closed = CLOSED_LABEL in title.casefold() or "lukket" in (row.get("class") or "").casefold()
    item = Item(
        number=number,
        title="Lukket punkt" if closed else title,
        access=Access.CLOSED if closed else Access.OPEN,
        source_key=guid.group(0) if guid else None,
    )
    if closed:
        return item
    item.case_number = _first_text(row, ".//span[contains(@class,'sagsnummer')]") or None
    containers = row.xpath(".//*[@id='sagsfremstillingContainer']") or row.xpath(".//div[contains(@class,'punkt')]")
    if containers:
        _read_sections(containers[0], item, meeting)
    for link in row.xpath(".//a[contains(@class,'bilag-link')]"):
        href = link.get("href") or ""
        ident = re.search(_GUID, link.get("id") or "") or re.search(_GUID, href)
        title = _clean(link.text_content()) or "Bilag"
        item.attachments.append(
            Attachment(
                # The portal numbers a bilag in its title ("Bilag 2: …") and the "Indstilling" not
                # at all: the number is the title's, never the link's position.
                number=printed_attachment_number(title),
                title=title,
                access=item.access,
                document_id=ident.group(0) if ident else None,
                url=urljoin(base, href) if base else href,
                media_type="application/pdf",
            )
        )
    return item


def _read_sections(container: etree._Element, item: Item, meeting: Meeting) -> None:
    """Walk ``<h3>`` captions and the content after each, in document order."""
    heading = ""
    parts: list[str] = []

    def flush() -> None:
        raw = "".join(parts)
        parts.clear()
        _add_section(item, meeting, heading, raw)

    for node in container.iter():
        if node is container or not isinstance(node.tag, str):
            continue
        if node.tag == "h3":
            flush()
            heading = _clean(node.text_content())
            continue
        if node.tag in {"span", "div", "p", "ul", "ol", "table"} and "resume" in (node.get("class") or ""):
            parts.append(lxml.html.tostring(node, encoding="unicode", with_tail=False))
    flush()


def _section_kind(heading: str) -> SectionKind:
    folded = heading.casefold().rstrip(":")
    if folded in {"beslutning", "beslutninger"} or folded.startswith("beslutning i"):
        return SectionKind.DECISION
    if folded in {"beslutningspunkter", "indstilling", "forslag til beslutning"}:
        return SectionKind.RECOMMENDATION
    if folded.startswith("sagsforløb") or folded.startswith("sagens forløb"):
        return SectionKind.HISTORY
    return SectionKind.BODY


def _add_section(item: Item, meeting: Meeting, heading: str, raw_html: str) -> None:
    text = html_to_text(raw_html)
    if not re.search(r"\w", text):
        return  # empty, or a lone "." the portal prints for an empty field
    kind = _section_kind(heading)
    heading = heading.rstrip(":").strip()
    if kind == SectionKind.HISTORY:
        item.history.extend(_history(text))
        return
    html = sanitize_html(raw_html)
    item.sections.append(Section(heading=heading, text=text, html=html, kind=kind, access=item.access))
    if kind == SectionKind.DECISION:
        item.decisions.append(
            Decision(body=meeting.committee, date=meeting.meeting_date, text=text, heading=heading, html=html)
        )


def _history(text: str) -> list[Decision]:
    """ "Udvalg: X / Dato: dd-mm-yyyy / Punktnummer: n / decision …" blocks, one per treatment."""
    entries: list[Decision] = []
    current: dict[str, str] | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            entries.append(
                Decision(
                    body=current.get("udvalg", ""),
                    date=parse_danish_date(current.get("dato")),
                    text="\n".join(lines).strip(),
                    heading=" ".join(v for v in (current.get("udvalg"), current.get("dato")) if v),
                )
            )
        lines.clear()

    for line in (raw.strip() for raw in text.splitlines()):
        match = _HISTORY_FIELD.match(line)
        if match:
            key = match.group("key").casefold()
            if key == "udvalg":
                close()
                current = {}
            if current is not None:
                current[key] = match.group("value").strip()
            continue
        if line and current is not None:
            lines.append(line)
    close()
    return entries


# --------------------------------------------------------------------------- JSON API
#
# Read from the portal's real responses (tests/fixtures/firstagenda-api/), not
# from FORMATS.md's description, which got several things wrong: the committee
# is ``Udvalg.Navn`` and the meeting ``Moede`` (``Dato``, ``Sted``,
# ``Afsluttet``, ``Moededeltagere``), not top-level ``Udvalg``/``Dato``; each
# item has one ``Felter`` entry whose ``Html`` holds every section under
# ``<h3>``/``<h4>`` headings; ``IsOpen`` is false on every item, open ones
# included, so a closed item is told by its caption, "Lukket: …".

CLOSED_PREFIX = "lukket:"
_HEADING = re.compile(r"<(h3|h4)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_HISTORY_ENTRY = re.compile(r"<u\b[^>]*>(.*?)</u\s*>", re.IGNORECASE | re.DOTALL)
_HISTORY_LABEL = re.compile(r"^(?P<date>\d{1,2}-\d{1,2}-\d{4})\s+(?P<body>.+)$")
# "Byråd 2022-2025", "Plan-, Trygheds- og Integrationsudvalget 2022": the term, not the body.
_TERM_SUFFIX = re.compile(r"\s+\d{4}(?:\s*-\s*\d{4})?$")
_ABSENCE_LINE = re.compile(r"^(?:afbud|ikke til stede|fraværende|fravær)\s*:\s*(?P<names>.*)$", re.IGNORECASE)
MAX_HEADING_CHARS = 120  # a longer <h4> is a paragraph someone styled as a heading
_PORTAL_HOST = re.compile(r"^https?://(?:www\.)?dagsordener\.(?P<slug>[a-z0-9-]+)\.dk(?::\d+)?$", re.IGNORECASE)


def committee_name(value: str) -> str:
    """A committee as one body across election terms: "Byråd 2022-2025" → "Byråd".

    The portal sorts some committees first with a leading dot; that goes too."""
    name = _clean(value).lstrip(". ").strip()
    return _TERM_SUFFIX.sub("", name) or name


def municipality_from_host(url: str | None) -> str:
    """ "https://dagsordener.greve.dk" → "Greve Kommune"; "" for any other host."""
    if not url:
        return ""
    match = re.match(r"^(https?://[^/]+)", url.strip())
    host = _PORTAL_HOST.match(match.group(1)) if match else None
    return _municipality(host.group("slug").casefold()) if host else ""


def is_closed_caption(caption: str) -> bool:
    """The portal's mark for a closed item: its caption starts "Lukket: " (or is "Lukket punkt")."""
    folded = _clean(caption).casefold()
    return folded.startswith(CLOSED_PREFIX) or folded == CLOSED_LABEL


def is_closed_point(point: dict[str, Any]) -> bool:
    """Whether an agenda JSON item (a ``Dagsordenpunkter`` entry) is closed: by its caption or by
    its ``Lukket`` flag.  One test for the format and the harvester's redaction, so what the index
    shows as a closed stub is never kept whole in the harvest folder."""
    return is_closed_caption(str(point.get("Caption") or point.get("Navn") or "")) or _true(point.get("Lukket"))


def is_closed_enclosure(enclosure: dict[str, Any]) -> bool:
    """Whether an agenda JSON attachment (a ``Bilag`` entry) of an open item is closed: by its
    title (``model.title_marks_closed``), as the format reads it.  The harvester's redaction uses
    the same test, so such an attachment's title and file are not kept in the harvest folder."""
    return title_marks_closed(_clean(str(enclosure.get("Navn") or "")))


def closed_enclosure_stub(enclosure: dict[str, Any]) -> dict[str, Any]:
    """A closed attachment as it may be kept: "Bilag N (lukket)", with no id (no link, no file)."""
    return {
        "Navn": f"{closed_attachment_title(_clean(str(enclosure.get('Navn') or '')))} (lukket)",
        "HarPdfVersion": False,
    }


def _true(value: Any) -> bool:
    """The API writes booleans both as JSON booleans and as "true"/"False" strings."""
    if isinstance(value, str):
        return value.strip().casefold() == "true"
    return value is True


def _as_list(value: Any) -> list[Any]:
    """A field the API writes as a list; any other value (a number, a flag, an object) lists nothing."""
    return value if isinstance(value, list) else []


def _own_portal(document: dict[str, Any]) -> str | None:
    """The portal a document names in its own links (``Felter[].Link``), as scheme://host."""
    for point in _as_list(document.get("Dagsordenpunkter")):
        if not isinstance(point, dict):
            continue
        for field in _as_list(point.get("Felter")):
            link = str(field.get("Link") or "") if isinstance(field, dict) else ""
            match = re.match(r"^(https?://[^/\s]+)/", link)
            if match:
                return match.group(1)
    return None


def _meeting_from_json(path: Path, data: bytes, context: IngestContext) -> Meeting:
    try:
        document = json.loads(decode_page(data))
    except ValueError as exc:
        raise FormatError(path, f"malformed JSON: {exc}") from exc
    points = document.get("Dagsordenpunkter") if isinstance(document, dict) else None
    if not isinstance(points, list):
        raise FormatError(path, "no Dagsordenpunkter list")
    warnings: list[str] = []
    meta = load_sidecar(path, context, warnings)
    udvalg = document.get("Udvalg")
    moede = document.get("Moede") if isinstance(document.get("Moede"), dict) else {}
    assert isinstance(moede, dict)
    named = udvalg.get("Navn") if isinstance(udvalg, dict) else udvalg
    committee_text = named if isinstance(named, str) else ""
    committee = committee_name(committee_text) or str(meta.get("committee") or "")
    start = parse_danish_datetime(str(moede.get("Dato") or moede.get("MeetingBeginUtc") or ""))
    start = start or sidecar_start(meta)
    if not committee or start is None:
        raise FormatError(path, "the agenda document names no committee (Udvalg.Navn) or date (Moede.Dato)")
    portal = context.extras.get("base_url") or _own_portal(document)
    concluded = _true(moede.get("Afsluttet"))
    meeting = Meeting(
        municipality=str(meta.get("municipality") or "")
        or municipality_from_host(portal)
        or municipality_from_host(_own_portal(document)),
        committee=committee,
        start=start,
        kind=MeetingKind.REFERAT if concluded else MeetingKind.DAGSORDEN,
        location=_clean(str(moede.get("Sted") or "")) or meta.get("location") or None,
        source=str(path),
        source_format=NAME,
        access=Access.OPEN,
        native_id=str(document["Id"]) if document.get("Id") else None,
        warnings=warnings,
    )
    meeting.municipality = meeting.municipality or municipality_from_location(meeting.location)
    if not meeting.municipality:
        meeting.warnings.append(f"{path}: municipality not stated; give it with --municipality")
    for person in _as_list(moede.get("Moededeltagere")):
        if not isinstance(person, dict) or not _clean(str(person.get("Name") or "")):
            continue
        name = _clean(str(person["Name"]))
        meeting.participants.append(name)
        # Absent: recorded absent at the meeting; ParticipationCancelled: sent apologies (afbud).
        if _true(person.get("Absent")) or _true(person.get("ParticipationCancelled")):
            meeting.absentees.append(name)
    for point in points:
        if isinstance(point, dict):
            meeting.items.append(_item_from_json(point, meeting, portal))
    files = context.extras.get("attachments_dir")
    if files:
        _attach_downloaded(Path(files), meeting, context.extract_text)
    if not meeting.items:
        raise FormatError(path, "Dagsordenpunkter is empty")
    if any(item.decisions for item in meeting.items):
        meeting.kind = MeetingKind.REFERAT  # decisions are published with the referat only
    return meeting.finalise()


def _item_from_json(point: dict[str, Any], meeting: Meeting, base: str | None) -> Item:
    title = _clean(str(point.get("Caption") or point.get("Navn") or ""))
    closed = is_closed_point(point)
    number = point.get("Number") if point.get("Number") not in (None, "") else point.get("Punktnummer")
    item = Item(
        number=_clean(str(number if number is not None else "")),
        title="Lukket punkt" if closed else title,
        access=Access.CLOSED if closed else Access.OPEN,
        source_key=str(point["Id"]) if point.get("Id") else None,
    )
    if closed:
        return item  # a stub: nothing but its number
    item.case_number = _clean(str(point.get("SagsNummer") or point.get("CaseNumber") or "")) or None
    for field in _as_list(point.get("Felter")):
        if isinstance(field, dict):
            _read_field(str(field.get("Html") or ""), _clean(str(field.get("Navn") or "")), item, meeting)
    item.absentees = _absentees(item.decisions)
    for enclosure in _as_list(point.get("Bilag")):
        if not isinstance(enclosure, dict):
            continue
        ident = _clean(str(enclosure.get("Id") or "")) or None
        has_pdf = "HarPdfVersion" not in enclosure or _true(enclosure.get("HarPdfVersion"))
        href = f"/vis/pdf/bilag/{ident}" if ident and has_pdf else ""
        title = _clean(str(enclosure.get("Navn") or "")) or "Bilag"
        item.attachments.append(
            Attachment(
                number=printed_attachment_number(title),  # the title's own, as on the portal's page
                title=title,
                access=item.access,
                document_id=ident,
                url=(urljoin(base, href) if base else href) if href else None,
                media_type="application/pdf" if href else None,
            )
        )
    return item


def _read_field(raw: str, heading: str, item: Item, meeting: Meeting) -> None:
    """Split one field's HTML at its ``<h3>``/``<h4>`` headings into sections.

    A heading with no text (the portal prints ``<h3></h3>``) continues the
    section before it."""
    position = 0
    for match in _HEADING.finditer(raw):
        caption = html_to_text(match.group(2))
        if not re.search(r"\w", caption) or len(caption) > MAX_HEADING_CHARS:
            continue
        _add_json_section(item, meeting, heading, raw[position : match.start()])
        heading, position = caption, match.end()
    _add_json_section(item, meeting, heading, raw[position:])


def _add_json_section(item: Item, meeting: Meeting, heading: str, raw_html: str) -> None:
    if _section_kind(heading) == SectionKind.HISTORY and _HISTORY_ENTRY.search(raw_html):
        item.history.extend(_json_history(raw_html))
        return
    _add_section(item, meeting, heading, raw_html)


def _json_history(raw_html: str) -> list[Decision]:
    """ "Sagens forløb": ``<u>07-02-2022 Økonomiudvalget</u><br>decision …`` per earlier treatment."""
    entries: list[Decision] = []
    found = list(_HISTORY_ENTRY.finditer(raw_html))
    for n, match in enumerate(found):
        label = html_to_text(match.group(1))
        end = found[n + 1].start() if n + 1 < len(found) else len(raw_html)
        text = html_to_text(raw_html[match.end() : end])
        parsed = _HISTORY_LABEL.match(label)
        body = committee_name(parsed.group("body")) if parsed else label
        when = parse_danish_date(parsed.group("date")) if parsed else None
        entries.append(Decision(body=body, date=when, text=text, heading=label))
    return entries


def _absentees(decisions: list[Decision]) -> list[str]:
    """Who was away for this item, as the decision ends: "Afbud: A", "Ikke til stede: A og B".

    The label may stand alone with the names on the next line (Greve's Byråd, 04-04-2022, item 13)."""
    names: list[str] = []
    for decision in decisions:
        lines = [line.strip() for line in decision.text.splitlines() if line.strip()]
        for n, line in enumerate(lines):
            match = _ABSENCE_LINE.match(line)
            if not match:
                continue
            listed = match.group("names")
            if not listed and n + 1 < len(lines) and len(lines[n + 1]) <= MAX_HEADING_CHARS:
                listed = lines[n + 1]  # a short line of names, not the next paragraph
            for name in re.split(r",|\s+og\s+", listed):
                name = _clean(name).rstrip(".")
                if name and name not in names:
                    names.append(name)
    return names


def _attach_downloaded(folder: Path, meeting: Meeting, extract: bool) -> None:
    """Attachments a harvest downloaded (``<folder>/<Id>.pdf``) of open items; their text is read past the boundary."""
    for item in meeting.items:
        if item.access != Access.OPEN:
            continue
        for attachment in item.attachments:
            ident = attachment.document_id or ""
            if attachment.url and re.fullmatch(r"[0-9A-Za-z-]{1,64}", ident) and (folder / f"{ident}.pdf").is_file():
                attach_file(attachment, folder, f"{ident}.pdf", meeting.warnings)  # read past the boundary
