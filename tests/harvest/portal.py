"""A local FirstAgenda portal on 127.0.0.1 for the harvester's tests.

It serves the recorded API documents (tests/fixtures/firstagenda-api/greve/) the way
the real portals answer: robots.txt, an anonymous session cookie from the front page
and a 302 to it for API calls without one, ``/api/agenda/udvalgsliste`` built from
the documents, ``/api/agenda/dagsorden/<id>`` with ETag/Last-Modified and 304s, and
``/vis/pdf/bilag/<id>`` answering with real PDFs from data/samples.  Faults are
queued per path and consumed one request at a time.  Every request is logged.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import REPO, SAMPLES

GREVE = REPO / "tests" / "fixtures" / "firstagenda-api" / "greve"
# Real attachment PDFs (a FirstAgenda bilag and eDoc enclosures), small enough to extract quickly.
SAMPLE_PDFS = [
    SAMPLES / "firstagenda" / "aarhus-2025" / "dagsbil.pdf",
    *sorted(p for p in (SAMPLES / "edoc").rglob("*") if p.suffix.lower() == ".pdf" and p.stat().st_size < 150_000),
]
COOKIE = "ASP.NET_SessionId"


@dataclass
class Hit:
    path: str
    status: int
    bytes: int
    user_agent: str
    started: float
    ended: float
    conditional: bool


class Portal:
    """Documents by meeting id; faults by exact path (a deque of fault names)."""

    def __init__(self, documents: Iterable[Path], validators: bool = True) -> None:
        self.documents: dict[str, bytes] = {}
        self.modified: dict[str, float] = {}
        for path in documents:
            data = path.read_bytes()
            ident = json.loads(data)["Id"]
            self.documents[ident] = data
            self.modified[ident] = 1_700_000_000.0
        self.validators = validators
        self.robots = "User-agent: *\nAllow: /\n"
        self.faults: dict[str, deque[str]] = {}
        self._hits: list[Hit] = []
        self.sessions: set[str] = set()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.pdf_bytes = {p: p.read_bytes() for p in SAMPLE_PDFS}
        self.bilag_ids = self._bilag_ids()
        self._list: bytes | None = None

    # -- control -----------------------------------------------------------------

    def start(self) -> str:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                portal.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        """The running portal's base URL (loopback, the port the system chose)."""
        assert self._server is not None, "the portal is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fault(self, path: str, *kinds: str) -> None:
        self.faults.setdefault(path, deque()).extend(kinds)

    def change(self, ident: str, edit: Any) -> None:
        """Apply ``edit(document)`` to one meeting: a new version with new validators."""
        document = json.loads(self.documents[ident])
        edit(document)
        self.documents[ident] = json.dumps(document, ensure_ascii=False).encode("utf-8")
        self.modified[ident] += 3600
        self.bilag_ids = self._bilag_ids()
        self._list = None

    def _bilag_ids(self) -> set[str]:
        return {
            str(b["Id"])
            for data in self.documents.values()
            for point in json.loads(data)["Dagsordenpunkter"]
            for b in point.get("Bilag") or []
        }

    def committee_list(self) -> bytes:
        if self._list is None:
            self._list = self._build_list()
        return self._list

    def _build_list(self) -> bytes:
        committees: dict[str, dict[str, Any]] = {}
        for data in self.documents.values():
            document = json.loads(data)
            udvalg = document["Udvalg"]
            entry = committees.setdefault(udvalg["Id"], {"Navn": udvalg["Navn"], "Id": udvalg["Id"], "Moeder": []})
            entry["Moeder"].append({"Id": document["Id"], "Dato": document["Moede"]["Dato"]})
        groups = {"Aktuelle politiske udvalg": sorted(committees.values(), key=lambda c: c["Navn"])}
        return json.dumps({"Udvalg": groups}, ensure_ascii=False).encode("utf-8")

    def pdf_for(self, ident: str) -> bytes:
        index = int(hashlib.sha256(ident.encode()).hexdigest(), 16) % len(SAMPLE_PDFS)
        return self.pdf_bytes[SAMPLE_PDFS[index]]

    @property
    def hits(self) -> list[Hit]:
        """Every request so far, once none is in flight.

        A handler logs its request after the answer is sent, so a client may see the answer
        (and a test read the log) before the log has it; waiting for the server to be idle
        closes that gap.
        """
        deadline = time.monotonic() + 5.0
        while True:
            with self._lock:
                if self.in_flight == 0 or time.monotonic() > deadline:
                    return list(self._hits)
            time.sleep(0.005)

    def served(self, prefix: str, status: int | None = 200) -> list[Hit]:
        return [h for h in self.hits if h.path.startswith(prefix) and (status is None or h.status == status)]

    def served_so_far(self, prefix: str) -> int:
        """The requests answered 200 so far, without waiting for the server to be idle: a test that
        acts on a count mid-run (a kill after the ninth fetch) must see it at once — two slowed
        requests at a time leave the server idle seldom, and ``hits`` could wait past the run's end."""
        with self._lock:
            return sum(1 for h in self._hits if h.path.startswith(prefix) and h.status == 200)

    # -- serving -----------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        started = time.monotonic()
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        status, sent = 500, 0
        try:
            status, sent = self._answer(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.in_flight -= 1
                self._hits.append(
                    Hit(
                        request.path,
                        status,
                        sent,
                        request.headers.get("User-Agent", ""),
                        started,
                        time.monotonic(),
                        bool(request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since")),
                    )
                )

    def _answer(self, request: BaseHTTPRequestHandler) -> tuple[int, int]:
        path = request.path.split("?", 1)[0]
        fault = None
        with self._lock:
            queue = self.faults.get(path)
            if queue:
                fault = queue.popleft()
        if fault == "500":
            return self._send(request, 500, b"<html><body>Server Error</body></html>", "text/html")
        if fault and fault.split(":")[0] == "503":  # "503" or "503:<seconds to Retry-After>"
            after = fault.split(":", 1)[1] if ":" in fault else "0"
            return self._send(request, 503, b"busy", "text/plain", {"Retry-After": after})
        if fault and fault.startswith("slow:"):
            time.sleep(float(fault.split(":", 1)[1]))
        if fault == "expire":  # the portal forgot every session (restart, timeout)
            with self._lock:
                self.sessions.clear()
        if fault == "hang":
            time.sleep(3.0)  # past the client's timeout in the tests
            return 0, 0
        if path == "/robots.txt":
            return self._send(request, 200, self.robots.encode(), "text/plain")
        if path == "/":
            token = secrets.token_hex(8)
            with self._lock:
                self.sessions.add(token)
            return self._send(
                request,
                200,
                b"<html><body>Dagsordener</body></html>",
                "text/html",
                {"Set-Cookie": f"{COOKIE}={token}; path=/; HttpOnly"},
            )
        if not self._has_session(request):
            return self._send(request, 302, b"", "text/html", {"Location": "/"})
        if path == "/api/agenda/udvalgsliste":
            return self._maybe_broken(request, fault, self.committee_list(), "application/json")
        if path.startswith("/api/agenda/dagsorden/"):
            ident = path.rsplit("/", 1)[1]
            if ident not in self.documents:
                return self._send(request, 404, b"", "text/plain")
            body = self.documents[ident]
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            modified = email.utils.formatdate(self.modified[ident], usegmt=True)
            headers = {"ETag": etag, "Last-Modified": modified} if self.validators else {}
            asked = request.headers.get("If-None-Match")
            matches = asked == etag if asked else request.headers.get("If-Modified-Since") == modified
            if self.validators and fault is None and matches:
                return self._send(request, 304, b"", None, headers)
            return self._maybe_broken(request, fault, body, "application/json; charset=utf-8", headers)
        if path.lower().startswith("/vis/pdf/bilag/"):
            ident = path.rstrip("/").rsplit("/", 1)[1]
            if ident not in self.bilag_ids:
                return self._send(request, 404, b"", "text/plain")
            return self._maybe_broken(request, fault, self.pdf_for(ident), "application/pdf")
        return self._send(request, 404, b"not found", "text/plain")

    def _has_session(self, request: BaseHTTPRequestHandler) -> bool:
        cookies = request.headers.get("Cookie", "")
        for part in cookies.split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and value in self.sessions:
                return True
        return False

    def _maybe_broken(
        self,
        request: BaseHTTPRequestHandler,
        fault: str | None,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, int]:
        if fault == "truncate":
            return self._send(request, 200, body[: len(body) // 2], content_type)
        if fault == "html":
            return self._send(request, 200, b"<!DOCTYPE html><html><body>Der opstod en fejl</body></html>", "text/html")
        if fault == "empty":
            return self._send(request, 200, b"", content_type)
        if fault and fault.startswith("trickle:"):  # the whole body, in ten pieces over this many seconds
            return self._trickle(request, body, content_type, float(fault.split(":", 1)[1]))
        return self._send(request, 200, body, content_type, headers)

    @staticmethod
    def _trickle(request: BaseHTTPRequestHandler, body: bytes, content_type: str, seconds: float) -> tuple[int, int]:
        request.send_response(200)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        step = max(1, len(body) // 10 + 1)
        sent = 0
        for start in range(0, len(body), step):
            request.wfile.write(body[start : start + step])
            request.wfile.flush()
            sent += len(body[start : start + step])
            time.sleep(seconds / 10)
        return 200, sent

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, int]:
        request.send_response(status)
        if content_type:
            request.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        if body:
            request.wfile.write(body)
        return status, len(body)
