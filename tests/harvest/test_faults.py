"""Every fault a portal throws at the harvester: reported by URL, retried where it helps,
and never costing what was indexed before."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from indexer.harvest.client import HarvestError
from tests.harvest.helpers import documents, dump, fast, meeting_id_of, run
from tests.harvest.portal import Portal

SMALL = documents(
    "Kultur- og Fritidsudvalget_2022-03-21",
    "Sundheds- og Omsorgsudvalget_2022-05-23",
    "Klima-, Teknik- og Miljøudvalget_2022-12-12",
)
TARGET = SMALL[0]  # Klima-, Teknik- og Miljøudvalget 12-12-2022 (sorted by name)
PATH = f"/api/agenda/dagsorden/{meeting_id_of(TARGET)}"


@pytest.fixture()
def portal() -> Iterator[Portal]:
    served = Portal(SMALL)
    served.start()
    yield served
    served.stop()


def _reword(document: dict) -> None:
    field = document["Dagsordenpunkter"][-1]["Felter"][0]
    field["Html"] = (
        "<h3>Beslutning</h3><span><p>Ny udgave af beslutningen om vinterberedskab.</p></span>" + field["Html"]
    )


def test_500s_are_retried_with_backoff(portal: Portal, tmp_path: Path) -> None:
    portal.fault(PATH, "500", "500")
    summary = run(portal.url, tmp_path / "ix")
    assert (summary.new, summary.failed) == (3, 0)
    assert [h.status for h in portal.hits if h.path == PATH] == [500, 500, 200]


def test_503_with_retry_after_is_retried(portal: Portal, tmp_path: Path) -> None:
    portal.fault(PATH, "503")
    summary = run(portal.url, tmp_path / "ix")
    assert (summary.new, summary.failed) == (3, 0)
    assert [h.status for h in portal.hits if h.path == PATH] == [503, 200]


def test_lasting_500s_are_reported_by_url_and_keep_the_indexed_version(portal: Portal, tmp_path: Path) -> None:
    root = tmp_path / "ix"
    run(portal.url, root)
    before = dump(root)
    portal.change(meeting_id_of(TARGET), _reword)
    portal.fault(PATH, "500", "500", "500")  # retries=2: three attempts, all fail
    summary = run(portal.url, root)
    assert (summary.failed, summary.changed, summary.unchanged) == (1, 0, 2)
    assert summary.problems == [f"{portal.url}{PATH}: HTTP 500 after 3 attempts"]
    assert dump(root) == before
    # The portal recovers: the next run picks the new version up.
    again = run(portal.url, root)
    assert (again.changed, again.failed) == (1, 0)
    assert dump(root) != before


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("truncate", "broken JSON"),
        ("html", "an HTML page where a JSON document was expected"),
        ("empty", "empty answer (HTTP 200 with no body)"),
    ],
)
def test_broken_answers_are_reported_and_delete_nothing(
    portal: Portal, tmp_path: Path, fault: str, reason: str
) -> None:
    root = tmp_path / "ix"
    run(portal.url, root)
    before = dump(root)
    stored = sorted((root / "harvest").rglob("meetings/*.json"))
    stored_bytes = {p: p.read_bytes() for p in stored}
    portal.change(meeting_id_of(TARGET), _reword)
    portal.fault(PATH, fault)
    summary = run(portal.url, root)
    assert summary.failed == 1
    [problem] = summary.problems
    assert problem.startswith(f"{portal.url}{PATH}: {reason}")
    assert dump(root) == before
    assert {p: p.read_bytes() for p in stored} == stored_bytes
    again = run(portal.url, root)
    assert (again.changed, again.failed) == (1, 0)


def test_broken_answer_for_a_new_meeting_is_fetched_on_the_next_run(portal: Portal, tmp_path: Path) -> None:
    root = tmp_path / "ix"
    portal.fault(PATH, "truncate")
    first = run(portal.url, root)
    assert (first.new, first.failed) == (2, 1)
    second = run(portal.url, root)
    assert (second.new, second.unchanged, second.failed) == (1, 2, 0)


def test_slow_answer_within_the_timeout_is_fine(portal: Portal, tmp_path: Path) -> None:
    portal.fault(PATH, "slow:0.4")
    summary = run(portal.url, tmp_path / "ix", fast(timeout=2.0))
    assert (summary.new, summary.failed) == (3, 0)
    assert summary.problems == []


def test_timeout_is_retried(portal: Portal, tmp_path: Path) -> None:
    portal.fault(PATH, "hang")
    summary = run(portal.url, tmp_path / "ix", fast(timeout=0.5))
    assert (summary.new, summary.failed) == (3, 0)
    assert summary.problems == []


def test_lasting_timeouts_are_reported(portal: Portal, tmp_path: Path) -> None:
    portal.fault(PATH, "hang", "hang", "hang")
    summary = run(portal.url, tmp_path / "ix", fast(timeout=0.5))
    assert (summary.new, summary.failed) == (2, 1)
    assert summary.problems == [f"{portal.url}{PATH}: ReadTimeout after 3 attempts"]


@pytest.mark.parametrize("fault", ["truncate", "html", "empty", "500"])
def test_broken_committee_list_stops_the_run_and_changes_nothing(portal: Portal, tmp_path: Path, fault: str) -> None:
    root = tmp_path / "ix"
    run(portal.url, root)
    before = dump(root)
    state = next((root / "harvest").rglob("state.json")).read_bytes()
    portal.fault("/api/agenda/udvalgsliste", *([fault] * 3))
    with pytest.raises(HarvestError) as info:
        run(portal.url, root)
    assert str(info.value).startswith(f"{portal.url}/api/agenda/udvalgsliste: ")
    assert dump(root) == before
    assert next((root / "harvest").rglob("state.json")).read_bytes() == state


def test_api_answers_302_without_the_session_cookie(portal: Portal) -> None:
    answer = httpx.get(f"{portal.url}/api/agenda/udvalgsliste", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (302, "/")


def test_session_lost_mid_run_is_renewed(portal: Portal, tmp_path: Path) -> None:
    portal.fault(PATH, "expire")
    summary = run(portal.url, tmp_path / "ix")
    assert (summary.new, summary.failed) == (3, 0)
    paths = [(h.path, h.status) for h in portal.hits]
    assert paths[:3] == [("/robots.txt", 200), ("/", 200), ("/api/agenda/udvalgsliste", 200)]
    assert (PATH, 302) in paths
    assert paths.index(("/", 200), 2) > paths.index((PATH, 302))  # a new cookie, then the meeting again


def test_damaged_state_costs_a_refetch_not_a_wrong_index(portal: Portal, tmp_path: Path) -> None:
    root = tmp_path / "ix"
    run(portal.url, root)
    before = dump(root)
    next((root / "harvest").rglob("state.json")).write_text("{not json", "utf-8")
    summary = run(portal.url, root)
    assert summary.failed == 0 and summary.new == 3
    assert summary.ingest.items_added == 0  # everything was already indexed
    assert dump(root) == before
    assert json.loads(next((root / "harvest").rglob("state.json")).read_text("utf-8"))["meetings"]


def test_backoff_doubles_from_two_seconds_and_honours_retry_after(portal: Portal) -> None:
    """The default schedule, with the waits recorded instead of slept: 2, 4, 8, 16 s, then the URL is
    reported; a Retry-After longer than the backoff is waited out instead."""
    from indexer.harvest.client import Politeness, PortalClient

    waits: list[float] = []
    polite = Politeness(contact="harvest-tests@example.invalid", rate=0)  # default retries and backoff
    with PortalClient(portal.url, polite, sleep=waits.append) as client:
        portal.fault(PATH, *(["500"] * 5))
        with pytest.raises(HarvestError, match="HTTP 500 after 5 attempts"):
            client.get(PATH)
        assert waits == [2.0, 4.0, 8.0, 16.0]
        waits.clear()
        portal.fault(PATH, "503", "503:30")  # Retry-After 0: the backoff is longer; 30: waited out
        assert client.get(PATH).status == 200
        assert waits == [2.0, 30.0]
    assert [h.status for h in portal.hits if h.path == PATH] == [500] * 5 + [503, 503, 200]
