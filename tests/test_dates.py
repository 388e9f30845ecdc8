"""Every date form the sources print (FORMATS.md §7) comes out as Europe/Copenhagen."""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.dates import parse_danish_date, parse_danish_datetime
from indexer.model import COPENHAGEN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04-12-2012 13:00:00", datetime(2012, 12, 4, 13, 0)),
        ("2013-06-20 10:30", datetime(2013, 6, 20, 10, 30)),
        ("02-05-2017 10:00", datetime(2017, 5, 2, 10, 0)),
        ("Beslutning i Områdeudvalget for Administrationen den 05-12-2022", datetime(2022, 12, 5)),
        ("27. august 2018 16:00", datetime(2018, 8, 27, 16, 0)),
        ("onsdag den 1. oktober 2025 kl. 15.45", datetime(2025, 10, 1, 15, 45)),
        ("9. juni 2016 Sagsnr. 710-2016-1739", datetime(2016, 6, 9)),
        ("04.12.2012", datetime(2012, 12, 4)),
    ],
)
def test_danish_dates(text: str, expected: datetime) -> None:
    parsed = parse_danish_datetime(text)
    assert parsed == expected.replace(tzinfo=COPENHAGEN)
    assert parsed is not None and parsed.utcoffset() is not None


def test_summer_time_offset() -> None:
    parsed = parse_danish_datetime("2013-06-20 10:30")
    assert parsed is not None and parsed.isoformat() == "2013-06-20T10:30:00+02:00"


def test_offsets_are_converted_not_dropped() -> None:
    parsed = parse_danish_datetime("2025-10-01T13:45:00+00:00")
    assert parsed is not None and (parsed.hour, parsed.tzinfo) == (15, COPENHAGEN)


@pytest.mark.parametrize("text", ["", "ingen dato", "31-02-2020", "99. smarts 2020"])
def test_no_date(text: str) -> None:
    assert parse_danish_date(text) is None
