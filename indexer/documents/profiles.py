"""Layout profiles: what one family of whole-meeting documents looks like.

A profile is data, not code: the regular expressions that mark an item's
heading, its case number, its section headings, its decision, the earlier
decisions it repeats, who was absent, and what is closed; and those that read
the meeting's committee, date and place from the first pages.  The one splitter
(``splitter.py``) reads every family through its profile.  A new family is a
new ``Profile(...)`` here and a test with its document.

Patterns are matched against one cleaned line at a time (case-insensitive
unless a pattern says otherwise); ``meeting`` patterns are searched in the
text of the first pages with lines joined by newlines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.model import SectionKind

# Section headings printed by most Danish ESDH systems; a profile adds its own.
COMMON_HEADINGS: dict[str, SectionKind] = {
    "resumé": SectionKind.BODY,
    "resume": SectionKind.BODY,
    "sammendrag": SectionKind.BODY,
    "baggrund": SectionKind.BODY,
    "sagsfremstilling": SectionKind.BODY,
    "supplerende sagsfremstilling": SectionKind.BODY,
    "sagsbeskrivelse": SectionKind.BODY,
    "sagens indhold": SectionKind.BODY,
    "beslutningstema": SectionKind.BODY,
    "økonomi": SectionKind.BODY,
    "økonomi og organisatoriske konsekvenser": SectionKind.BODY,
    "økonomiske konsekvenser": SectionKind.BODY,
    "økonomiske konsekvenser og finansiering": SectionKind.BODY,
    "lovgrundlag": SectionKind.BODY,
    "høring": SectionKind.BODY,
    "vurdering": SectionKind.BODY,
    "kommunikation": SectionKind.BODY,
    "bilag": SectionKind.BODY,
    "beslutningen træffes af": SectionKind.BODY,
    "indstilling": SectionKind.RECOMMENDATION,
    "beslutningspunkter": SectionKind.RECOMMENDATION,
}


# "20. juni 2013" is a date, not item 20: a numbered title never starts with a month.
NOT_A_DATE = r"(?!(?:januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december)\b)"


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    # Family detection: each pattern found in the first pages' text scores one.
    signature: tuple[str, ...]
    min_score: int
    # An item starts at a line matching ``item`` (groups: number, title) …
    item: str
    # … when one of the next ``confirm_within`` lines matches ``item_confirm`` (None: always).
    item_confirm: str | None = None
    confirm_within: int = 4
    # Numbering: "sequential" (1, 2, 3 or 715, 716), "hierarchical" (1, 1.1, 1.2, 2).
    numbering: str = "sequential"
    # Title lines continue until a line matches one of these (or ``title_max_lines`` is reached).
    title_max_lines: int = 1
    case_number: str | None = None  # group: case
    skip_lines: tuple[str, ...] = ()  # item metadata lines that are not text ("Dok.nr.: …")
    headings: dict[str, SectionKind] = field(default_factory=dict)  # extra exact headings (lower case)
    heading_pattern: str | None = None  # a line that is a heading by its shape (case-sensitive)
    # Fields whose text may follow the label on the same line ("Referat: tekst").
    inline_fields: dict[str, SectionKind] = field(default_factory=dict)
    # This meeting's decision (groups: body?, date?); a date other than the meeting's makes it history.
    decision: str | None = None
    # Earlier decisions repeated in the item (groups: body?, date?).
    history: str | None = None
    # Lines inside a history entry that carry its date ("Dato: 26-03-2025") and are not text.
    history_date: str | None = None
    history_skip: tuple[str, ...] = ()
    # Absentees: a line naming them (group: names) or a heading after which one name a line follows.
    absent_line: str | None = None
    absent_heading: str | None = None
    # Closed: a title prefix marking a closed item; a line starting a closed or open part.
    closed_title: str | None = None
    closed_part: str | None = None
    open_part: str | None = None
    # Access when nothing marks it: True only for families that mark every closed item.
    unmarked_open: bool = False
    # Meeting facts from the first pages (named groups: committee, date, time, location, municipality).
    meeting: tuple[str, ...] = ()
    # Attachment lines under "Bilag" (groups: number?, access?, title, journal?).
    attachment: str | None = None
    # Every line after a "Bilag" heading, to the end of the item, is an attachment title.
    attachments_last: bool = False
    # The route (Sagsgang) of an item (group: route).
    route: str | None = None
    # Flattened layouts: a new line starts before each of these (zero-width) patterns.
    split_before: tuple[str, ...] = ()

    def compiled(self, attribute: str, flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
        value = getattr(self, attribute)
        return re.compile(value, flags) if value else None


FIRSTAGENDA = Profile(
    name="firstagenda",
    description="FirstAgenda referat/dagsorden PDF: 'Punkt N: Titel', EMN case number, 'Beslutninger' first",
    signature=(r"^Punkt \d+: ", r"^EMN-\d{4}-\d+", r"^Beslutninger$", r"^(REFERAT|DAGSORDEN) .+ d\. \d\d-\d\d-\d{4}"),
    min_score=3,
    item=r"^Punkt (?P<number>\d+): (?P<title>.+)$",
    title_max_lines=3,
    case_number=r"^(?P<case>[A-ZÆØÅ]{2,5}-\d{4}-\d{3,})$",
    headings={"sagsforløb": SectionKind.HISTORY, "beslutningsforslag": SectionKind.BODY},
    heading_pattern=r"^(?:[A-ZÆØÅ][A-ZÆØÅ0-9 ,.&/()'-]{5,}|[A-ZÆØÅ][\wæøå ,'-]{2,40}:|Borgmesterens Afdelings påtegning)$",
    decision=r"^Beslutninger?$",
    history=r"^Udvalg: (?P<body>.+)$",
    history_date=r"^Dato: (?P<date>\d\d-\d\d-\d{4})$",
    history_skip=(r"^Punktnummer: \d+$",),
    absent_line=r"^(?P<names>.+?) deltog ikke i (?:sagens|punktets) behandling\.?$",
    closed_title=r"^Lukket:\s*",
    unmarked_open=True,
    attachments_last=True,
    meeting=(
        r"^(?P<kind>REFERAT|DAGSORDEN) (?P<committee>.+?) d\. (?P<date>\d\d-\d\d-\d{4})$",
        r"^Mødedato .*?kl\. (?P<time>\d\d[:.]\d\d)",
        r"^Mødested (?P<location>.+)$",
    ),
)

EDOC = Profile(
    name="edoc",
    description="eDoc 'Åbent referat' PDF: 'N. Titel', 'Sagsnr.:', '<Udvalg>s beslutning den DD.MM.YYYY Punkt N'",
    signature=(
        r"^Sagsnr\.: \d{4}-\d+",
        r"^Dok\.nr\.: ",
        r"beslutning den \d\d\.\d\d\.\d{4} Punkt \d+",
        r"Åbent referat",
    ),
    min_score=3,
    item=r"^(?P<number>\d{1,3})\.\s+" + NOT_A_DATE + r"(?P<title>\S.*)$",
    item_confirm=r"^Sagsnr\.:",
    title_max_lines=3,
    case_number=r"^Sagsnr\.:\s*(?P<case>\S+)$",
    skip_lines=(r"^Dok\.nr\.:",),
    history=r"^(?P<body>[A-ZÆØÅ].+?) den (?P<date>\d{1,2}\. \w+ \d{4}) Punkt \d+$",
    decision=r"^(?P<body>.+?)s? beslutning den (?P<date>\d\d\.\d\d\.\d{4})(?: Punkt \d+)?$",
    absent_heading=r"^Følgende deltog ikke i behandlingen af punktet:?$",
    closed_part=r"^Lukket referat$",
    open_part=r"^Åbent referat$",
    meeting=(
        r"^(?P<kind>Referat|Dagsorden)\n(?P<committee>.+)\n\w+dag den (?P<date>\d{1,2}\. \w+ \d{4}), kl\. (?P<time>\d\d[:.]\d\d)\n(?:i )?(?P<location>.+)$",
        r"på (?P<municipality>[A-ZÆØÅ][\wæøå-]+) Rådhus",
    ),
)

ACADRE = Profile(
    name="acadre",
    description="Acadre referat PDF: 'NNN. Titel' (running agenda number), 'Sagsnr.: 12/27845', 'Beslutning i <udvalg> den DD-MM-YYYY'",
    signature=(r"^Sagsnr\.:\s+\d+/\d+", r"^Sagen afgøres i:", r"^Beslutning i .+ den \d\d-\d\d-\d{4}", r"^Punkt nr\."),
    min_score=2,
    item=r"^(?P<number>\d{1,4})\.\s+" + NOT_A_DATE + r"(?P<title>\S.*)$",
    item_confirm=r"^Sagsnr\.:",
    title_max_lines=2,
    case_number=r"^Sagsnr\.:\s*(?P<case>\S+)$",
    skip_lines=(r"^Sagen afgøres i:",),
    headings={"sagsgang": SectionKind.BODY},
    decision=r"^Beslutning i (?P<body>.+?) den (?P<date>\d\d-\d\d-\d{4})$",
    absent_line=r"^Fraværende:\s*(?P<names>.+)$",
    closed_title=r"^Lukket(?: punkt)?:\s*",
    closed_part=r"^(?:Lukket punkt|Lukket dagsorden|Lukket referat)$",
    unmarked_open=True,
    attachment=r"^(?P<number>\d+)\s+(?P<access>Åben|Lukket)\s+(?P<title>.+?)(?:\s+(?P<journal>\d+/\d{2}))?$",
    meeting=(
        r"^(?P<kind>Referat|Dagsorden)\n(?P<committee>.+)\n(?:.+\n)?\w+dag den (?P<date>\d{1,2}\. \w+ \d{4})\nKl\. (?P<time>\d\d[:.]\d\d)\n(?P<location>.+)$",
    ),
)

SBSYS = Profile(
    name="sbsys",
    description="SBSYS referat PDF: 'Dato:/Tid:/Sted:/Deltagere:/Afbud:' block, items 1, 1.1 …, 'Oplæg:' and 'Referat:'",
    signature=(r"^Deltagere:", r"^Afbud:", r"^Oplæg:", r"^Referat:", r"^Tid:\s+\d\d:\d\d"),
    min_score=4,
    item=r"^(?P<number>\d{1,2}(?:\.\d{1,2})*)\s+(?P<title>[A-ZÆØÅ].*)$",
    numbering="hierarchical",
    inline_fields={"oplæg": SectionKind.BODY, "referat": SectionKind.DECISION},
    absent_line=r"^(?:Afbud|Fraværende):\s*(?P<names>.+)$",
    meeting=(
        r"^(?P<kind>Referat|Dagsorden)\n(?P<committee>.+)\n(?P<date>\d\d-\d\d-\d{4}) (?P<time>\d\d:\d\d)",
        r"^Afbud:\s*(?P<absent>.+)$",
    ),
)

NORDDJURS = Profile(
    name="norddjurs",
    description="Norddjurs Beslutningsprotokol (Meetings+): '1. Titel P35 13/5984 Åben sag Sagsgang: …' flattened",
    signature=(r"^Beslutningsprotokol", r"(?:Åben|Lukket) sag\b", r"Sagsgang:? [A-ZÆØ]", r"^Beslutning i .+ den"),
    min_score=3,
    item=r"^(?P<number>\d{1,3})\.\s+"
    + NOT_A_DATE
    + r"(?P<title>.+?)\s+(?P<facet>[A-Z]\d{2})\s+(?P<case>\d{2}/\d+)\s+(?P<access>Åben|Lukket) sag$",
    route=r"^Sagsgang:?\s+(?P<route>.+)$",
    split_before=(
        r"(?<=\bsag)\s(?=Sagsgang\b)",
        r"\s(?=Sagsfremstilling\b)",
        r"\s(?=Indstilling\b)",
        r"\s(?=Beslutning i )",
        r"\s(?=Fraværende:)",
    ),
    inline_fields={"sagsfremstilling": SectionKind.BODY, "indstilling": SectionKind.RECOMMENDATION},
    decision=r"^Beslutning i (?P<body>.+?) den\s*(?P<date>\d\d-\d\d-\d{4})?$",
    absent_line=r"^Fraværende:\s*(?P<names>.+)$",
    closed_title=r"^Lukket:\s*",
    unmarked_open=True,  # the item pattern requires every item's own "Åben sag"/"Lukket sag"
    meeting=(
        r"^Beslutningsprotokol\n(?P<committee>.+)\n(?:Mødedato:\s*)?(?P<date>\d\d-\d\d-\d{4})(?:,? kl\. (?P<time>\d\d[:.]\d\d))?",
        r"^(?P<municipality>[A-ZÆØÅ]\w+ Kommune)$",
        r"^Mødested:\s*(?P<location>.+)$",
        r"^Fraværende:\s*(?P<absent>\S.*)$",
    ),
)

PROFILES: dict[str, Profile] = {p.name: p for p in (FIRSTAGENDA, EDOC, ACADRE, SBSYS, NORDDJURS)}


def detect_profile(text: str) -> Profile | None:
    """The family whose signature patterns the text matches best, if any matches enough."""
    best: tuple[int, Profile] | None = None
    for profile in PROFILES.values():
        score = sum(1 for pattern in profile.signature if re.search(pattern, text, re.MULTILINE))
        if score >= profile.min_score and (best is None or score > best[0]):
            best = (score, profile)
    return best[1] if best else None
