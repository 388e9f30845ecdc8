"""FirstAgenda Publication portals (``https://dagsordener.<kommune>.dk``).

Two inputs: a saved meeting page (``/vis?id=<GUID>``) and the portal's JSON
document for one meeting (``/api/agenda/dagsorden/<id>``).  Pages are saved
without a charset declaration, so the encoding is taken from a BOM or a meta
tag when present, else UTF-8 when the bytes are valid UTF-8, else Windows-1252.

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

from indexer.dates import parse_danish_date, parse_danish_datetime
from indexer.formats import FormatError, IngestContext, read_input
from indexer.model import Access, Attachment, Decision, Item, Meeting, MeetingKind, Section, SectionKind
from indexer.sanitize import html_to_text, sanitize_html

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
    if not meeting.municipality:
        meeting.warnings.append(f"{path}: municipality not stated; give it with --municipality")
    if base is None:
        meeting.warnings.append(f"{path}: portal address unknown; attachment links kept relative")
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
    for index, link in enumerate(row.xpath(".//a[contains(@class,'bilag-link')]"), start=1):
        href = link.get("href") or ""
        ident = re.search(_GUID, link.get("id") or "") or re.search(_GUID, href)
        item.attachments.append(
            Attachment(
                number=str(index),
                title=_clean(link.text_content()) or f"Bilag {index}",
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
    item.sections.append(Section(heading=heading, text=text, html=html, kind=kind))
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


def _meeting_from_json(path: Path, data: bytes, context: IngestContext) -> Meeting:
    try:
        document = json.loads(decode_page(data))
    except ValueError as exc:
        raise FormatError(path, f"malformed JSON: {exc}") from exc
    points = document.get("Dagsordenpunkter") if isinstance(document, dict) else None
    if not isinstance(points, list):
        raise FormatError(path, "no Dagsordenpunkter list")
    committee = context.committee or _clean(str(document.get("Udvalg") or document.get("UdvalgNavn") or ""))
    start = None
    if context.meeting_date is not None:
        start = parse_danish_datetime(context.meeting_date.isoformat())
    start = start or parse_danish_datetime(str(document.get("Dato") or document.get("MoedeDato") or ""))
    if not committee or start is None:
        raise FormatError(path, "the agenda document names no committee or date; give --committee and --date")
    base = context.extras.get("base_url") or document.get("BaseUrl")
    kind_text = str(document.get("Type") or "").casefold()
    meeting = Meeting(
        municipality=context.municipality or _clean(str(document.get("Kommune") or "")),
        committee=committee,
        start=start,
        kind=MeetingKind.REFERAT if kind_text.startswith("referat") else MeetingKind.DAGSORDEN,
        source=str(path),
        source_format=NAME,
        access=Access.OPEN,
        native_id=str(document["Id"]) if document.get("Id") else None,
    )
    if not meeting.municipality:
        meeting.warnings.append(f"{path}: municipality not stated; give it with --municipality")
    for point in points:
        if isinstance(point, dict):
            meeting.items.append(_item_from_json(point, meeting, base))
    if not meeting.items:
        raise FormatError(path, "Dagsordenpunkter is empty")
    return meeting.finalise()


def _item_from_json(point: dict[str, Any], meeting: Meeting, base: str | None) -> Item:
    title = _clean(str(point.get("Navn") or point.get("Caption") or ""))
    closed = bool(point.get("Lukket")) or title.casefold() == CLOSED_LABEL
    item = Item(
        number=_clean(str(point.get("Punktnummer") or "")),
        title="Lukket punkt" if closed else title,
        access=Access.CLOSED if closed else Access.OPEN,
        source_key=str(point["Id"]) if point.get("Id") else None,
    )
    if closed:
        return item
    item.case_number = _clean(str(point.get("SagsNummer") or "")) or None
    for field in point.get("Felter") or []:
        if not isinstance(field, dict):
            continue
        raw = str(field.get("Html") or "")
        heading = _clean(str(field.get("Navn") or field.get("Overskrift") or field.get("Caption") or ""))
        if not heading:
            caption = re.search(r"<h[1-4][^>]*>(.*?)</h[1-4]>", raw, re.IGNORECASE | re.DOTALL)
            if caption:
                heading = html_to_text(caption.group(1))
                raw = raw[: caption.start()] + raw[caption.end() :]
        _add_section(item, meeting, heading, raw)
    for index, enclosure in enumerate(point.get("Bilag") or [], start=1):
        if not isinstance(enclosure, dict):
            continue
        ident = str(enclosure.get("Id") or "") or None
        href = str(enclosure.get("Url") or (f"/vis/pdf/bilag/{ident}" if ident else ""))
        item.attachments.append(
            Attachment(
                number=str(index),
                title=_clean(str(enclosure.get("Navn") or enclosure.get("Titel") or "")) or f"Bilag {index}",
                access=item.access,
                document_id=ident,
                url=(urljoin(base, href) if base else href) or None,
                media_type="application/pdf",
            )
        )
    return item
