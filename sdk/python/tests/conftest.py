"""Fixtures: the recorder connector as a real process, and what it recorded."""

import pytest
from support.harness import Records, recorder_process


@pytest.fixture
def records(tmp_path):
    return Records(tmp_path / "records.jsonl")


@pytest.fixture
def recorder():
    with recorder_process() as proc:
        yield proc
