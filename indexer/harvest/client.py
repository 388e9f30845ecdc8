"""A polite HTTP client for one portal.

Politeness is the contract with the people who run the portal: every request
names the software and an operator contact in its User-Agent, requests start at
most ``rate`` per second (and no faster than robots.txt's Crawl-delay), at most
``concurrency`` are in flight at once, robots.txt is honoured, 5xx answers and
timeouts are retried with exponential backoff (Retry-After respected), and
validators (ETag / Last-Modified) are sent back so an unchanged document costs
a 304 and no body.  Every attempt, retries included, goes through the rate
limit, which is why the retry loop is ours and not urllib3's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from indexer import __version__ as VERSION

RETRY_STATUS = {500, 502, 503, 504, 429}
SESSION_PATH = "/"


class HarvestError(Exception):
    """A request that could not be answered usefully; the message names the URL."""

    def __init__(self, url: str, problem: str, lasting: bool = False) -> None:
        self.url = url
        self.problem = problem
        self.lasting = lasting  # asking again will not help (robots.txt, a size limit)
        super().__init__(f"{url}: {problem}")


@dataclass
class Politeness:
    contact: str  # an e-mail address or URL where the portal's operators reach whoever runs the harvest
    rate: float = 1.0  # request starts per second; 0 = no limit (tests on loopback only)
    concurrency: int = 2
    retries: int = 4
    backoff: float = 2.0  # seconds before the first retry; doubled each time
    max_backoff: float = 60.0
    timeout: float = 30.0  # seconds to connect or between bytes
    max_attachment_bytes: int = 50 * 1024 * 1024
    attachment_seconds: float = 120.0  # a download's whole time

    @property
    def user_agent(self) -> str:
        return f"minutes-search/{VERSION} (+{self.contact}; harvests public minutes for search)"


@dataclass
class Response:
    url: str
    status: int  # 200, or 304 when the validators matched
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""


@dataclass
class Traffic:
    requests: int = 0
    bytes: int = 0
    retries: int = 0
    not_modified: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class RateLimiter:
    """Request starts spaced at least ``interval`` seconds apart, across threads."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class PortalClient:
    """One portal, one cookie jar, one rate limit."""

    def __init__(
        self,
        base_url: str,
        politeness: Politeness,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{base_url}: not a portal address (expected https://dagsordener.<kommune>.dk)")
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.politeness = politeness
        self.traffic = Traffic()
        self._sleep = sleep
        self._slots = threading.BoundedSemaphore(max(1, politeness.concurrency))
        self._limiter = RateLimiter(1.0 / politeness.rate if politeness.rate > 0 else 0.0)
        self._lock = threading.Lock()
        self._robots: Protego | None = None
        self._session = False
        self._http = httpx.Client(
            headers={"User-Agent": politeness.user_agent, "Accept-Language": "da"},
            timeout=httpx.Timeout(politeness.timeout),
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        return urljoin(self.base + "/", path.lstrip("/"))

    # -- robots.txt and the session cookie ---------------------------------------

    def load_robots(self) -> None:
        """Read robots.txt once; a missing file allows everything, as the convention says."""
        try:
            answer = self._send("GET", self.url("/robots.txt"), {}, kind="robots")
        except HarvestError:
            answer = None
        text = ""
        if answer is not None and answer.status_code == 200 and "html" not in answer.headers.get("content-type", ""):
            text = answer.text
        self._robots = Protego.parse(text)
        delay = self._robots.crawl_delay(self.politeness.user_agent)
        if delay and float(delay) > self._limiter.interval:
            self._limiter.interval = float(delay)

    def allowed(self, url: str) -> bool:
        if self._robots is None:
            self.load_robots()
        assert self._robots is not None
        return bool(self._robots.can_fetch(url, self.politeness.user_agent))

    def open_session(self) -> None:
        """The portal hands out an anonymous session cookie on its front page; API calls need it."""
        answer = self._send("GET", self.url(SESSION_PATH), {}, kind="session", follow=True)
        if answer.status_code >= 400:
            raise HarvestError(self.url(SESSION_PATH), f"front page answered HTTP {answer.status_code}")
        self._session = True

    # -- requests --------------------------------------------------------------

    def get(
        self, path: str, etag: str | None = None, last_modified: str | None = None, kind: str = "document"
    ) -> Response:
        """GET with validators; 304 comes back as ``status=304`` with no body."""
        url = self.url(path)
        if not self.allowed(url):
            raise HarvestError(url, "robots.txt disallows it", lasting=True)
        if not self._session:
            self.open_session()
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        answer = self._send("GET", url, headers, kind=kind)
        if answer.status_code in (301, 302, 303, 307, 308):
            # The session expired or was never granted: fetch a new cookie once and ask again.
            self.open_session()
            answer = self._send("GET", url, headers, kind=kind)
            if answer.status_code in (301, 302, 303, 307, 308):
                raise HarvestError(url, f"redirected to {answer.headers.get('location', '?')} even with a session")
        if answer.status_code == 304:
            with self._lock:
                self.traffic.not_modified += 1
            return Response(url, 304, b"", etag, last_modified)
        if answer.status_code != 200:
            raise HarvestError(url, f"HTTP {answer.status_code}")
        return Response(
            url,
            200,
            answer.content,
            answer.headers.get("etag"),
            answer.headers.get("last-modified"),
            answer.headers.get("content-type", ""),
        )

    def download(self, path: str, max_bytes: int | None = None) -> bytes:
        """A file, streamed, within the size and time limits; anything past them is an error."""
        url = self.url(path)
        if not self.allowed(url):
            raise HarvestError(url, "robots.txt disallows it", lasting=True)
        if not self._session:
            self.open_session()
        limit = max_bytes if max_bytes is not None else self.politeness.max_attachment_bytes
        deadline = time.monotonic() + self.politeness.attachment_seconds
        for attempt in range(self.politeness.retries + 1):
            self._limiter.wait()
            with self._slots:
                self._count("attachment")
                try:
                    with self._http.stream("GET", url) as answer:
                        if answer.status_code in RETRY_STATUS and attempt < self.politeness.retries:
                            self._backoff(attempt, answer.headers.get("retry-after"))
                            continue
                        if answer.status_code != 200:
                            raise HarvestError(url, f"HTTP {answer.status_code}")
                        declared = answer.headers.get("content-length")
                        if declared and declared.isdigit() and int(declared) > limit:
                            raise HarvestError(
                                url, f"{int(declared):,} bytes, over the {limit:,}-byte limit", lasting=True
                            )
                        chunks: list[bytes] = []
                        size = 0
                        for chunk in answer.iter_bytes():
                            size += len(chunk)
                            if size > limit:
                                raise HarvestError(url, f"over the {limit:,}-byte limit", lasting=True)
                            if time.monotonic() > deadline:
                                raise HarvestError(url, f"took over {self.politeness.attachment_seconds:g} s")
                            chunks.append(chunk)
                        self._add_bytes(size)
                        return b"".join(chunks)
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    if attempt >= self.politeness.retries or time.monotonic() > deadline:
                        raise HarvestError(url, f"{type(exc).__name__}") from exc
            self._backoff(attempt, None)
        raise HarvestError(url, "gave up after retries")

    def _send(self, method: str, url: str, headers: dict[str, str], kind: str, follow: bool = False) -> httpx.Response:
        last = ""
        for attempt in range(self.politeness.retries + 1):
            self._limiter.wait()
            with self._slots:
                self._count(kind)
                try:
                    answer = self._http.request(method, url, headers=headers, follow_redirects=follow)
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    last = type(exc).__name__
                    answer = None
            if answer is not None:
                self._add_bytes(len(answer.content))
                if answer.status_code not in RETRY_STATUS:
                    return answer
                last = f"HTTP {answer.status_code}"
            if attempt < self.politeness.retries:
                self._backoff(attempt, answer.headers.get("retry-after") if answer is not None else None)
        raise HarvestError(url, f"{last} after {self.politeness.retries + 1} attempts")

    def _backoff(self, attempt: int, retry_after: str | None) -> None:
        with self._lock:
            self.traffic.retries += 1
        wait = self.politeness.backoff * (2**attempt)
        if retry_after:
            wait = max(wait, _retry_after_seconds(retry_after))
        self._sleep(min(wait, self.politeness.max_backoff))

    def _count(self, kind: str) -> None:
        with self._lock:
            self.traffic.requests += 1
            self.traffic.by_kind[kind] = self.traffic.by_kind.get(kind, 0) + 1

    def _add_bytes(self, size: int) -> None:
        with self._lock:
            self.traffic.bytes += size


def _retry_after_seconds(value: str) -> float:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return 0.0
