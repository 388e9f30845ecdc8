"""An index named by a relative path (``minutes serve --index var/demo-index``, the demo's own
hint) is the folder the server was started in, for every file it serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import quiet_ingest
from tests.leak.test_versions import version
from webui import create_app

from .test_gone import urls_of


def test_an_index_named_by_a_relative_path_serves_its_attachments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flask reads a relative path to a file it sends against its own package folder: every
    archived attachment answered 500 until the folder was fixed when the app is made."""
    quiet_ingest([version(tmp_path, "dagsorden", "dagsorden", "open")], tmp_path / "ix")
    monkeypatch.chdir(tmp_path)
    client = create_app({"INDEX_DIR": "ix", "TESTING": True}).test_client()
    page, _, attachment = urls_of(client)
    assert client.get(page).status_code == 200
    response = client.get(attachment)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data().startswith(b"%PDF")
