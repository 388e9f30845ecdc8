"""``minutes db …``: set up a database for the PostgreSQL engine, or run a local server to try it.

minutes db init --index postgresql://user@host:port/db [--citus]   create or upgrade the schema
minutes db local [DIR] [--port 5433]                               a local server in DIR, until Ctrl-C or SIGTERM
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from indexer.engines import redact
from indexer.engines.base import EngineBusy, EngineUnavailable
from indexer.engines.postgres import is_database_url, schema
from indexer.engines.postgres.server import LocalServer, ServerError
from indexer.sanitize import printable
from indexer.workers import forking_workers, stop_of, stop_on_sigterm

DATABASE_ERRORS = (
    schema.SchemaError,
    ServerError,
    psycopg.OperationalError,
    psycopg.errors.ReadOnlySqlTransaction,
    EngineUnavailable,
)


def database_error_text(exc: Exception, location: object) -> str:
    """One line for a database error (the URL's password masked)."""
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return f"{redact(str(location))}: the database is read-only (a replica?); write to the primary"
    if isinstance(exc, psycopg.OperationalError):
        # libpq writes "…: Connection refused\n\tIs the server running …?" and names no database:
        # its lines joined, after the (masked) URL, so the operator sees which one and one line.
        said = " ".join(redact(str(exc)).split())
        return f"{redact(str(location))}: {said}" if location else said
    return redact(str(exc))


def cmd_db_init(args: argparse.Namespace) -> int:
    location = str(args.index)
    if not is_database_url(location):
        sys.stderr.write(f"error: {redact(location)}: db init needs a postgresql:// URL (--index or $MINUTES_INDEX)\n")
        return 2
    name = f"minutes-search db init, pid {os.getpid()} on {socket.gethostname()}"[:63]  # named to who waits for it
    with psycopg.connect(location, application_name=name) as conn:
        report = schema.init(conn, citus=args.citus, where=location)
    if report.applied:
        start = "an empty database" if report.before is None else f"version {report.before}"
        print(f"schema upgraded from {start} to version {report.after} (applied {', '.join(map(str, report.applied))})")
    else:
        print(f"schema is up to date (version {report.after})")
    for line in report.said:
        print(line)
    if report.pruned:
        from indexer.engines.postgres.index import drop_cached_text

        drop_cached_text(report.pruned)  # the files' text this host cached (other hosts keep theirs)
    if report.citus:
        print("tables distributed by municipality (citus)")
    return 0


def cmd_db_local(args: argparse.Namespace) -> int:
    """Start (creating it the first time) a PostgreSQL server in a folder and keep it up until
    Ctrl-C or SIGTERM, then stop it (fast shutdown) so the folder is free for the next start.

    pg_ctl detaches the postmaster into a session of its own, so neither signal reaches it: by
    SIGTERM's default action this command died and left it running, the folder locked.  Now
    SIGTERM is raised as ``Terminated`` (``stop_on_sigterm``) and takes Ctrl-C's way out.  A
    signal while the server starts is held until it is up (``forking_workers``): cut short
    there, pg_ctl left a postmaster that had not yet written its pid file, which nothing stopped."""
    root = Path(args.dir).expanduser()
    server = LocalServer(root, args.port)
    if server.running():  # another `minutes db local` (or pg_ctl) serves this folder: leave it be
        sys.stderr.write(f"error: PostgreSQL {root} is already running; stop it there first (Ctrl-C)\n")
        return 2
    started = False
    with stop_on_sigterm():  # a second SIGTERM while it stops is disregarded
        try:
            with forking_workers():
                server.start()
                started = True
            url = server.create_database("minutes")
            with psycopg.connect(url) as conn:
                schema.init(conn)
            print(
                f"PostgreSQL {root} is listening; try:\n  export MINUTES_INDEX={url}\n"
                "  minutes ingest data/\n  minutes serve"
            )
            print("Ctrl-C stops it (the data stays in the folder).", flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM
            if started:
                server.stop()
            stop = stop_of(interrupt)
            sys.stderr.write(f"{stop.word}: PostgreSQL {root} is stopped; the data stays in the folder\n")
            return 0 if stop.status == 128 + signal.SIGINT else stop.status
        finally:
            # after an error too (nothing to do once it is stopped); a start that failed stops
            # nothing: the pid file may be another server's
            if started or server.running():
                server.stop()


def add_db_commands(sub: Any, index_option: Callable[[argparse.ArgumentParser], None]) -> None:
    db = sub.add_parser("db", help="PostgreSQL engine: create or upgrade the schema; a local server to try it")
    actions = db.add_subparsers(dest="db_command", required=True)
    p = actions.add_parser("init", help="create or upgrade the schema (idempotent)")
    index_option(p)
    p.add_argument("--citus", action="store_true", help="distribute the tables by municipality (needs citus)")
    p.set_defaults(func=cmd_db_init)
    p = actions.add_parser("local", help="run a local PostgreSQL server in a folder until Ctrl-C")
    p.add_argument("dir", nargs="?", default="var/postgres")
    p.add_argument("--port", type=int, default=5433)
    p.set_defaults(func=cmd_db_local)


def reindex_database(args: argparse.Namespace) -> int | None:
    """``minutes reindex`` on a database: rebuild from the recorded sources beside the live
    content and swap it in at once (``rebuild.py``); None for a folder.

    Until the swap readers see the old content; a failed, interrupted or killed rebuild leaves
    it served, says so in one line, and the next reindex starts afresh."""
    if not is_database_url(args.index):
        return None
    from indexer.cli import (
        SourceFailed,
        meetings_held,
        print_summary,
        replay_sources,
        say_swept,
        sources_to_replay,
        way_out,
    )
    from indexer.engines.postgres.engine import Database
    from indexer.engines.postgres.index import PostgresIndex
    from indexer.engines.postgres.rebuild import Rebuild, ReindexFailed
    from indexer.engines.whoosh.index import IngestSummary

    location = str(args.index)
    engine = Database(location)
    try:
        sources = engine.sources()
    finally:
        engine.close()
    sources, refused = sources_to_replay(sources, args.drop_source, location)
    if refused is not None:
        return refused
    kept_as_is = "nothing changed, the old index is still served"
    try:
        rebuild = Rebuild.begin(location)
    except (ReindexFailed, EngineBusy, *DATABASE_ERRORS, psycopg.Error) as exc:
        sys.stderr.write(f"reindex failed ({_one_line(exc)}): {kept_as_is}\n")
        return 1
    total = IngestSummary()
    try:
        live = Database(location)  # the harvest states (read only)
        try:
            released = say_swept(sources, live)  # under the rebuild's run lock: no harvest writes the folders
        finally:
            live.close()
        database = rebuild.database()
        target = PostgresIndex(database)
        try:
            replay_sources(sources, Path("."), target, total)
        finally:
            database.close()
        total.kept_closed += rebuild.keep_closed()
        total.pruned += target.drop_cached_text(set(rebuild.swap()))
        if released:  # the swept folders' deleted attachments: their text, unless an open item has it
            live = Database(location)
            try:
                total.pruned += target.drop_cached_text(live.unreferenced(released))
            finally:
                live.close()
        if args.drop_source:  # the rebuild without them is live: they are forgotten
            live = Database(location)
            try:
                live.drop_sources([s["path"] for s in live.sources() if s not in sources])
            finally:
                live.close()
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (indexer.cli.main)
        rebuild.abandon()
        stop = stop_of(interrupt)
        sys.stderr.write(f"reindex {stop.word}: {kept_as_is}\n")
        return stop.status
    except Exception as exc:  # whatever failed, the live content stands: say so
        rebuild.abandon()
        sys.stderr.write(f"reindex failed ({_one_line(exc)}): {kept_as_is}\n")
        if isinstance(exc, SourceFailed):
            sys.stderr.write(way_out(exc.path, location))
        return 1
    finally:
        rebuild.close()
    print_summary(total, sys.stdout, sys.stderr, held=meetings_held(location))
    print("reindex complete: the new index is live")
    return 1 if total.rejected else 0


def _one_line(exc: BaseException) -> str:
    text = printable(" ".join(str(exc).split())) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
