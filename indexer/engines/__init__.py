"""Search engines behind one narrow interface (``base.Engine``); one folder per engine.

The engine is chosen by the index location alone: a folder is the embedded
Whoosh engine, a ``postgresql://`` (or ``postgres://``) URL the server engine.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from indexer.engines.base import Engine, EngineError

# URL scheme -> module path of the engine class (imported only when used, so the
# embedded engine never needs a database driver and the other way round).
SCHEMES: dict[str, str] = {
    "postgresql": "indexer.engines.postgres:PostgresEngine",
    "postgres": "indexer.engines.postgres:PostgresEngine",
}
DEFAULT_ENGINE = "indexer.engines.whoosh:WhooshEngine"


def engine_class(location: str | Path) -> type[Engine]:
    """The engine class for a location: by URL scheme, else the embedded engine for a folder."""
    text = str(location)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    target = SCHEMES.get(scheme) if scheme else DEFAULT_ENGINE
    if target is None:
        raise EngineError(f"{text}: unknown index location (a folder, or a postgresql:// URL)")
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EngineError(f"{text}: the engine for this location is not available ({exc})") from exc
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Engine)):
        raise EngineError(f"{text}: this engine does not implement the engine interface yet")
    return cls


def open_engine(location: str | Path, create: bool = False) -> Engine:
    """Open the index at ``location``; with ``create`` an empty one is made when there is none."""
    cls = engine_class(location)
    return cls.open_or_create(str(location)) if create else cls.open(str(location))


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


def redact(text: str) -> str:
    """A database URL, or a message that holds one, without its password, for printing."""
    return re.sub(r"(://[^:/@\s]+):[^@\s]*@", r"\1:***@", text)


__all__ = ["Engine", "EngineError", "engine_class", "is_url", "open_engine", "redact"]
