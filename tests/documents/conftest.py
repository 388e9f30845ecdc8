"""Paths of the whole-meeting documents among the format samples, and their exports."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
FIXTURES = ROOT / "tests" / "fixtures" / "documents"

AARHUS_PDF = SAMPLES / "firstagenda/aarhus-2025/Aarhus_Byråd-Aarhus_Byråd_den_27._august_2025.pdf"
BALLERUP_DIR = SAMPLES / "edoc/ballerup-sundhedsudvalget-2012/04-12-2012 13:00:00"
BALLERUP_PDF = BALLERUP_DIR / "1552814.PDF"
SYDDJURS_DIR = SAMPLES / "acadre/syddjurs-puk-2013"
SYDDJURS_PDF = SYDDJURS_DIR / "Files_1863_3687982/Ekstraordinært PUK.pdf"
SYDDJURS_DOCX = SYDDJURS_DIR / "Files_1863_3687982/Ekstraordinært PUK.docx"
SBSYS_DIR = SAMPLES / "publication/aarhus-moedesystemgruppen-2016"
SBSYS_PDF = next(SBSYS_DIR.glob("Appendix_referat*.pdf"))
NORDDJURS_DOCX = FIXTURES / "norddjurs/beslutningsprotokol.docx"
