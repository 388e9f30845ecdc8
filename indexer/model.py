"""The canonical model every input format is parsed into.

Nothing downstream of a parser knows which format an item came from: the
index, search service, CLI and web UI see only these dataclasses.  Access is
recorded at every level (meeting, item, section, attachment) and defaults to
closed, so a parser that cannot tell denies rather than leaks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from indexer.municipalities import canonical_municipality
from indexer.normalise import without_invisible

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


class Access(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MeetingKind(StrEnum):
    DAGSORDEN = "dagsorden"
    REFERAT = "referat"


# A referat supersedes the dagsorden of the same meeting.
KIND_RANK = {MeetingKind.DAGSORDEN: 1, MeetingKind.REFERAT: 2}


class SectionKind(StrEnum):
    BODY = "body"
    RECOMMENDATION = "recommendation"  # Indstilling
    DECISION = "decision"  # Beslutning
    HISTORY = "history"  # decisions of earlier meetings repeated in this item


# The labels an item's sections carry on every decided item and its page, and the verbs a decision
# and a recommendation are told with ("hvad besluttede byrådet om …"): a query word naming which
# part of the item is wanted, not what it is about.  Not "referat", "dagsorden" or "bilag": they
# name documents, which items are about too ("kommunekontaktrådets referater").
PART_NAMES = ("sagsfremstilling", "indstilling", "indstille", "beslutning", "beslutte")


def stable_hash(*parts: str, length: int = 16) -> str:
    """Short, deterministic id from normalised text parts."""
    text = "\x1f".join(normalise_key(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def normalise_key(value: str) -> str:
    """NFC, lower case, collapsed whitespace: the form ids are computed from."""
    value = unicodedata.normalize("NFC", value or "")
    return re.sub(r"\s+", " ", value).strip().casefold()


# "Bilag 2: Beredskabsplan", "bilag 1.1 - Økonomioversigt": a title that carries the source's own number.
# Not "Bilag 3 til sag nr. 3 …": that is another case's numbering, which the title names.
_PRINTED_NUMBER = re.compile(r"\s*bilag\s+(\d+(?:\.\d+)*)(?![\d.]*\d)(?!\s*til\s+(?:sag|punkt)\b)", re.IGNORECASE)


def printed_attachment_number(title: str | None) -> str:
    """The number a bilag's title gives it ("Bilag 2: …" → "2", "Bilag 1.1 - …" → "1.1"); "" when none."""
    match = _PRINTED_NUMBER.match(title or "")
    return match.group(1) if match else ""


