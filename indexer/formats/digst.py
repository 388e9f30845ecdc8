"""The Digitaliseringsstyrelsen open dataset of committee minutes (CSV, CC0).

One row per agenda item: ``identifikator`` is "<document GUID>_<item GUID>",
``indhold`` the item's text as extracted from the minutes PDF (plain text
or Markdown), ``skabt`` the year.  Rows of one document form one meeting.

The text does not name its meeting in one fixed place, so each item yields
*candidate* (body, date) pairs from every layout we know, and the meeting is
the pair most of its items agree on:

* a header printed above the item: "**Teknik- og Miljøudvalget** 9. juni 2016
  Sagsnr. …" (weighs most);
* "Sagens forløb" entries: "01-09-2014 Teknisk Udvalg" then that body's text;
* "Teknik- og Miljøudvalgets møde den 7. april 2016:" then the text;
* "Økonomiudvalget, 18. april 2017:" then the text.

The meeting's own entry is the item's decision; the other entries are its
history.  When no date is found at all the year from ``skabt`` is used (1
January, with a warning), so the item still lands in the right year.

Municipality: the three-digit municipality code that starts ESDH case
numbers ("710-2016-1739" is Favrskov) decides; failing that, the
municipality most often named as such ("Aarhus Byråd", "Kalundborg
Kommune"); else it stays "".  Votes are counted over the whole meeting.

Access: the dataset is a publication of public minutes, so an item is open
unless the text marks it closed: a line "Lukket", "Lukket punkt", "Lukket sag"
(any case, a parenthesised reason allowed), a title ending "- Lukket sag",
"**Lukket**" or "(lukket)", and -- default deny -- any line where the access
stands that begins with "Lukket" or names it after a dash or bracket, even in a
wording not listed here.
Pseudonymised placeholders such as "[adresse]" are kept as they are.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from indexer.dates import parse_danish_date
from indexer.formats import FormatError, IngestContext, decode_text, read_input
from indexer.model import (
    Access,
    Attachment,
    Decision,
    Item,
    Meeting,
    MeetingKind,
    Section,
    SectionKind,
    number_by_titles,
)
from indexer.municipalities import MUNICIPALITY_CODES, mentioned_municipalities, municipality_name
from indexer.sidecar import load_sidecar, sidecar_start

NAME = "digst"

HEADER_FIELDS = ("identifikator", "indhold")
SUFFIXES = {".csv", ".tsv", ".txt"}
NO_DECISION_TEXTS = {"beslutning ikke frigivet", ""}

_DATE_WORDED = r"\d{1,2}\.\s*[a-zæøå]+\.?\s+\d{4}"
_ENTRY_DMY = re.compile(r"^[ \t]*(?P<date>\d{2}-\d{2}-\d{4})[ \t]+(?P<body>\S[^\n]{1,90}?)[ \t]*$", re.MULTILINE)
_ENTRY_MOEDE = re.compile(
    r"^[ \t]*(?P<body>[A-ZÆØÅ][^\n:]{1,80}?)s\s+møde\s+den\s+(?P<date>" + _DATE_WORDED + r")\s*:[ \t]*$",
    re.MULTILINE,
)
_ENTRY_COMMA = re.compile(
    r"^[ \t]*(?P<body>[A-ZÆØÅ][^\n:,]{1,60}),\s+(?P<date>" + _DATE_WORDED + r")\s*:[ \t]*$", re.MULTILINE
)
_HEADER_MD = re.compile(r"\*\*(?P<body>[^*\n]{2,80})\*\*\s+(?P<date>" + _DATE_WORDED + r")\s+Sagsnr\.")
_HEADER_PDF = re.compile(
    r"(?:^|\n)[ \t]*\n(?P<body>(?:[ \t]*[A-ZÆØÅa-zæøå][^\n\d]{0,60}\n){1,3})[ \t]*(?P<date>"
    + _DATE_WORDED
    + r")[ \t]*\n[ \t]*Sagsnr\."
)
# The item's access as printed: "Åbent", "Lukket", "Lukket punkt", "Lukket sag", "Lukkede punkter",
# with a parenthesised reason ("Lukket sag (personsag)"); any case.
_ACCESS_WORDING = (
    r"(?i:(?:åbent|åben|lukket|lukkede)"
    r"(?:\s+(?:sag|sager|punkt|punkter|dagsordenspunkt|dagsordenspunkter))?(?:\s*\([^()\n]{0,80}\))?)"
)
_NUMBERED = re.compile(
    r"^[#\s|*]*?(?:.*\|\s*)?(?P<number>\d{1,3})\.[ \t]+(?P<title>\S.*?)"
    r"(?:\s+[-–]\s+\**(?P<access>" + _ACCESS_WORDING + r")\**[.:]?"
    r"|\*\*(?P<glued>" + _ACCESS_WORDING + r")\*\*)?[ \t]*$"
)
_ACCESS_LINE = re.compile(r"^[\s*_#]*(?P<access>" + _ACCESS_WORDING + r")[\s*_.:;]*$")
# The access printed after a title: "Køb af grund - Lukket sag", "…[adresse]**Lukket**", "… (lukket)".
_ACCESS_SUFFIX = re.compile(r"\s*(?:\s[-–—]\s*\**|\*\*|\(\s*)(?P<access>" + _ACCESS_WORDING + r")[\s*_.:;)]*$")
# Where the access stands (the title lines and the lines after them), a line that begins with the
# word, or a title that names it after a dash or bracket, says closed even in a wording not read above.
_CLOSED_LEAD = re.compile(r"^[\s*_#|]*(?:Lukket|Lukkede|LUKKET|LUKKEDE)\b")
_CLOSED_NAMED = re.compile(r"(?:[-–—(]|\*\*)[\s*_]*lukke(?:t|de)\b", re.IGNORECASE)
_CASE_NUMBER = re.compile(r"Sagsnr\.?:?\s*(?P<value>\d{3}-\d{4}-\s*\d+)")
_JOURNAL = re.compile(r"J\.\s?nr\.?:?\s*(?P<value>\d{2}\.\d{2}(?:\.\d{2})?(?:-[A-ZÆØÅ]\d{2})?)")
_MUNICIPAL_CASE = re.compile(r"\b(?P<code>\d{3})-(?:19|20)\d{2}-\s*\d+")
_DOC_NUMBER = re.compile(r"^\d{3}-\d{4}-\d+$")
_UPPER_HEADING = re.compile(r"^[A-ZÆØÅÉ][A-ZÆØÅÉ /&\-–()]{3,60}$")
_BOLD_HEADING = re.compile(r"^\*{2,3}(?P<heading>[^*\n]{2,80}?)\*{2,3}[ \t]*(?P<rest>.*)$")
_ABSENT = re.compile(r"^Fraværende\s*:\s*(?P<names>.*)$", re.IGNORECASE)
KNOWN_HEADINGS = {
    "sagens forløb", "sagsfremstilling", "påtegning", "bilag", "beslutning", "resumé", "resume",
    "indstilling", "indstillinger", "behandling", "sagstype", "økonomiske konsekvenser", "sagens indhold",
    "vurdering", "økonomi", "resume og sagens baggrund", "beslutningspunkter", "tidligere beslutninger",
}  # fmt: skip


@dataclass
class Entry:
    """One body's dated treatment of the item, as printed."""

    body: str
    day: date | None
    heading: str
    text: str
    kind: str  # "header" | "entry"


