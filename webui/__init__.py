"""The web UI and JSON API: a Flask app over one SearchService, served by waitress."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from flask import Flask, Response, g, has_request_context, request, url_for
from werkzeug.datastructures import ImmutableMultiDict

from indexer.engines import is_url, redact
from indexer.search.service import SearchService

SERVICE_KEY = "minutes_search"
DEFAULTS: dict[str, Any] = {
    "PER_PAGE": 10,
    "FEED_SIZE": 50,
    "EXPORT_LIMIT": 5000,
    "JSON_AS_ASCII": False,
    # Stylesheet and script: an hour in caches; pages, JSON, feeds and CSV: CACHE_SECONDS.
    "SEND_FILE_MAX_AGE_DEFAULT": 3600,
    "CACHE_SECONDS": 300,
    # Query strings can carry what a citizen searched for (names, addresses): an operator
    # who must not keep them sets MINUTES_ACCESS_LOG_QUERIES=false (or `serve --no-query-log`).
    "ACCESS_LOG_QUERIES": True,
    # Log once when the index was written by another text analysis (``Engine.analysis_warning``);
    # a pre-fork server's restarted workers leave it to the first.
    "WARN_ANALYSIS": True,
}
# No inline script or style anywhere: every script and stylesheet is a file under /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

log = logging.getLogger(__name__)
access_log = logging.getLogger("minutes.access")


class LevelFormatter(logging.Formatter):
    """A log record as the commands write a line: ``warning: …``, ``error: …``."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {super().format(record)}"


