"""Helpers of the lifecycle tests: the recorder connector process and its records."""

import json
import sys
from pathlib import Path

from ecma2.testing import ConnectorProcess

RECORDER = Path(__file__).resolve().parent / "recorder.py"


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
