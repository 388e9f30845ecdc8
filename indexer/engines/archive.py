"""A content-addressed folder of open attachment files, for engines that keep files on disk.

Layout: ``<root>/ab/<sha256>.<ext>``. Several web servers can share it when the
folder is on a shared file system; an engine may store files elsewhere instead
(its own ``Archive``).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import BinaryIO

from indexer.attachments import file_hash
from indexer.engines.base import Archive


class FolderArchive(Archive):
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def name_of(source: Path) -> str:
        """The name ``store`` gives this file (content hash and extension), without storing it:
        an ingest that must not archive a document still has to know the name it would have had."""
        source = Path(source)
        suffix = source.suffix.lower()
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
            suffix = ""
        return f"{file_hash(source)}{suffix}"

    def store(self, source: Path) -> tuple[str, bool]:
        source = Path(source)
        name = self.name_of(source)
        target = self.root / name[:2] / name
        if target.exists():
            return name, False
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        return name, True

    def local_path(self, name: str) -> Path | None:
        if not self.NAME.fullmatch(name or ""):
            return None
        path = self.root / name[:2] / name
        return path if path.is_file() else None

    def open(self, name: str) -> BinaryIO | None:
        path = self.local_path(name)
        return path.open("rb") if path is not None else None
