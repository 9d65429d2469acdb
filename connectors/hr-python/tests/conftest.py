"""Fixtures: an HR database per test, and the connector as a real process."""

import sys

import pytest

from ecma2.testing import ConnectorProcess


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "hr.db"


@pytest.fixture
def config(db_path):
    """Connectivity parameters for a new database seeded with 150 employees."""
    return {"Database path": str(db_path), "Create if missing": "1", "Seed employees": "150"}


@pytest.fixture
def hr():
    with ConnectorProcess([sys.executable, "-m", "hr_connector"], name="hr") as proc:
        yield proc