# What an access mark names when a word follows it ("Lukket byrådsmøde", "lukkede bilag"): documents
# and their parts, meetings, cases, and what a closure shields (persons, agreements, bids).  Stems,
# found anywhere in a word ("byrådsmøde", "personsager").
_MARKED_WORDS = (
    "bilag|sag|punkt|dokument|notat|oplysning|møde|tilbud|akt|afsnit|del|materiale|brev|skrivelse|"
    "referat|dagsorden|protokol|rapport|redegørelse|side|fil|kontrakt|aftale|person|navn|cpr|"
    "offentlig|fortrolig|lov|jf|henhold|§|undtag|tavshed"  # "(lukkede jf. offentlighedsloven)"
)
# What "lukkede" describes when it tells of the subject rather than marks the attachment: places
# and institutions that close ("Trafik - lukkede veje", "Høring - lukkede skoler"), or a time they
# closed at ("Skoler - lukkede i 2020").  Only these open it: before any other word it is the mark
# ("- Lukkede priser", "Lukkede beslutninger", "lukkede data"), as a caseworker writes it (default
# deny: a list of what a mark names let every word it lacked through).
_SUBJECT_WORDS = (
    r"(?:vej|gade|sti|bro|skole|klasse|institution|daginstitution|børnehave|vuggestue|dagpleje|"
    r"fritidshjem|fritidsklub|klub|bibliotek|hal|svømmehal|plejehjem|plejecent(?:er|re)|afdeling|station|"
    r"butik|virksomhed|fabrik|strand|park|område|anlæg|kirkegård|toilet|p-plads|parkeringsplads|spor|"
    r"linje|rute|sygehus|hospital|bygning|lokale|genbrugsplads|havn|legeplads)"
    r"(?:e|er|erne|ne|en|et|n|r|rne|ker|kerne|ter|terne|ler|lerne|ber|berne)?(?![^\W_])"  # whole words
    r"|(?:i|pr\.?|per|fra|siden|efter)\s+\d"
)
# "lukkede" is the mark unless a word of the subject follows and nothing after it names what a mark
# names ("Trafik - lukkede veje, notat" is closed); "lukket" is the mark wherever it is looked for.
_LUKKEDE = rf"lukkede(?!\s+(?:{_SUBJECT_WORDS})(?!.*(?:{_MARKED_WORDS})))"
_MARK = rf"(?:lukket|{_LUKKEDE}|fortrolig(?:t|e)?|ikke\s+(?:offentlig(?:t|gjort|e)?|til\s+offentliggørelse)|undtaget)"
# A title that says its attachment is closed, as an item's title says its item is: the mark opens
# it ("Lukket bilag: …", "Fortroligt notat", "Ikke offentliggjort - …"), follows a dash, bracket,
# colon, bold or any other sign ("Bilag 2 (lukket)", "Notat - Lukket", "Bilag 2: Fortroligt",
# "**Lukket**") or a number ("Bilag 2 lukket"), or ends it ("Bilag vedr. ejendom LUKKET").  Only a
# mark inside a phrase, after a word, tells of something else ("Svar vedrørende lukkede svar …").
_CLOSED_TITLE = re.compile(
    rf"(?:^|[^\w\s]|[\d_])[\W_]*{_MARK}(?![^\W_])|(?<![^\W_])(?:lukket|lukkede)[\W_]*$",
    re.IGNORECASE | re.DOTALL,
)
# Raised whenever the rule closes titles it let through before: content written under a lower one
# may publish an attachment it closes now, so an index stamped lower is refused until a reindex
# (the embedded engine's ``closed-title-rule`` stamp).  1: round 32 to 33; 2: the marks a caseworker
# writes ("- lukkede priser", "Bilag 2: Lukket", "- Fortroligt", "Luk\u00adket").
CLOSED_TITLE_RULE = 2


def title_marks_closed(title: str | None) -> bool:
    """Whether an attachment's title marks it closed (default deny: the title's word overrides an
    "open" the source states or a format assumes from its item).  Read as the search compares words
    (NFKC, the signs a reader does not see taken out, ``normalise.INVISIBLE_SIGNS``): a title
    written "Luk\u00adket", "Luk\u200dket" or in full-width letters, which a search for "lukket"
    finds, is closed too.  NFKC in full, fractions too ("1½" → "11⁄2"), where the search keeps a
    fraction's sign: the rule reads a digit before the mark, and it closes no title less for it."""
    if not title:
        return False
    return bool(_CLOSED_TITLE.search(unicodedata.normalize("NFKC", without_invisible(title))))


def number_by_titles(attachments: list[Attachment], positional: list[Attachment]) -> None:
    """Where the titles carry the numbering ("Indstilling", "Bilag 1: Beslutningsforslag", …), the
    ``positional`` attachments — numbered by their place in the list, for want of a number field
    in the source — take the number their title prints, or none: their place would call the
    Indstilling "bilag 1" beside the source's own Bilag 1, which would then be "bilag 2"."""
    if any(printed_attachment_number(a.title) for a in attachments):
        for attachment in positional:
            attachment.number = printed_attachment_number(attachment.title)


@dataclass(frozen=True)
class PendingCopy:
    """A whole-meeting document that may be shown only with some pages blank.  The copy is written
    by the index, once it also knows the items it withholds (closed by an earlier version, taken
    down with ``minutes forget``): no file is ever written showing their pages."""

    source: str  # the document as read (never published as it is)
    blank: tuple[int, ...]  # pages to blank in any copy (closed items, table of contents …)
    page_count: int


