"""JSON Lines in the canonical model: round trip of the seed, bad lines, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.formats import FormatError, IngestContext, agenda_text, jsonl
from indexer.model import Access
from tests.conftest import SEED


def _seed_dict() -> dict:
    (meeting,) = agenda_text.parse(SEED, IngestContext(municipality="Norddjurs Kommune"))
    return meeting.to_dict()


def test_seed_round_trips(tmp_path: Path) -> None:
    original = _seed_dict()
    path = tmp_path / "meetings.jsonl"
    path.write_text(json.dumps(original, ensure_ascii=False) + "\n", "utf-8")
    assert jsonl.detect(path)
    (meeting,) = jsonl.parse(path, IngestContext())
    assert meeting.to_dict() == original
    assert meeting.items[0].attachments[1].document_id == "3378410"


def test_bad_line_is_a_warning_naming_file_and_line(tmp_path: Path) -> None:
    good = json.dumps(_seed_dict(), ensure_ascii=False)
    other = _seed_dict()
    other["committee"] = "Økonomiudvalget"
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([good, "{broken", '{"kind": "protokol"}', json.dumps(other)]) + "\n", "utf-8")
    meetings = list(jsonl.parse(path, IngestContext()))
    assert [m.committee for m in meetings] == ["Områdeudvalget for Administrationen", "Økonomiudvalget"]
    warnings = [w for m in meetings for w in m.warnings]
    assert any(w.startswith(f"{path}:2:") for w in warnings)
    assert any(w.startswith(f"{path}:3:") for w in warnings)


def test_missing_access_means_closed(tmp_path: Path) -> None:
    data = _seed_dict()
    del data["items"][0]["access"]
    del data["items"][0]["attachments"][0]["access"]
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(data) + "\n", "utf-8")
    (meeting,) = jsonl.parse(path, IngestContext())
    assert meeting.items[0].access == Access.CLOSED
    assert meeting.items[0].attachments[0].access == Access.CLOSED


@pytest.mark.parametrize("content", [b"", b"not json\n[1, 2]\n", b"\xff\xfe\x00garbage"])
def test_file_without_a_valid_line_is_a_format_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(FormatError) as err:
        list(jsonl.parse(path, IngestContext()))
    assert str(path) in str(err.value)


def test_documented_example_line_parses() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "jsonl-format.md").read_text("utf-8")
    line = doc.split("```json\n", 1)[1].split("\n```", 1)[0]
    data = json.loads(line)
    assert data["items"][0]["title"] == "Sociale medier i arbejdsmæssig sammenhæng"