@dataclass
class ParsedRow:
    document: str
    item_key: str
    year: int | None
    item: Item
    entries: list[Entry] = field(default_factory=list)
    decision_text: str = ""  # the item's own BESLUTNING section, to recognise its entry
    derived_title: bool = False
    # Case-number codes and bodies such as "Aarhus Byråd" (strong); names in the text (weak).
    municipality_votes: Counter[str] = field(default_factory=Counter)
    municipality_mentions: Counter[str] = field(default_factory=Counter)


def detect(path: Path) -> bool:
    """A ``.csv`` with the dataset's columns; or a ``.txt``/``.tsv`` with them, as Excel saves a
    sheet as "Unicode text" (UTF-16, tab-separated)."""
    if not path.is_file() or path.suffix.lower() not in SUFFIXES:
        return False
    with path.open("rb") as fh:
        head = decode_text(fh.read(1024), errors="replace")
    first = head.splitlines()[0] if head else ""
    columns = [c.strip().strip('"') for c in first.split(_delimiter(first))]
    return all(name in columns for name in HEADER_FIELDS)


def _delimiter(header: str) -> str:
    """Comma, or tab where the header line is tab-separated (Excel's "Unicode text")."""
    return "\t" if header.count("\t") > header.count(",") else ","


def parse(path: Path, context: IngestContext) -> Iterable[Meeting]:
    warnings: list[str] = []
    meta = load_sidecar(path, context, warnings)
    documents: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in _rows(path, warnings):
        parsed = parse_row(row)
        if parsed is None:
            warnings.append(f"{path}: row without identifikator or text skipped")
            continue
        documents[parsed.document].append(parsed)
    if not documents:
        raise FormatError(path, "no rows in the open-dataset CSV")
    meetings = [build_meeting(document, rows, meta, str(path)) for document, rows in documents.items()]
    if not meta.get("municipality"):
        _settle_municipalities(meetings, documents)
    if warnings:
        meetings[0].warnings[:0] = warnings
    for meeting in meetings:
        yield meeting.finalise()