def closed_attachment_title(title: str | None) -> str:
    """What a closed attachment is called: "Bilag N" when its title prints its number N, else
    "Bilag" (its number, if any, is in ``number``).  Nothing else of the title: it names the
    closed matter.  The printed number is kept so ``number_by_titles`` numbers the others as the
    source's titles do, and "Bilag" alone prints none, as the title it replaces."""
    printed = printed_attachment_number(title)
    return f"Bilag {printed}" if printed else "Bilag"


# What a closed attachment keeps of each field besides its number, access and "Bilag N" title:
# nothing that names it or holds its content (file name, URL, text, source ids, journal number).
_CLOSED_ATTACHMENT_VALUES: dict[str, Any] = {
    "journal_number": None,
    "document_id": None,
    "file": None,
    "url": None,
    "text": None,
    "text_status": "no-file",
    "archive_name": None,
    "media_type": None,
    "pending": None,
}


@dataclass
class Attachment:
    """A bilag: a file attached to an agenda item, with its own access.

    A closed one holds only what says "Bilag N (lukket)": its number, its access, and the title
    ``closed_attachment_title`` gives it.  This is enforced on every assignment, in whatever order a
    parser sets the fields, so no format's closed attachment carries its title, file name, URL or
    text past the parser (to a warning, a log, a cache or an archive): closing it drops them, and
    anything set on it afterwards is dropped too.  Closing is final (default deny), and a title
    that marks it closed (``title_marks_closed``) closes it before the title is kept."""

    number: str
    title: str
    access: Access = Access.CLOSED
    journal_number: str | None = None
    document_id: str | None = None
    file: str | None = None  # absolute path of the file as found at ingest
    url: str | None = None  # source URL when the file lives on a portal
    text: str | None = None  # extracted text, when available
    # "extracted", "empty", "legacy-doc", "missing", "unreadable",
    # "unsupported", "no-file"
    text_status: str = "no-file"
    archive_name: str | None = None  # content-addressed name in the archive folder
    media_type: str | None = None
    # A whole-meeting document with closed pages: ``file`` is None, the index writes the copy.
    pending: PendingCopy | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        closed = self.__dict__.get("access") == Access.CLOSED
        if name == "title" and not closed and title_marks_closed(value):
            # Closed by its title whatever a format read or assumed ("Bilag 2 (lukket)" of an open item).
            self._close()
            closed = True
        if name == "access":
            value = Access.OPEN if value == Access.OPEN and not closed else Access.CLOSED
        elif closed and name == "title":
            value = closed_attachment_title(value)
        elif closed and name in _CLOSED_ATTACHMENT_VALUES:
            value = _CLOSED_ATTACHMENT_VALUES[name]
        object.__setattr__(self, name, value)
        if name == "access" and value == Access.CLOSED and not closed:
            self._close()

    def _close(self) -> None:
        """Closed: keep the number and a "Bilag N" title, drop whatever else was set so far."""
        object.__setattr__(self, "access", Access.CLOSED)
        if "title" in self.__dict__:
            object.__setattr__(self, "title", closed_attachment_title(self.title))
        for name, value in _CLOSED_ATTACHMENT_VALUES.items():
            if name in self.__dict__:
                object.__setattr__(self, name, value)

    @property
    def is_open(self) -> bool:
        return self.access == Access.OPEN


@dataclass
class MeetingDocument(Attachment):
    """The whole-meeting document items were split out of (``Meeting.document``).  Closed, it is
    not a closed bilag: it means no copy may be linked, and the item's page still names the
    document it was read from ("… (dokumentet kan ikke vises)"), so it keeps its title.  Closed by
    a title that marks it closed, as an attachment is."""

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def __post_init__(self) -> None:
        if title_marks_closed(self.title):
            self.access = Access.CLOSED


