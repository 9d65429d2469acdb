"""The HR connector's configuration: the Connectivity page and its validation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ecma2 import ConfigParameterDefinition, ConfigParameterPage, ConfigParameters
from ecma2 import ParameterValidationResult as Result

DATABASE = "Database path"
CREATE = "Create if missing"
SEED = "Seed employees"

MAX_SEED = 1_000_000


def definitions(page: ConfigParameterPage) -> list[ConfigParameterDefinition]:
    """The elements of one page (only Connectivity has any)."""
    if page is not ConfigParameterPage.CONNECTIVITY:
        return []
    return [
        ConfigParameterDefinition.label("The HR database is a SQLite file on the connector host."),
        ConfigParameterDefinition.string(DATABASE),
        ConfigParameterDefinition.check_box(CREATE, default=False),
        ConfigParameterDefinition.divider(),
        ConfigParameterDefinition.label("Generate employees into a new database (tests, demos)."),
        ConfigParameterDefinition.string(SEED, validation=r"^\d*$", default="0"),
    ]


def seed_count(config: ConfigParameters) -> int:
    """The number of employees to seed (0 when unset)."""
    raw = (config.value(SEED) or "0").strip()
    return int(raw) if raw.isdigit() else 0


def validate(config: ConfigParameters, page: ConfigParameterPage) -> Result:
    """Validates one page; only Connectivity has parameters."""
    if page is not ConfigParameterPage.CONNECTIVITY:
        return Result.success()
    raw_path = (config.value(DATABASE) or "").strip()
    if not raw_path:
        return Result.failure("Enter the path of the HR database file.", DATABASE)
    path = Path(raw_path)
    if not path.is_absolute():
        return Result.failure(f"The database path must be absolute: {raw_path}", DATABASE)
    if path.is_dir():
        return Result.failure(f"{raw_path} is a directory, not a database file.", DATABASE)
    if not path.exists():
        if not config.flag(CREATE):
            return Result.failure(
                f"{raw_path} does not exist. Check '{CREATE}' to create it.", DATABASE
            )
        if not path.parent.is_dir():
            return Result.failure(f"The folder {path.parent} does not exist.", DATABASE)
    else:
        problem = _not_sqlite(path)
        if problem:
            return Result.failure(f"{raw_path} is not a SQLite database: {problem}", DATABASE)
    seed = (config.value(SEED) or "0").strip()
    if not seed.isdigit() or int(seed) > MAX_SEED:
        return Result.failure(f"Seed employees must be a number from 0 to {MAX_SEED}.", SEED)
    return Result.success()


def _not_sqlite(path: Path) -> str:
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        return str(error)
    return ""
