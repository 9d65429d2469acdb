"""Fixtures: the recorder connector as a real process, and what it recorded."""

import json
import sys
from pathlib import Path

import pytest

from ecma2.testing import ConnectorProcess

RECORDER = Path(__file__).resolve().parent / "support" / "recorder.py"


def recorder_process(**kwargs):
    return ConnectorProcess([sys.executable, str(RECORDER)], name="rec", **kwargs)


class Records:
    """The JSON lines the recorder connector appended."""

    def __init__(self, path: Path):
        self.path = path

    def all(self):
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]

    def events(self, event, **match):
        return [
            r
            for r in self.all()
            if r["event"] == event and all(r.get(k) == v for k, v in match.items())
        ]


@pytest.fixture
def records(tmp_path):
    return Records(tmp_path / "records.jsonl")


@pytest.fixture
def recorder():
    with recorder_process() as proc:
        yield proc