def _settle_municipalities(meetings: list[Meeting], documents: dict[str, list[ParsedRow]]) -> None:
    """Strong evidence decides; else a committee of the same name in this file that strong evidence
    placed (one export is one source); else the municipality the text names most; else ""."""
    strong_by_committee: dict[str, set[str]] = defaultdict(set)
    decided: dict[str, str] = {}
    for meeting in meetings:
        votes: Counter[str] = Counter()
        for row in documents[meeting.native_id or ""]:
            votes.update(row.municipality_votes)
        if votes:
            decided[meeting.id] = municipality_name(votes.most_common(1)[0][0])
            strong_by_committee[_key(meeting.committee)].add(decided[meeting.id])
    for meeting in meetings:
        if meeting.id in decided:
            meeting.municipality = decided[meeting.id]
            continue
        same = strong_by_committee.get(_key(meeting.committee), set())
        if meeting.committee and len(same) == 1:
            meeting.municipality = next(iter(same))
            continue
        mentions: Counter[str] = Counter()
        for row in documents[meeting.native_id or ""]:
            mentions.update(row.municipality_mentions)
        meeting.municipality = municipality_name(mentions.most_common(1)[0][0]) if mentions else ""


def _rows(path: Path, warnings: list[str]) -> Iterator[dict[str, str]]:
    """The rows as dicts by column name; a last row the file's end cuts (a quote left open,
    fields missing) is read as far as it goes, with a warning."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    text = decode_text(read_input(path))  # UTF-8, UTF-16 or Windows-1252, as a text agenda is read
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
        header = next(reader, None)
        if not header or not all(name in header for name in HEADER_FIELDS):
            raise FormatError(path, "not the open-dataset CSV (no identifikator/indhold columns)")
        row: list[str] = header
        for row in reader:
            if row:
                yield dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
    except csv.Error as exc:
        raise FormatError(path, f"broken CSV ({exc})") from exc
    if text.count('"') % 2:  # quotes come in pairs (around a field, doubled inside it)
        warnings.append(
            f"{path}: the file ends inside a quoted field; its last row is cut short (read as far as it goes)"
        )
    elif row is not header and len(row) < len(header):
        warnings.append(
            f"{path}: the last row has {len(row)} of {len(header)} fields; it is cut short (read as far as it goes)"
        )


# --- one row -----------------------------------------------------------------


def parse_row(row: dict[str, Any]) -> ParsedRow | None:
    """One CSV row → an item plus the (body, date) candidates its text offers."""
    identifier = (row.get("identifikator") or "").strip()
    # NFC: a text drawn from a PDF may write "å" as "a" and a ring, which the patterns below (and
    # the committee and municipality names) spell composed.
    text = unicodedata.normalize("NFC", row.get("indhold") or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    if not identifier or not text.strip():
        return None
    document, _, item_key = identifier.partition("_")
    year_text = (row.get("skabt") or "").strip()
    year = int(year_text) if year_text.isdigit() else None

    number, title, access = _title_and_access(text)
    case = _CASE_NUMBER.search(text)
    journal = _JOURNAL.search(text)
    case_number = re.sub(r"\s+", "", case["value"]) if case else (journal["value"] if journal else None)

    entries = _entries(text)
    cut = min([m.start() for m in _entry_matches(text)] + [_history_start(text)] + [len(text)])
    sections = _sections(text[:cut])
    decision_text = next((s.text for s in sections if s.kind == SectionKind.DECISION), "")
    derived = False
    if not title:
        title, sections = _derived_title(sections, entries)
        derived = True
    item = Item(
        number=number,
        title=title,
        access=access,
        case_number=case_number,
        sections=sections,
        source_key=item_key or identifier,
    )
    item.attachments = _attachments(text, access)
    for section in item.sections:  # the row's access is its sections' (no marker of their own)
        section.access = access
    strong: Counter[str] = Counter()
    for match in _MUNICIPAL_CASE.finditer(text):
        if match["code"] in MUNICIPALITY_CODES:
            strong[MUNICIPALITY_CODES[match["code"]]] += 1
    for entry in entries:
        strong.update(mentioned_municipalities(entry.body))
    weak = Counter(mentioned_municipalities(text))
    return ParsedRow(document, item_key, year, item, entries, decision_text, derived, strong, weak)


def _clean_line(line: str) -> str:
    line = line.strip()
    line = re.sub(r"^#+\s*", "", line)
    line = re.sub(r"\*{2,3}", "", line)
    return re.sub(r"[ \t]+", " ", line).strip()


def _title_and_access(text: str) -> tuple[str, str, Access]:
    lines = text.split("\n")
    number, numbered_title, access = "", "", Access.OPEN
    title_lines = [next((n for n, line in enumerate(lines) if line.strip()), 0)]
    for index, raw in enumerate(lines[:40]):
        match = _NUMBERED.match(raw.strip())
        if not match or not _plausible_title(match["title"]):
            continue
        number = match["number"]
        numbered_title = _clean_line(match["title"])
        title_lines.append(index)
        marker = match["access"] or match["glued"]
        if marker is None:
            following = next((line for line in lines[index + 1 : index + 4] if line.strip()), "")
            found = _ACCESS_LINE.match(following)
            marker = found["access"] if found else None
        if marker and "lukk" in marker.casefold():
            access = Access.CLOSED
        break
    if _marked_closed(text, lines, title_lines):
        access = Access.CLOSED
    first = _clean_line(next((line for line in lines if line.strip()), ""))
    first_is_title = (
        bool(first)
        and not text.lstrip().startswith(("#", "|", "*"))
        and not _is_heading(first)
        and not _NUMBERED.match(first)
    )
    title = first if first_is_title else numbered_title
    suffix = _ACCESS_SUFFIX.search(title)
    if suffix and suffix.start() > 0:
        title = title[: suffix.start()].rstrip(" -–—")  # the access is the item's, not its title's
    return number, title, access


def _marked_closed(text: str, lines: list[str], title_lines: list[int]) -> bool:
    """Whether the row says its item is closed, in any wording (an open row prints "Åbent" or nothing).

    A line that is the access alone ("Lukket sag", "**Lukket punkt**") or ends a line after a dash,
    bold or bracket ("Køb af grund - Lukket sag", "… (lukket)") closes it anywhere in the row's
    head; where the access stands -- the title lines and the three lines after each -- a line that
    begins with "Lukket" or names it after a dash or bracket closes it too, however it goes on
    ("Lukket sag, jf. § 10"): a marker that cannot be read is read as closed."""
    for raw in text[:3000].split("\n"):
        line = raw.strip()
        for candidate in (line, _clean_line(line)):
            found = _ACCESS_LINE.match(candidate) or _ACCESS_SUFFIX.search(candidate)
            if found and "lukk" in found["access"].casefold():
                return True
    nearby = {n for start in title_lines for n in range(start, start + 4)}
    for n in sorted(nearby):
        if n < len(lines):
            line = lines[n].strip()
            if (n not in title_lines and _CLOSED_LEAD.match(line)) or _CLOSED_NAMED.search(line):
                return True
    return False


def _plausible_title(title: str) -> bool:
    cleaned = _clean_line(title)
    return len(cleaned) >= 3 and not re.match(r"^\d", cleaned) and not cleaned.lower().startswith(("at ", "og "))


def _is_heading(line: str) -> bool:
    cleaned = line.rstrip(":").strip()
    if cleaned.casefold() in KNOWN_HEADINGS:
        return True
    letters = sum(ch.isalpha() for ch in cleaned)
    # Short capitals are case-worker initials ("DPSVE") or route codes, not headings.
    return bool(_UPPER_HEADING.match(cleaned)) and (letters >= 7 or " " in cleaned)


def _history_start(text: str) -> int:
    match = re.search(r"(?im)^[#*\s]*Sagens forløb[*\s]*$", text)
    return match.start() if match else len(text)


def _sections(text: str) -> list[Section]:
    """Split at headings: Markdown ###/bold lines, CAPITALISED lines, the known mixed-case ones."""
    sections: list[Section] = []
    heading = ""
    buffer: list[str] = []

    def flush() -> None:
        body = _tidy("\n".join(buffer))
        if body and not _ACCESS_LINE.match(body):
            sections.append(Section(heading=heading, text=body, kind=_section_kind(heading)))

    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped.startswith("###") and not stripped.lstrip("#").strip().startswith("|"):
            candidate = _clean_line(stripped)
            if not candidate or _NUMBERED.match(candidate):
                continue  # the title line, or an empty Markdown heading
            flush()
            heading, buffer = candidate, []
            continue
        bold = _BOLD_HEADING.match(stripped)
        if bold and not _ACCESS_LINE.match(stripped) and not bold["heading"].rstrip().endswith(":"):
            flush()
            heading, buffer = _clean_line(bold["heading"]), []
            if bold["rest"].strip():
                buffer.append(bold["rest"])
            continue
        cleaned = _clean_line(stripped)
        if cleaned and _is_heading(cleaned) and not stripped.startswith("|"):
            flush()
            heading, buffer = cleaned.rstrip(":"), []
            continue
        if stripped.startswith("### |") or _NUMBERED.match(stripped) or _ACCESS_LINE.match(stripped):
            continue
        buffer.append(raw)
    flush()
    return [s for s in sections if s.heading.casefold() not in ("sagsfremstilling", "bilag") or s.text]