# Characters XML 1.0 cannot hold (C0 controls but tab, newline and return; DEL; U+FFFE/U+FFFF).
# Nothing a person types contains them; a feed or page that echoes one would be broken XML.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def undecodable_parameters(query_string: bytes) -> list[str]:
    """The names of the parameters whose name or value is no UTF-8 once unescaped ("q=%FF%FE").
    Werkzeug keeps such a value as its escaped text, which a search would then look for; a name
    that is no UTF-8 itself is given escaped.  In the order of the query string, each once."""
    names: list[str] = []
    for pair in query_string.split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" "))
        try:
            shown = name.decode("utf-8")
            unquote_to_bytes(raw_value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            try:
                shown = name.decode("utf-8")
            except UnicodeDecodeError:
                shown = quote(name, safe="")
            shown = CONTROL_CHARACTERS.sub("", shown)
            if shown not in names:
                names.append(shown)
    return names


def undecodable_notice(name: str) -> str:
    """The one line that refuses a parameter that is no UTF-8 (page, API, feed and export)."""
    return f"Parameteren «{name}» er ikke gyldig UTF-8."


def clean_parameters() -> None:
    """Strip control characters from every query parameter, once, for every route; their names are
    kept in ``g.stripped_parameters`` for the machine formats, which refuse them instead.  A
    parameter that is no UTF-8 is named in ``g.undecodable_parameters`` and taken out: the
    search routes refuse it (400), and nothing searches its escaped text."""
    undecodable = undecodable_parameters(request.query_string)
    g.undecodable_parameters = undecodable
    if undecodable:
        kept = [
            (key, value)
            for key, value in request.args.items(multi=True)
            if CONTROL_CHARACTERS.sub("", key) not in undecodable and quote(key, safe="") not in undecodable
        ]
        request.args = ImmutableMultiDict(kept)  # type: ignore[misc]
    stripped = sorted({k for k, v in request.args.items(multi=True) if CONTROL_CHARACTERS.search(k + v)})
    g.stripped_parameters = stripped
    if stripped:
        request.args = ImmutableMultiDict(  # type: ignore[misc]
            [
                (CONTROL_CHARACTERS.sub("", key), CONTROL_CHARACTERS.sub("", value))
                for key, value in request.args.items(multi=True)
            ]
        )


def _default_index_dir() -> str:
    from indexer.cli import default_index_dir

    return str(default_index_dir())


def attachment_link(item_id: str, index: int, attachment: dict[str, Any]) -> str | None:
    """The public address of an attachment: our bilag route, never a path on the server."""
    if not (attachment.get("archive_name") or attachment.get("source_url")):
        return None
    if has_request_context():
        return url_for("views.attachment", item_id=item_id, number=index + 1, _external=True)
    return f"/items/{item_id}/bilag/{index + 1}"


def _open_service(location: str, read_replica: str | None) -> SearchService:
    """The service over the engine the location names: a folder (embedded) or a
    postgresql:// URL (server; reads from a replica when one is given)."""
    return SearchService(location, attachment_url=attachment_link, read_replica=read_replica or None)


def close_app(app: Flask) -> None:
    """Release what ``create_app`` opened: the index's files, a database's connection pool
    (whose threads must not be left to the garbage collector).  The app serves no more."""
    service = app.extensions.pop(SERVICE_KEY, None)
    if service is not None:
        service.close()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; the index is opened once here and shared by every request
    (``close_app`` releases it).

    Configuration, later wins: defaults, ``MINUTES_*`` environment variables
    (``MINUTES_INDEX`` or ``MINUTES_INDEX_DIR``), ``config.py`` in the instance
    folder, then ``config``.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config["INDEX_DIR"] = os.environ.get("MINUTES_INDEX") or _default_index_dir()
    app.config.from_prefixed_env("MINUTES")
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.update(config)
    if not is_url(app.config["INDEX_DIR"]):
        # Fixed now, against the folder the server was started in: Flask reads a relative path
        # to a file it sends against the package's own folder, and every attachment would be lost.
        app.config["INDEX_DIR"] = os.path.abspath(app.config["INDEX_DIR"])
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    service = app.extensions[SERVICE_KEY] = _open_service(app.config["INDEX_DIR"], app.config.get("READ_REPLICA"))
    if app.config["WARN_ANALYSIS"]:
        # The operator's log, once: never a page (searches still work, the old terms find most).
        warning = service.engine.analysis_warning()
        if warning:
            log.warning("%s", warning)  # "warning: " is the log's (LevelFormatter)

    from webui.api import api
    from webui.views import register_error_pages, views

    app.register_blueprint(views)
    app.register_blueprint(api)
    register_error_pages(app)
    app.before_request(clean_parameters)
    app.before_request(_start_clock)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response = cache_headers(response, int(app.config["CACHE_SECONDS"]))
        log_request(response, bool(app.config["ACCESS_LOG_QUERIES"]))
        return response

    return app


def _start_clock() -> None:
    g.started = time.perf_counter()


def log_request(response: Response, with_query: bool) -> None:
    """One line a request in the Common Log Format, plus the time taken:
    ``127.0.0.1 - - [04/Dec/2026:01:02:03 +0000] "GET /?q=skole HTTP/1.1" 200 5120 12.3ms``."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    target = request.full_path if with_query and request.query_string else request.path
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    # The size of the body sent, as the format counts it: a 304, a 204 and a HEAD send none.
    bodiless = request.method == "HEAD" or response.status_code in (204, 304)
    size = None if bodiless else response.calculate_content_length()
    stamp = datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
    access_log.info(
        '%s - - [%s] "%s %s %s" %d %s %.1fms',
        request.remote_addr or "-",
        stamp,
        request.method,
        target,
        request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        response.status_code,
        size if size is not None else "-",
        elapsed,
    )


def cache_headers(response: Response, seconds: int) -> Response:
    """Successful GETs may be cached briefly and revalidated by ETag; errors are not cached.

    The index changes only on ingest, so a few minutes of staleness is harmless and spares
    the server repeated searches for the same permalink or feed poll.
    """
    if request.method not in ("GET", "HEAD") or response.cache_control.max_age is not None:
        return response
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
        return response
    if (
        response.status_code != 200 or response.direct_passthrough or response.cache_control.no_cache
    ):  # files: ``archived_file`` set no-cache, send_file the validators
        return response
    if request.path.startswith(("/items/", "/api/items/", "/meetings/", "/api/meetings/")):
        # An item (a meeting) can be closed or taken down at the next ingest: its page is
        # revalidated every time (ETag), so its old URL answers 404 at once, from any cache.
        response.cache_control.no_cache = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = seconds
    response.add_etag()
    response.make_conditional(request)  # updates this response in place (304 when the ETag matches)
    return response


def search_service(app: Flask) -> SearchService:
    service: SearchService = app.extensions[SERVICE_KEY]
    return service


# After SIGTERM (or Ctrl-C) a server takes no new connection and gives the requests in flight this
# long to be answered; a service manager's own wait before SIGKILL is longer (docker stop: 10 s).
STOP_GRACE_SECONDS = 5.0
# A connection with no request in it, quiet this long, is a browser's idle keep-alive: closed at once.
IDLE_SECONDS = 0.1


def serve(
    index_dir: Path | str,
    host: str = "127.0.0.1",
    port: int = 8080,
    threads: int = 8,
    read_replica: str | None = None,
    log_queries: bool | None = None,
    workers: int = 1,
) -> int:
    """Run the app on waitress, the production WSGI server; the access log goes to standard error.

    With ``workers`` > 1 the listening socket is opened once and that many processes
    are forked to accept on it (pre-fork): a Python process answers one search at a
    time per core, so more processes is how more cores are used.  Each worker opens
    its own searchers (Whoosh's file handles must not be shared across processes);
    the index's memory-mapped postings and columns are shared through the operating
    system's page cache, read-only.

    SIGTERM or Ctrl-C stops it: no new connection is taken, the requests in flight are answered
    (``STOP_GRACE_SECONDS`` at most), one line says so and the exit status is 0: stopping is how a
    service ends, and systemd counts an exit status of 143 as a failure.
    """
    from indexer.engines.whoosh.index import _warm_analysis

    raise_open_file_limit()
    config: dict[str, Any] = {"INDEX_DIR": str(index_dir), "READ_REPLICA": read_replica}
    if log_queries is not None:
        config["ACCESS_LOG_QUERIES"] = log_queries
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    # As waitress.serve did: warnings (ours and waitress's) on standard error, each line begun as
    # the commands begin theirs ("warning: …"), not logging's default "WARNING:webui:…".
    logged = logging.StreamHandler(sys.stderr)
    logged.setFormatter(LevelFormatter())
    logging.basicConfig(handlers=[logged])
    _warm_analysis()  # the Danish dictionaries load before the first request, not during it
    serving = f"minutes-search: serving {redact(str(index_dir))} on http://{host}:{port}/"
    if workers <= 1:
        app = create_app(config)
        try:
            # poll(), not select(): a large index keeps a file open per segment file, and
            # select() fails outright once a socket's number passes 1024.
            signum = _serve_until_stopped(
                app,
                announce=serving,
                host=host,
                port=port,
                threads=threads,
                ident="minutes-search",
                asyncore_use_poll=True,
            )
        finally:
            close_app(app)
    else:
        signum = _serve_prefork(config, host, port, threads, workers, serving)
    word = "stopped (SIGTERM)" if signum == signal.SIGTERM else "interrupted"
    sys.stderr.write(f"{word}: minutes-search took no new requests and answered those in flight\n")
    return 0


class ListenError(Exception):
    """The server cannot listen where it was asked to (an address in use, a host that is none)."""


def _listening(host: str, port: int, make: Any) -> Any:
    """``make()``'s server or socket, or a ``ListenError`` that names the address and the reason."""
    try:
        return make()
    except (OSError, ValueError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ListenError(f"cannot listen on {host}:{port}: {reason}") from None


def _serve_until_stopped(app: Flask, announce: str | None = None, **options: Any) -> int:
    """Serve ``app`` with waitress until SIGTERM or SIGINT; then stop taking connections, let the
    requests in flight be answered (``STOP_GRACE_SECONDS`` at most), close, and return the signal.

    waitress has no graceful stop: Ctrl-C ended its loop where it stood, and SIGTERM's default
    action killed the process with requests half-answered.  The handler only notes the signal and
    wakes the loop (waitress's trigger: a write to a pipe), which then stops between two rounds."""
    from waitress import wasyncore
    from waitress.channel import HTTPChannel
    from waitress.server import BaseWSGIServer, create_server

    server = _listening(options.get("host", ""), options.get("port", 0), lambda: create_server(app, **options))
    if announce:
        print(announce, flush=True)
    channels: dict[int, Any] = server.map if hasattr(server, "map") else server._map
    listeners = [d for d in channels.values() if isinstance(d, BaseWSGIServer)]
    received: list[int] = []

    def note(signum: int, _frame: Any) -> None:
        received.append(signum)
        listeners[0].pull_trigger()

    previous = {signum: signal.signal(signum, note) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not received:
            wasyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=channels, use_poll=True, count=1)
        for listener in listeners:  # no new connection (a pre-fork worker closes its copy)
            wasyncore.dispatcher.close(listener)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while time.monotonic() < deadline:
            # A round first: what a client sent before the signal is read before its channel is judged idle.
            wasyncore.loop(timeout=0.05, map=channels, use_poll=True, count=1)
            open_channels = [c for c in channels.values() if isinstance(c, HTTPChannel)]
            if not open_channels:
                break
            now = time.time()
            for channel in open_channels:
                idle = not channel.requests and channel.request is None and not channel.total_outbufs_len
                if idle and now - channel.last_activity >= IDLE_SECONDS:
                    channel.will_close = True  # closed in the next round
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        listeners[0].task_dispatcher.shutdown(timeout=1)
        wasyncore.close_all(channels)  # what is left after the grace, and the wake-up pipe
    return received[0]


def _serve_prefork(config: dict[str, Any], host: str, port: int, threads: int, workers: int, announce: str) -> int:
    """The parent binds, warms what every worker shares, forks, and restarts a worker that dies.

    SIGTERM or SIGINT to the parent (or to the whole group) stops every worker the way one
    process stops (``_serve_until_stopped``); the parent closes its copy of the socket, so new
    connections are refused once the workers closed theirs, and a worker still there
    ``STOP_GRACE_SECONDS`` + 2 s later is killed.  The signal is the value returned."""
    import socket

    listener = _listening(host, port, lambda: socket.create_server((host, port), reuse_port=False, backlog=1024))
    print(announce, flush=True)
    listener.set_inheritable(True)  # the dictionaries were loaded above: shared copy-on-write
    children: set[int] = set()
    received: list[int] = []
    started = 0
    signals = {signal.SIGTERM, signal.SIGINT}

    def start_worker() -> None:
        nonlocal started
        if received:  # stopping: no new worker (the socket may be closed already)
            return
        started += 1
        # Blocked across the fork: a signal between the fork and ``children.add`` left a worker
        # the parent did not know of (it served on after the parent was gone), and the child
        # must not run the parent's handler.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                for signum in signals:
                    signal.signal(signum, signal.SIG_DFL)  # until it serves: nothing in flight to finish
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                # The first worker alone logs what every worker would find (the analysis warning).
                app = create_app({**config, "WARN_ANALYSIS": started == 1})
                try:
                    _serve_until_stopped(
                        app, sockets=[listener], threads=threads, ident="minutes-search", asyncore_use_poll=True
                    )
                finally:
                    close_app(app)
            finally:
                os._exit(0)
        children.add(pid)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def stop(signum: int, _frame: Any) -> None:
        if not received:
            listener.close()
        received.append(signum)
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                children.discard(pid)

    previous = {signum: signal.signal(signum, stop) for signum in signals}
    try:
        for _ in range(workers):
            start_worker()
        log.info("minutes-search: %d worker processes", workers)
        while children and not received:
            try:
                pid, _status = os.wait()
            except ChildProcessError:
                break
            children.discard(pid)
            if not received:
                log.warning("worker %d ended; starting another", pid)
                start_worker()
        _reap(children, time.monotonic() + STOP_GRACE_SECONDS + 2)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        listener.close()
    return received[0] if received else signal.SIGTERM


def _reap(children: set[int], deadline: float) -> None:
    """Wait for the workers until ``deadline``, then kill those left: a stop must end."""
    while children and time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            break
        if pid == 0:
            time.sleep(0.01)
        else:
            children.discard(pid)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def raise_open_file_limit(wanted: int = 65536) -> None:
    """Lift the soft limit on open files towards the hard one: every searcher holds
    the files of every segment, hundreds of segments on a million-item index."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


__all__ = ["ListenError", "attachment_link", "close_app", "create_app", "search_service", "serve"]
