"""The harvester's tests talk to the local portal only: any connection or name lookup for an
address outside loopback fails the test instead of leaving the machine."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.harvest.helpers import ONE_MEETING
from tests.harvest.portal import Portal

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


class OutsideLoopback(AssertionError):
    """A test asked for an address that is not this machine's loopback."""


def is_loopback(host: object) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _checked(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
        raise OutsideLoopback(f"a harvest test tried to connect to {address[0]!r}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _checked(self, address)
    _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _checked(self, address)
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if not is_loopback(name):
        raise OutsideLoopback(f"a harvest test tried to look up {name!r}")
    return _getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    yield


@pytest.fixture()
def portal() -> Iterator[Portal]:
    """A local portal serving ``ONE_MEETING``: the default of the harvester's tests (a module
    serving other meetings defines its own ``portal``, which pytest takes instead)."""
    served = Portal([ONE_MEETING])
    served.start()
    yield served
    served.stop()