def _section_kind(heading: str) -> SectionKind:
    folded = heading.casefold()
    if folded.startswith("beslutning") and folded != "beslutningspunkter":
        return SectionKind.DECISION
    if folded.startswith("indstilling"):
        return SectionKind.RECOMMENDATION
    return SectionKind.BODY


def _tidy(text: str) -> str:
    """Plain text: table rules dropped, cells joined, wrapped lines kept, blank runs collapsed."""
    lines = []
    for raw in text.split("\n"):
        line = raw.strip()
        if re.fullmatch(r"\|?[\s|:-]*\|?", line) and "|" in line:
            continue
        if line.startswith("|"):
            line = " · ".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
        lines.append(re.sub(r"\*{2,3}", "", re.sub(r"[ \t]+", " ", line)))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _entry_matches(text: str) -> list[re.Match[str]]:
    cleaned = re.sub(r"\*{2,3}", "", text)
    found = list(_ENTRY_MOEDE.finditer(cleaned)) + list(_ENTRY_COMMA.finditer(cleaned))
    history = _history_start(cleaned)
    if history < len(cleaned):
        found += [m for m in _ENTRY_DMY.finditer(cleaned) if m.start() > history]
    return sorted(found, key=lambda m: m.start())


def _entries(text: str) -> list[Entry]:
    entries: list[Entry] = []
    cleaned = re.sub(r"\*{2,3}", "", text)
    for match in _HEADER_MD.finditer(text):
        entries.append(Entry(_body(match["body"]), parse_danish_date(match["date"]), "", "", "header"))
    for match in _HEADER_PDF.finditer(text):
        body = _body(" ".join(line.strip() for line in match["body"].split("\n")))
        if body and len(body.split()) <= 6:
            entries.append(Entry(body, parse_danish_date(match["date"]), "", "", "header"))
    matches = _entry_matches(text)
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(cleaned)
        body = _body(match["body"])
        if not body:
            continue
        entry_text = _entry_text(cleaned[match.end() : end])
        heading = _clean_line(match.group(0)).rstrip(":")
        entries.append(Entry(body, parse_danish_date(match["date"]), heading, entry_text, "entry"))
    return entries


