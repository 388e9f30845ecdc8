"""A compound part is as rare as the word it is, on every engine.

Each text field keeps its own statistics, so a word common on its own ("daginstitution", in
the body of many items) was rare in the compound-parts field, and an item holding it once
inside a compound ("daginstitutionsområdet") outscored an item about it that writes it twice.
The idf of a part is capped by the word's idf in running text (``base.IDF_CAPPED_BY``).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from indexer.search.service import SearchRequest, SearchService
from tests.conftest import DATA, SAMPLES
from tests.helpers import Opened, quiet_ingest

# Demo rows (Aarhus, Teknisk Udvalg) that write the word whole: the item about a new building
# "til dagsinstitution" / "til daginstitution", and two that mention it once in a long text.
ROWS = ("7119bfae", "3fefa2a5", "6f16952c")
# Ballerup's IT-udvalg: rules for buying IT equipment, "daginstitutionsområdet" once.
PUBLICATION = SAMPLES / "publication" / "ballerup-it-udvalget-2013" / "Publication32.xml"


def _rows_csv(tmp: Path) -> Path:
    csv.field_size_limit(sys.maxsize)
    with (DATA / "digst" / "digst-demo.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["identifikator"].split("_")[-1][:8] in ROWS]
        fields = reader.fieldnames
    assert len(rows) == len(ROWS) and fields
    out = tmp / "rows.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_two_mentions_of_a_word_outrank_one_compound_holding_it(location: str, tmp_path: Path, opened: Opened) -> None:
    summary = quiet_ingest([_rows_csv(tmp_path), PUBLICATION], location)
    assert not summary.rejected
    service: SearchService = opened.service(location)
    ranked = [hit["title"] for hit in service.search(SearchRequest(q="daginstitutioner")).results]
    # The row about the building prints no title ("" is shown as "(uden titel)").  Without the
    # cap the IT rules ranked first: they scored 2.77 against 2.59.
    assert ranked.index("") < ranked.index("Regler for indkøb af it-udstyr"), ranked
