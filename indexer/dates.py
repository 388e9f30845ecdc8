"""Danish dates in all the forms the sources print them, as Europe/Copenhagen.

"04-12-2012 13:00:00", "2013-06-20 10:30", "02-05-2017 10:00", "05-12-2022",
"27. august 2018" (+ "16:00"), "onsdag den 1. oktober 2025 kl. 15.45",
ISO 8601 with or without an offset.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from indexer.model import COPENHAGEN

MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marts": 3, "mar": 3,
    "april": 4, "apr": 4, "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
# Each month's name written out, January first: the longest of its spellings above.
MONTH_NAMES = tuple(
    max((name for name, number in MONTHS.items() if number == month), key=len) for month in range(1, 13)
)

_TIME = r"(?:\s*(?:kl\.?|klokken)?\s*(?P<hh>\d{1,2})[:.](?P<mm>\d{2})(?:[:.](?P<ss>\d{2}))?)?"
_NUMERIC_DMY = re.compile(r"(?P<d>\d{1,2})[-./](?P<m>\d{1,2})[-./](?P<y>\d{4})" + _TIME)
_NUMERIC_YMD = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ]" + _TIME[3:])
_WORDED = re.compile(
    r"(?P<d>\d{1,2})\.?\s*(?P<mon>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?\s+(?P<y>\d{4})"
    + r"(?:,?\s*(?:kl\.?|klokken)?\s*(?P<hh>\d{1,2})[:.](?P<mm>\d{2}))?",
    re.IGNORECASE,
)


def _build(y: str, m: str | int, d: str, hh: str | None, mm: str | None, ss: str | None = None) -> datetime | None:
    try:
        day = date(int(y), int(m), int(d))
        clock = time(int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    return datetime.combine(day, clock, tzinfo=COPENHAGEN)


def parse_danish_datetime(text: str | None) -> datetime | None:
    """First date (and time, when given) in ``text``, or None."""
    if not text:
        return None
    text = text.strip()
    try:
        iso = datetime.fromisoformat(text)
    except ValueError:
        iso = None
    if iso is not None:
        return iso.astimezone(COPENHAGEN) if iso.tzinfo else iso.replace(tzinfo=COPENHAGEN)
    candidates = []
    for pattern in (_NUMERIC_YMD, _NUMERIC_DMY, _WORDED):
        match = pattern.search(text)
        if match:
            candidates.append((match.start(), pattern, match))
    for _, pattern, match in sorted(candidates, key=lambda c: c[0]):
        g = match.groupdict()
        month: str | int = MONTHS[g["mon"].lower()] if pattern is _WORDED else g["m"]
        built = _build(g["y"], month, g["d"], g.get("hh"), g.get("mm"), g.get("ss"))
        if built is not None:
            return built
    return None


def parse_danish_date(text: str | None) -> date | None:
    parsed = parse_danish_datetime(text)
    return parsed.date() if parsed else None


def date_in_words(start: date | None, precision: str = "day") -> str:
    """A meeting's date as its minutes write it in words, day, month and year ("26 november
    2014"), or its year alone when only that is known: what the search matches a date typed in a
    query against ("kb meddelelser 26. november 2014", "eventuelt oktober 2016")."""
    if start is None:
        return ""
    if precision == "year":
        return str(start.year)
    return f"{start.day} {MONTH_NAMES[start.month - 1]} {start.year}"