def _body(raw: str) -> str:
    body = re.sub(r"\s+", " ", raw.replace("*", "")).strip(" -:,")
    return body if len(body) <= 80 else ""


def _entry_text(raw: str) -> str:
    """The body's own words: attachment lists (title + document number) and table debris removed."""
    lines = [line.strip() for line in raw.split("\n")]
    kept: list[str] = []
    for index, line in enumerate(lines):
        following = next((nxt for nxt in lines[index + 1 :] if nxt), "")
        if _DOC_NUMBER.match(line) or _DOC_NUMBER.match(following):
            continue
        if line.casefold() in ("bilag", "### bilag") or line.startswith("|"):
            continue
        if re.fullmatch(r"###\s*", line):
            continue
        kept.append(line)
    return _tidy("\n".join(kept))


def _attachments(text: str, access: Access) -> list[Attachment]:
    """Bilag listed as "<title> | <document number>" rows or a title line over its number."""
    found: list[Attachment] = []
    for match in re.finditer(r"^\|\s*(?P<title>[^|\n]+?)\s*\|\s*(?P<doc>\d{3}-\d{4}-\d+)\s*\|", text, re.MULTILINE):
        found.append(Attachment(str(len(found) + 1), match["title"], access, document_id=match["doc"]))
    if found:
        number_by_titles(found, found)  # numbered by their place: unless the titles number them
        return found
    lines = [line.strip() for line in text.split("\n")]
    previous = ""
    for line in lines:
        if _DOC_NUMBER.match(line) and previous and not _is_heading(previous) and ":" not in previous:
            found.append(Attachment(str(len(found) + 1), previous, access, document_id=line))
        if line:
            previous = line
    number_by_titles(found, found)
    return found