@dataclass
class Section:
    """One titled part of an item: Sagsfremstilling, Indstilling, …"""

    heading: str
    text: str  # clean plain text, what the index sees
    html: str | None = None  # sanitised HTML, what a page shows (optional)
    kind: SectionKind = SectionKind.BODY
    access: Access = Access.CLOSED  # a parser states it (the item's, unless the source marks the section)


@dataclass
class Decision:
    """A decision recorded for the item: which body made it, and when."""

    body: str  # the committee/council that decided, e.g. "Teknisk Udvalg"
    date: date | None
    text: str
    heading: str = ""  # as printed, e.g. "Beslutning i Økonomiudvalget den 05-12-2022"
    html: str | None = None


@dataclass
class Item:
    """A dagsordenpunkt."""

    number: str  # as printed: "3", "1.2", "" when the source has none
    title: str
    access: Access = Access.CLOSED
    case_number: str | None = None
    sections: list[Section] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    # Decisions from earlier meetings repeated in this item (Sagens forløb,
    # ItemHistory, HandlingPlan). Shown, but not indexed as this item's decision.
    history: list[Decision] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    absentees: list[str] = field(default_factory=list)
    route: str | None = None  # Sagsgang, e.g. "OA" or "TMU - ØK - KB"
    source_key: str | None = None  # a native id the parser trusts to be stable
    # Read from a whole-meeting document: the page (from 1) of that document where the item starts.
    source_page: int | None = None
    # ... and the last page holding a line of it (a closed item's pages are blanked, a forgotten one's too).
    source_last_page: int | None = None
    # Filled by the meeting once attached (see Meeting.finalise):
    id: str = ""
    meeting_id: str = ""

    @property
    def is_open(self) -> bool:
        return self.access == Access.OPEN


@dataclass
class Meeting:
    """One meeting of one committee; a dagsorden or a referat of it."""

    municipality: str
    committee: str
    start: datetime | None
    kind: MeetingKind = MeetingKind.DAGSORDEN
    items: list[Item] = field(default_factory=list)
    location: str | None = None
    participants: list[str] = field(default_factory=list)
    absentees: list[str] = field(default_factory=list)
    source: str = ""  # file path or URL it was read from
    source_format: str = ""
    access: Access = Access.CLOSED  # the publication itself; a parser states it
    draft: bool = False  # an unpublished Kladde/Draft: never shown as a referat
    # True when this document lists only some of the meeting's items (one agenda item per
    # text file): it adds and updates items but never withdraws the others (indexer.versions).
    partial: bool = False
    native_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    # The whole-meeting document (PDF, DOCX) the items were split out of, if they were. Its
    # ``file`` is what may be published (closed pages blanked); access CLOSED when nothing may.
    document: MeetingDocument | None = None
    # "day" when the source prints the meeting's date; "year" when only the year is known (start is
    # then 1 January, for sorting and the year facet only, and is shown as the year alone).
    date_precision: str = "day"
    id: str = ""

    @property
    def meeting_date(self) -> date | None:
        return self.start.date() if self.start else None

    def finalise(self) -> Meeting:
        """Compute stable ids; make start times Europe/Copenhagen aware.

        The municipality is part of the id, so it is put in its one official
        spelling first: "Ballerup" from the command line and "Ballerup Kommune"
        read from a town-hall address make the same meeting."""
        self.municipality = canonical_municipality(self.municipality)
        if self.start is not None and self.start.tzinfo is None:
            self.start = self.start.replace(tzinfo=COPENHAGEN)
        day = self.start.date().isoformat() if self.start else "undated"
        if self.date_precision != "day" and self.native_id:
            # Only the year is known: two meetings of one committee that year would share an id,
            # and the newer would withdraw the other's items.  The source's own id tells them apart.
            day = f"{day}/{self.native_id}"
        self.id = stable_hash(self.municipality, self.committee, day)
        seen: dict[str, int] = {}
        for item in self.items:
            key = item.source_key or item.number or item.title
            n = seen.get(key, 0)
            seen[key] = n + 1
            if n:
                key = f"{key}#{n}"
            item.meeting_id = self.id
            item.id = stable_hash(self.id, key)
        return self

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(asdict(self))


