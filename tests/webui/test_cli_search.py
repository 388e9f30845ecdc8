"""`minutes search` reads its options as /api/search reads its parameters (indexer.search.params):
a value the API refuses with 400 the command refuses with exit status 2 and the same words on one
line; what the API normalises with a notice (a reversed date range, a page past the end) the
command normalises with the same notice; its --json has the API's notices, filters and links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.cli import main


def minutes_search(capsys: pytest.CaptureFixture[str], index: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["search", "--index", str(index), *args])
    out, err = capsys.readouterr()
    return code, out, err


def api(client: FlaskClient, query: str) -> tuple[int, Any]:
    response = client.get("/api/search?" + query)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    ("options", "query"),
    [
        (["--year", "14"], "year=14"),
        (["--from", "2016-13-01"], "from=2016-13-01"),
        (["--type", "memo"], "type=memo"),
        (["--sort", "best"], "sort=best"),
        (["--page", "0"], "page=0"),
        (["--page", "1001"], "page=1001"),
        (["--year", "2021", "--year", "21"], "year=2021&year=21"),
    ],
)
def test_a_value_the_api_refuses_the_command_refuses_in_the_same_words(
    capsys: pytest.CaptureFixture[str], index_dir: Path, client: FlaskClient, options: list[str], query: str
) -> None:
    status, refused = api(client, "q=vej&" + query)
    assert status == 400
    code, out, err = minutes_search(capsys, index_dir, "vej", *options)
    assert (code, out) == (2, "")
    assert err == f"error: {refused['error']}\n"  # one line


def test_a_reversed_date_range_is_swapped_with_the_apis_notice(
    capsys: pytest.CaptureFixture[str], index_dir: Path, client: FlaskClient
) -> None:
    _, swapped = api(client, "from=2022-01-01&to=2012-01-01")
    code, out, err = minutes_search(capsys, index_dir, "--from", "2022-01-01", "--to", "2012-01-01")
    assert code == 0 and swapped["total"] > 0
    assert out.startswith(f"{swapped['total']} resultater\n")
    assert err == "Fra-datoen lå efter til-datoen; de er byttet om.\n"


def test_a_page_past_the_end_shows_the_last_page_with_the_apis_notice(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    code, out, err = minutes_search(capsys, index_dir, "vejbump", "--page", "999", "--limit", "1")
    total = int(out.split()[0])
    assert code == 0 and total > 1
    assert err == f"Side 999 findes ikke; her er den sidste side, {total}.\n"
    assert f"\n{total}. " in out  # the last result is listed, not nothing


def test_the_json_has_the_apis_notices_filters_and_links(
    capsys: pytest.CaptureFixture[str], index_dir: Path, client: FlaskClient
) -> None:
    query = "q=vejbump&committee=Økonomiudvalget&from=2022-01-01&to=2012-01-01&page=999"
    _, answered = api(client, query)
    code, out, _ = minutes_search(
        capsys, index_dir, "vejbump", "--committee", "Økonomiudvalget", "--from", "2022-01-01", "--to", "2012-01-01",
        "--page", "999", "--json",
    )  # fmt: skip
    printed = json.loads(out)
    assert code == 0
    assert printed["notices"] == answered["notices"] and len(printed["notices"]) == 2
    assert printed["filters"] == answered["filters"]
    assert printed["page"] == answered["page"] == 1
    # the API's own links, relative: the command does not know where a server answers
    assert {k: v and v.replace("http://localhost", "") for k, v in answered["links"].items()} == printed["links"]


def test_an_item_without_text_has_no_snippet_and_no_field_it_came_from(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An agenda item of a title alone: the API said "snippet": "" from "sagsfremstilling", and the
    command printed an empty "sagsfremstilling: " line under it."""
    from tests.helpers import quiet_ingest
    from webui import create_app

    meeting = {
        "municipality": "Testrup Kommune",
        "committee": "Teknik- og Miljøudvalget",
        "start": "2021-03-04T16:00:00",
        "kind": "dagsorden",
        "access": "open",
        "items": [{"number": "1", "title": "Godkendelse af dagsorden", "access": "open"}],
    }
    source = tmp_path / "bare.jsonl"
    source.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", encoding="utf-8")
    index = tmp_path / "ix"
    quiet_ingest([source], index)
    [hit] = (
        create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client().get("/api/search").get_json()["results"]
    )
    assert (hit["title"], hit["snippet"], hit["snippet_field"]) == ("Godkendelse af dagsorden", "", None)
    code, out, _ = minutes_search(capsys, index)
    assert code == 0 and "Godkendelse af dagsorden" in out
    assert "sagsfremstilling" not in out and "beslutning:" not in out


def test_an_item_with_no_number_is_listed_without_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The seed's item has no agenda number: the search page leaves "Punkt" out; the command
    printed "punkt -", now leaves it out too (a numbered item keeps its "punkt N")."""
    from tests.conftest import CORPUS_CSV, SEED
    from tests.helpers import quiet_ingest

    quiet_ingest([SEED, CORPUS_CSV], tmp_path / "index")
    code, out, _ = minutes_search(capsys, tmp_path / "index", "sociale medier", "--limit", "50")
    lines = out.splitlines()
    seed = lines[lines.index(next(line for line in lines if "Sociale medier i arbejdsmæssig sammenhæng" in line)) + 1]
    assert code == 0 and "punkt" not in seed and seed.strip().count(" · ") == 1  # committee · date
    assert "punkt -" not in out and any(" · punkt " in line for line in lines)