def _aarhus_subject(sections: list[Section], entries: list[Entry]) -> tuple[str, list[Section]]:
    """Aarhus Markdown items print no title; the last paragraph under Beslutning states the subject."""
    for section in sections:
        if section.kind != SectionKind.DECISION:
            continue
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", section.text) if p.strip()]
        if len(paragraphs) < 2 or not any(s.heading.casefold().startswith("resum") for s in sections):
            return "", sections
        subject = re.sub(r"\s+", " ", paragraphs[-1])
        if any(subject and subject in re.sub(r"\s+", " ", e.text) for e in entries):
            return "", sections
        section.text = "\n\n".join(paragraphs[:-1])
        return subject, sections
    return "", sections


# Headings whose text sums the case up, best first; a title is taken from these, then from any
# other case text, never from the decision or the recommendation ("Intet.", "Udsat.").
SUMMARY_HEADINGS = ("resumé", "resume", "resume og sagens baggrund", "sagens indhold", "sagsfremstilling")
# A period after these does not end a sentence: "lokalplan nr. 1025", "jf. Planloven", "pkt. 3".
ABBREVIATIONS = {
    "nr", "pkt", "jf", "jfr", "ca", "bl.a", "f.eks", "mv", "m.v", "mm", "m.m", "kr", "mio", "mia", "tidl",
    "evt", "inkl", "ekskl", "vedr", "iht", "i.h.t", "sml", "stk", "kap", "tlf", "ang", "dvs", "pga", "p.g.a",
    "hhv", "mht", "m.h.t", "ift", "i.f.t", "dr", "st", "vej", "afd", "udv", "adm", "att", "obs",
}  # fmt: skip
# Vote lines that open an Aarhus subject paragraph: who did not support it, not what it is about.
_VOTE_SENTENCE = re.compile(
    r"(kunne ikke tiltræde|tog forbehold|undlod at stemme|stemte imod|kan ikke tiltræde|tager forbehold)", re.I
)


