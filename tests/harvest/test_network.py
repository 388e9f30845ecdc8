"""The harvester's tests never leave the machine: the guard in conftest.py stops a real portal."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.harvest import conftest
from tests.harvest.conftest import OutsideLoopback, is_loopback
from tests.harvest.helpers import run


def guard_in_place() -> None:
    """Checked first, so that a broken guard fails the test before anything is sent."""
    assert socket.getaddrinfo is conftest._guarded_getaddrinfo
    assert socket.socket.connect is conftest._guarded_connect


def test_a_real_portal_address_is_refused_before_any_packet(tmp_path: Path) -> None:
    guard_in_place()
    with pytest.raises(OutsideLoopback, match=r"dagsordener\.greve\.dk"):
        run("https://dagsordener.greve.dk", tmp_path / "ix")
    assert not (tmp_path / "ix" / "harvest").exists()


def test_only_loopback_addresses_pass() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.5.5.5", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("10.0.0.1", "192.168.1.1", "8.8.8.8", "dagsordener.greve.dk"))
    guard_in_place()
    with socket.socket() as sock, pytest.raises(OutsideLoopback):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1, refused by the guard before any packet