def to_jsonable(value: Any) -> Any:
    """Dataclass dicts → JSON-safe values (dates as ISO 8601)."""
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def meeting_from_dict(data: dict[str, Any]) -> Meeting:
    """Inverse of Meeting.to_dict; used by the JSON Lines format and reindex."""

    def parse_dt(v: Any) -> datetime | None:
        if not v:
            return None
        dt = datetime.fromisoformat(v)
        return dt if dt.tzinfo else dt.replace(tzinfo=COPENHAGEN)

    def parse_d(v: Any) -> date | None:
        return date.fromisoformat(v[:10]) if v else None

    def access(v: Any) -> Access:
        return Access.OPEN if v == "open" else Access.CLOSED

    def decision(d: dict[str, Any]) -> Decision:
        return Decision(
            body=d.get("body", ""),
            date=parse_d(d.get("date")),
            text=d.get("text", ""),
            heading=d.get("heading", ""),
            html=d.get("html"),
        )

    items = []
    for it in data.get("items", []):
        item_access = access(it.get("access"))
        items.append(
            Item(
                number=str(it.get("number", "")),
                title=it.get("title", ""),
                access=item_access,
                case_number=it.get("case_number"),
                sections=[
                    Section(
                        heading=s.get("heading", ""),
                        text=s.get("text", ""),
                        html=s.get("html"),
                        kind=SectionKind(s.get("kind", "body")),
                        # A section without its own access has its item's; an unknown value is closed.
                        access=access(s.get("access", item_access.value)),
                    )
                    for s in it.get("sections", [])
                ],
                # a decision marked anything but open is not read (an entry without a mark is
                # published unless a closed section writes it: ``public._published``)
                decisions=[decision(d) for d in it.get("decisions", []) if d.get("access", "open") == "open"],
                history=[decision(d) for d in it.get("history", []) if d.get("access", "open") == "open"],
                attachments=[
                    Attachment(
                        number=str(a.get("number", "")),
                        title=a.get("title", ""),
                        access=access(a.get("access")),
                        journal_number=a.get("journal_number"),
                        document_id=a.get("document_id"),
                        file=a.get("file"),
                        url=a.get("url"),
                        text=a.get("text"),
                        text_status=a.get("text_status", "no-file"),
                        archive_name=a.get("archive_name"),
                        media_type=a.get("media_type"),
                    )
                    for a in it.get("attachments", [])
                ],
                absentees=list(it.get("absentees", [])),
                route=it.get("route"),
                source_key=it.get("source_key"),
                source_page=it.get("source_page"),
                source_last_page=it.get("source_last_page"),
            )
        )
    kind = data.get("kind", "dagsorden")
    document = data.get("document")
    return Meeting(
        municipality=data.get("municipality", ""),
        committee=data.get("committee", ""),
        start=parse_dt(data.get("start")),
        kind=MeetingKind(kind),
        items=items,
        location=data.get("location"),
        participants=list(data.get("participants", [])),
        absentees=list(data.get("absentees", [])),
        source=data.get("source", ""),
        source_format=data.get("source_format", ""),
        access=access(data.get("access")),
        draft=bool(data.get("draft", False)),
        date_precision="year" if data.get("date_precision") == "year" else "day",
        partial=data.get("partial") is True,
        native_id=data.get("native_id"),
        warnings=list(data.get("warnings", [])),
        document=(
            MeetingDocument(
                number=str(document.get("number", "")),
                title=document.get("title", ""),
                access=access(document.get("access")),
                url=document.get("url"),  # no local file: JSON Lines must not name files to publish
                media_type=document.get("media_type"),
            )
            if isinstance(document, dict)
            else None
        ),
    ).finalise()