def _derived_title(sections: list[Section], entries: list[Entry]) -> tuple[str, list[Section]]:
    """A title for a row that prints none: the subject Aarhus states, else the first sentence of the
    case's summary or text. A row holding nothing but its decision gets no title ("" is shown as
    "(uden titel)"), because a decision ("Intet.", "Udsat.") does not say what the case is."""
    subject, sections = _aarhus_subject(sections, entries)
    if subject:
        sentences = [s for s in _sentences(subject) if not _VOTE_SENTENCE.search(s)]
        if sentences:
            return _shorten(sentences[0]), sections
    case_text = [s for s in sections if s.kind == SectionKind.BODY and s.text.strip()]
    ranked = sorted(
        case_text,
        key=lambda s: SUMMARY_HEADINGS.index(s.heading.casefold()) if s.heading.casefold() in SUMMARY_HEADINGS else 99,
    )
    for section in ranked:
        for paragraph in re.split(r"\n\s*\n", section.text):
            first = next(iter(_sentences(paragraph)), "")
            if len(first) >= 12 and not _is_heading(first) and "·" not in first:
                return _shorten(first), sections
    return "", sections


def _sentences(text: str) -> list[str]:
    """Split at a full stop, ! or ? followed by a capital — except after an abbreviation, a number
    of one or two digits (dates and ordinals: "den 10. maj", "3. etape") or a single letter."""
    flat = re.sub(r"\s+", " ", text).strip()
    out: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?](?=\s+[\[\(\"«]?[A-ZÆØÅ])", flat):
        before = flat[start : match.start()].rsplit(" ", 1)[-1]
        word = before.casefold().strip('([«"')
        if match.group() == "." and (word in ABBREVIATIONS or (word.isdigit() and len(word) <= 2) or len(word) <= 1):
            continue
        out.append(flat[start : match.end()].strip())
        start = match.end()
    if flat[start:].strip():
        out.append(flat[start:].strip())
    return out


def _shorten(sentence: str, limit: int = 160) -> str:
    sentence = sentence.strip()
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–") + "…"


def _first_sentence(text: str, limit: int = 100) -> str:
    return _shorten(next(iter(_sentences(text)), ""), limit)


# --- one meeting --------------------------------------------------------------


def _key(body: str) -> str:
    return re.sub(r"\s+", " ", body).strip().casefold()


def _meeting_pair(rows: list[ParsedRow]) -> tuple[str, date] | None:
    """The (body, date) most items of the document agree on."""
    scores: dict[tuple[str, date], float] = defaultdict(float)
    names: dict[str, str] = {}
    support: Counter[tuple[str, date]] = Counter()
    for row in rows:
        seen: set[tuple[str, date]] = set()
        own = re.sub(r"\s+", " ", row.decision_text).strip()[:60]
        for entry in row.entries:
            if entry.day is None or "[" in entry.body or "påtegning" in entry.body.casefold():
                continue
            pair = (_key(entry.body), entry.day)
            names.setdefault(pair[0], entry.body)
            if entry.kind == "header":
                scores[pair] += 2.0 if pair not in seen else 0.0
            elif pair not in seen:
                scores[pair] += 1
            if own and entry.text and re.sub(r"\s+", " ", entry.text).strip()[:60] == own:
                scores[pair] += 0.5
            seen.add(pair)
        support.update(seen)
    if not scores:
        return None
    (body_key, day), _ = max(scores.items(), key=lambda kv: (kv[1], kv[0][1]))
    if 2 * support[(body_key, day)] < len(rows):
        return None  # an agenda: the dated entries are earlier meetings, not this one
    return names[body_key], day


def _route_next(rows: list[ParsedRow]) -> str:
    """For an agenda: the body that comes next on most items' route ("Behandling")."""
    votes: Counter[str] = Counter()
    for row in rows:
        route = next((s.text for s in row.item.sections if s.heading.casefold() == "behandling"), "")
        bodies = [b.strip(" .") for b in re.split(r"[,\n]", route) if b.strip(" .")]
        done = {_key(e.body) for e in row.entries}
        upcoming = [b for b in bodies if _key(b) not in done and len(b.split()) <= 5]
        if upcoming:
            votes[upcoming[0]] += 1
    if not votes:
        return ""
    body, count = votes.most_common(1)[0]
    return body if 2 * count >= len(rows) else ""


def build_meeting(document: str, rows: list[ParsedRow], meta: dict[str, Any], source: str) -> Meeting:
    warnings: list[str] = []
    pair = _meeting_pair(rows)
    committee = meta.get("committee") or (pair[0] if pair else _route_next(rows))
    start: datetime | None = sidecar_start(meta)
    precision = "day"
    if start is None and pair is not None:
        start = datetime(pair[1].year, pair[1].month, pair[1].day)
    if start is None:
        years = Counter(row.year for row in rows if row.year)
        if years:
            year = years.most_common(1)[0][0]
            start = datetime(year, 1, 1)  # sorts and facets by year; shown as the year alone
            precision = "year"
            warnings.append(f"{source}: document {document}: meeting date not printed; year {year} from 'skabt'")
    if not committee:
        warnings.append(f"{source}: document {document}: committee not found in the text")

    municipality = meta.get("municipality") or ""  # else settled over the whole file

    own_key = _key(committee)
    own_day = pair[1] if pair else None
    items: list[Item] = []
    for row in rows:
        item = row.item
        for entry in row.entries:
            if entry.kind != "entry":
                continue
            decision = Decision(body=entry.body, date=entry.day, text=entry.text, heading=entry.heading)
            if _key(entry.body) == own_key and (own_day is None or entry.day == own_day):
                if entry.text.casefold().strip(". ") in NO_DECISION_TEXTS:
                    continue
                item.decisions.append(decision)
                item.absentees.extend(_absentees(entry.text))
            else:
                item.history.append(decision)
        if item.decisions and not any(s.kind == SectionKind.DECISION for s in item.sections):
            for decision in item.decisions:
                item.sections.append(
                    Section(heading=decision.heading, text=decision.text, kind=SectionKind.DECISION, access=item.access)
                )
        items.append(item)
    if all(item.number.isdigit() for item in items):
        items.sort(key=lambda item: int(item.number))

    kind = meta.get("kind")
    if not isinstance(kind, MeetingKind):
        kind = MeetingKind.REFERAT if any(item.decisions for item in items) else MeetingKind.DAGSORDEN
    meeting = Meeting(
        municipality=municipality,
        committee=committee,
        start=start,
        kind=kind,
        items=items,
        source=source,
        source_format=NAME,
        native_id=document,
        access=Access.OPEN,  # the agency's open dataset: published minutes; each row says its item's access
        warnings=warnings,
        date_precision=precision,
    )
    return meeting.finalise()  # again once the municipality is settled


def _absentees(text: str) -> list[str]:
    for line in text.split("\n"):
        match = _ABSENT.match(line.strip())
        if match:
            names = re.split(r",\s*|\s+og\s+", match["names"].strip().rstrip("."))
            return [n.strip() for n in names if n.strip() and n.strip().casefold() != "ingen"]
    return []
