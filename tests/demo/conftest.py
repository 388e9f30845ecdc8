"""The demo as a newcomer gets it: `minutes demo --no-serve` run in an empty folder, over data/."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import REPO


@dataclass
class Demo:
    folder: Path  # the newcomer's working folder: the demo index is var/demo-index in it
    index: Path
    output: str  # what `minutes demo --no-serve` printed
    errors: str  # and on standard error
    env: dict[str, str]

    def minutes(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "indexer.cli", *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("newcomer")
    env = {k: v for k, v in os.environ.items() if k != "MINUTES_INDEX"}
    env["XDG_DATA_HOME"] = str(folder / "xdg")  # no default index: as on a fresh machine
    env["PYTHONPATH"] = str(REPO)
    demo = Demo(folder, folder / "var" / "demo-index", "", "", env)
    done = demo.minutes("demo", "--no-serve")
    assert done.returncode == 0, done.stderr[-2000:]
    demo.output = done.stdout
    demo.errors = done.stderr
    return demo


@pytest.fixture(scope="session")
def demo_app(demo: Demo) -> Flask:
    from webui import create_app

    return create_app({"INDEX_DIR": str(demo.index), "TESTING": True})
