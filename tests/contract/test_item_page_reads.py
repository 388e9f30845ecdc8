"""An item page reads its item once, on every engine.

The page (and ``/api/items/<id>``) read the item, then its case history read it again, then
"Lignende sager" read it a third time: its stored text is most of what reading an item costs.
``SearchService.item_page`` reads it once and hands it on; what the page lists is what the
separate calls list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from indexer.search.service import SearchService
from tests.helpers import Opened, seed_meeting
from webui import SERVICE_KEY


def _counting(engine: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every id the engine's ``item`` is asked from now on."""
    asked: list[str] = []
    read: Callable[[str], Any] = engine.item

    def item(item_id: str) -> Any:
        asked.append(item_id)
        return read(item_id)

    monkeypatch.setattr(engine, "item", item)
    return asked


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [str(e.get("id")) for e in entries]


def test_an_item_page_reads_the_item_once(seeded: str, opened: Opened, monkeypatch: pytest.MonkeyPatch) -> None:
    app = opened.app(seeded)
    service: SearchService = app.extensions[SERVICE_KEY]
    client = app.test_client()
    item_id = seed_meeting().items[0].id  # its case is treated again at a later meeting
    expected = {
        "case_history": _ids(service.case_history(item_id)),
        "similar": _ids(service.similar(item_id)),
        "meeting_items": _ids(service.meeting_items(service.get_item(item_id)["meeting_id"])),  # type: ignore[index]
    }
    assert expected["case_history"], "the seeded case is treated again: a history to list"
    asked = _counting(service.engine, monkeypatch)

    page = client.get(f"/items/{item_id}")
    assert page.status_code == 200
    assert asked == [item_id]
    text = page.get_data(as_text=True)
    for other in expected["case_history"] + expected["similar"]:
        assert f"/items/{other}" in text

    asked.clear()
    answer = client.get(f"/api/items/{item_id}")
    assert answer.status_code == 200
    assert asked == [item_id]
    data = answer.get_json()
    assert {name: _ids(data[name]) for name in expected} == expected


def test_an_unknown_or_closed_item_page_still_answers_404(seeded: str, opened: Opened) -> None:
    service = opened.service(seeded)
    assert service.item_page("no-such-item") is None
    closed = [i for i in service.engine.iter_items() if not i.is_open]
    assert all(service.item_page(i.id) is None for i in closed)
    client = opened.app(seeded).test_client()
    assert client.get("/items/nosuchitem0000").status_code == 404
    assert client.get("/api/items/nosuchitem0000").status_code == 404
