"""The HR system: employees and departments in a SQLite file, with change tracking.

Every write bumps one global change counter (``change_counter``); triggers stamp the row with it
(``rowversion``, plus ``created_rv`` on insert) and record deletes in ``tombstones``. So any
writer, this connector or another application, is tracked, and a delta import is "everything
whose rowversion is above the watermark", where the watermark is the highest counter seen.

Each row keeps its distinguished name (``dn``, Generic style ``CN=<id>`` unless the engine
provisioned another) so that references resolve by DN and renames are possible.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ObjectKind = Literal["department", "employee"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO change_counter (id, value) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS departments (
    dept_id INTEGER PRIMARY KEY AUTOINCREMENT,
    dn TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    rowversion INTEGER NOT NULL DEFAULT 0,
    created_rv INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS employees (
    employee_id INTEGER PRIMARY KEY AUTOINCREMENT,
    dn TEXT NOT NULL UNIQUE,
    display_name TEXT,
    email TEXT UNIQUE,
    title TEXT,
    department_id INTEGER REFERENCES departments (dept_id) ON DELETE SET NULL,
    manager_id INTEGER REFERENCES employees (employee_id) ON DELETE SET NULL,
    active INTEGER NOT NULL DEFAULT 1,
    photo BLOB,
    rowversion INTEGER NOT NULL DEFAULT 0,
    created_rv INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS employees_rowversion ON employees (rowversion);
CREATE INDEX IF NOT EXISTS departments_rowversion ON departments (rowversion);
CREATE TABLE IF NOT EXISTS tombstones (
    object_type TEXT NOT NULL,
    anchor INTEGER NOT NULL,
    dn TEXT NOT NULL,
    created_rv INTEGER NOT NULL,
    rowversion INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tombstones_rowversion ON tombstones (rowversion);
"""

_COUNTER = "(SELECT value FROM change_counter WHERE id = 1)"


def _triggers(table: str, key: str, kind: str, columns: str) -> str:
    return f"""
CREATE TRIGGER IF NOT EXISTS {table}_insert AFTER INSERT ON {table} BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    UPDATE {table} SET rowversion = {_COUNTER}, created_rv = {_COUNTER}
        WHERE {key} = NEW.{key};
END;
CREATE TRIGGER IF NOT EXISTS {table}_update AFTER UPDATE OF {columns} ON {table} BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    UPDATE {table} SET rowversion = {_COUNTER} WHERE {key} = NEW.{key};
END;
CREATE TRIGGER IF NOT EXISTS {table}_delete AFTER DELETE ON {table} BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    INSERT INTO tombstones (object_type, anchor, dn, created_rv, rowversion)
        VALUES ('{kind}', OLD.{key}, OLD.dn, OLD.created_rv, {_COUNTER});
END;
"""


_TRIGGERS = _triggers("departments", "dept_id", "department", "dn, name") + _triggers(
    "employees",
    "employee_id",
    "employee",
    "dn, display_name, email, title, department_id, manager_id, active, photo",
)

EMPLOYEE_COLUMNS = (
    "display_name",
    "email",
    "title",
    "department_id",
    "manager_id",
    "active",
    "photo",
)

_FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim"]
_LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
_TITLES = ["Engineer", "Senior Engineer", "Manager", "Analyst", "Director", "Designer"]
_DEPARTMENTS = ["Engineering", "Finance", "People", "Sales", "Support", "Research", "Legal"]


# Rows are plain slotted dataclasses: a frozen dataclass's __init__ costs several times more, and
# a full import makes one per object.
@dataclass(slots=True)
class Department:
    """One row of ``departments``."""

    dept_id: int
    dn: str
    name: str
    rowversion: int
    created_rv: int


@dataclass(slots=True)
class Employee:
    """One row of ``employees``, with the DNs its references point to."""

    employee_id: int
    dn: str
    display_name: str | None
    email: str | None
    title: str | None
    department_dn: str | None
    manager_dn: str | None
    active: bool
    photo: bytes | None
    rowversion: int
    created_rv: int


@dataclass(slots=True)
class Tombstone:
    """A deleted object, as delta import reports it."""

    kind: ObjectKind
    anchor: int
    dn: str
    rowversion: int


Row = Department | Employee | Tombstone


class StoreError(Exception):
    """The database cannot be opened as an HR database."""


class HrStore:
    """A connection to the HR database."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False) -> HrStore:
        """Opens (or, with ``create``, creates) the database and its schema."""
        path = Path(path)
        if not path.exists() and not create:
            raise StoreError(f"database {path} does not exist")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.executescript(_SCHEMA + _TRIGGERS)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path} is not an HR database: {error}") from error
        return cls(db)

    def close(self) -> None:
        """Closes the connection."""
        self.db.close()

    def counter(self) -> int:
        """The current change counter: the watermark of everything written so far."""
        row = self.db.execute("SELECT value FROM change_counter WHERE id = 1").fetchone()
        return int(row[0])

    # -- seeding ----------------------------------------------------------------------------

    def seed(self, employees: int) -> int:
        """Generates ``employees`` employees (and a few departments) once per database.

        Deterministic, so tests and benchmarks see the same data. Returns how many it added.
        """
        if employees <= 0:
            return 0
        with self.transaction():
            done = self.db.execute("SELECT value FROM meta WHERE key = 'seeded'").fetchone()
            if done is not None:
                return 0
            rng = random.Random(20261122)
            departments = []
            for name in _DEPARTMENTS[: max(1, min(len(_DEPARTMENTS), employees // 25 + 1))]:
                cursor = self.db.execute(
                    "INSERT INTO departments (dn, name) VALUES (?, ?)", (f"CN=~{name}", name)
                )
                dept_id = int(cursor.lastrowid or 0)
                self.db.execute(
                    "UPDATE departments SET dn = ? WHERE dept_id = ?", (f"CN=D{dept_id}", dept_id)
                )
                departments.append(dept_id)
            first_id = self._next_id("employees")
            rows = []
            for n in range(employees):
                employee_id = first_id + n
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                manager = rng.randrange(first_id, employee_id) if n >= 5 else None
                rows.append(
                    (
                        employee_id,
                        f"CN={employee_id}",
                        f"{first} {last}",
                        f"{first}.{last}.{employee_id}@example.com".lower(),
                        rng.choice(_TITLES),
                        rng.choice(departments),
                        manager,
                        1 if rng.random() > 0.05 else 0,
                    )
                )
            self.db.executemany(
                "INSERT INTO employees (employee_id, dn, display_name, email, title, "
                "department_id, manager_id, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self.db.execute("INSERT INTO meta (key, value) VALUES ('seeded', ?)", (str(employees),))
        return employees

    def _next_id(self, table: str) -> int:
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        return (int(row[0]) if row else 0) + 1

    # -- transactions -----------------------------------------------------------------------

    def transaction(self) -> _Transaction:
        """``with store.transaction():`` — one atomic write."""
        return _Transaction(self.db, "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")

    def savepoint(self) -> _Transaction:
        """``with store.savepoint():`` — a nested unit that rolls back alone."""
        return _Transaction(
            self.db, "SAVEPOINT entry", "RELEASE entry", "ROLLBACK TO entry; RELEASE entry"
        )

    # -- reading ----------------------------------------------------------------------------

    _EMPLOYEE_SELECT = """
        SELECT e.employee_id, e.dn, e.display_name, e.email, e.title, d.dn, m.dn, e.active,
               e.photo, e.rowversion, e.created_rv
        FROM employees e
        LEFT JOIN departments d ON d.dept_id = e.department_id
        LEFT JOIN employees m ON m.employee_id = e.manager_id
    """

    def employees(self, ids: Sequence[int]) -> dict[int, Employee]:
        """Employees by id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"{self._EMPLOYEE_SELECT} WHERE e.employee_id IN ({marks})",
            list(ids),
        )
        return {r[0]: _employee(r) for r in rows}

    def departments(self, ids: Sequence[int]) -> dict[int, Department]:
        """Departments by id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"{self._DEPARTMENT_SELECT} WHERE dept_id IN ({marks})",
            list(ids),
        )
        return {r[0]: Department(*r) for r in rows}

    _DEPARTMENT_SELECT = "SELECT dept_id, dn, name, rowversion, created_rv FROM departments"

    def full_page(
        self, after: tuple[int, int], limit: int
    ) -> tuple[list[Department | Employee], bool]:
        """Objects after the ``(kind, id)`` cursor (departments first), and whether more follow.

        ``kind`` is 0 for departments and 1 for employees (-1: from the start). Each kind is
        read in primary-key order from where the cursor left it (a keyset page: an index seek,
        never a scan of the rows before it).
        """
        kind, last = after
        rows: list[Department | Employee] = []
        if kind <= 0:
            rows.extend(
                Department(*r)
                for r in self.db.execute(
                    f"{self._DEPARTMENT_SELECT} WHERE dept_id > ? ORDER BY dept_id LIMIT ?",
                    (last if kind == 0 else _BEFORE_ANY, limit + 1),
                )
            )
        if len(rows) <= limit:
            rows.extend(
                map(
                    _employee,
                    self.db.execute(
                        f"{self._EMPLOYEE_SELECT} WHERE e.employee_id > ? "
                        "ORDER BY e.employee_id LIMIT ?",
                        (last if kind == 1 else _BEFORE_ANY, limit + 1 - len(rows)),
                    ),
                )
            )
        more = len(rows) > limit
        return rows[:limit], more

    def delta_page(self, since: int, after: int, upto: int, limit: int) -> tuple[list[Row], bool]:
        """Changes with ``after < rowversion <= upto``, oldest first, and whether more follow.

        ``since`` is the watermark the run started from: a tombstone of an object created after
        it is skipped, since the engine never saw that object.
        """
        keys = self.db.execute(
            "SELECT kind, id, rowversion FROM ("
            " SELECT 'department' AS kind, dept_id AS id, rowversion FROM departments"
            " UNION ALL SELECT 'employee', employee_id, rowversion FROM employees"
            " UNION ALL SELECT 'tombstone', rowid, rowversion FROM tombstones"
            "  WHERE created_rv <= ?)"
            " WHERE rowversion > ? AND rowversion <= ? ORDER BY rowversion LIMIT ?",
            (since, after, upto, limit + 1),
        ).fetchall()
        more = len(keys) > limit
        keys = keys[:limit]
        departments = self.departments([k[1] for k in keys if k[0] == "department"])
        employees = self.employees([k[1] for k in keys if k[0] == "employee"])
        tombstones = self._tombstones([k[1] for k in keys if k[0] == "tombstone"])
        found = {"department": departments, "employee": employees, "tombstone": tombstones}
        rows: list[Row] = [found[kind][i] for kind, i, _ in keys]  # type: ignore[index]
        return rows, more

    def _tombstones(self, rowids: Sequence[int]) -> dict[int, Tombstone]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(
            "SELECT rowid, object_type, anchor, dn, rowversion FROM tombstones "
            f"WHERE rowid IN ({marks})",
            list(rowids),
        )
        return {r[0]: Tombstone(r[1], r[2], r[3], r[4]) for r in rows}

    # -- writing ----------------------------------------------------------------------------

    def find(self, kind: ObjectKind, *, anchor: int | None = None, dn: str = "") -> int | None:
        """The id of an object by anchor, else by DN."""
        table, key = _table(kind)
        if anchor is not None:
            row = self.db.execute(
                f"SELECT {key} FROM {table} WHERE {key} = ?",
                (anchor,),
            ).fetchone()
        elif dn:
            row = self.db.execute(
                f"SELECT {key} FROM {table} WHERE dn = ?",
                (dn,),
            ).fetchone()
        else:
            return None
        return None if row is None else int(row[0])

    def dn_taken(self, dn: str) -> bool:
        """Whether any object (of either kind) has this DN; DNs are unique per connector."""
        return bool(
            self.db.execute(
                "SELECT 1 FROM departments WHERE dn = ? UNION ALL "
                "SELECT 1 FROM employees WHERE dn = ?",
                (dn, dn),
            ).fetchone()
        )

    def insert(self, kind: ObjectKind, dn: str, values: dict[str, object]) -> int:
        """Adds an object; an empty DN becomes ``CN=<id>``. Returns the assigned id."""
        table, key = _table(kind)
        placeholder = dn or f"CN=~pending-{random.getrandbits(64):x}"
        columns = ["dn", *values]
        cursor = self.db.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [placeholder, *values.values()],
        )
        new_id = int(cursor.lastrowid or 0)
        if not dn:
            self.db.execute(
                f"UPDATE {table} SET dn = ? WHERE {key} = ?",
                (f"CN={new_id}", new_id),
            )
        return new_id

    def update(self, kind: ObjectKind, object_id: int, values: dict[str, object]) -> None:
        """Sets columns of one object."""
        if not values:
            return
        table, key = _table(kind)
        assignments = ", ".join(f"{column} = ?" for column in values)
        self.db.execute(
            f"UPDATE {table} SET {assignments} WHERE {key} = ?",
            [*values.values(), object_id],
        )

    def delete(self, kind: ObjectKind, object_id: int) -> None:
        """Removes one object (a tombstone records it)."""
        table, key = _table(kind)
        self.db.execute(f"DELETE FROM {table} WHERE {key} = ?", (object_id,))

    def add_employees(self, rows: Iterable[dict[str, object]]) -> list[int]:
        """Inserts employees directly, as another HR application would (tests)."""
        with self.transaction():
            return [self.insert("employee", str(row.pop("dn", "")), dict(row)) for row in rows]


_BEFORE_ANY = -(2**63)
"""A cursor id below every row id."""


def _employee(r: tuple[Any, ...]) -> Employee:
    return Employee(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9], r[10])


def _table(kind: ObjectKind) -> tuple[str, str]:
    return ("employees", "employee_id") if kind == "employee" else ("departments", "dept_id")


class _Transaction:
    def __init__(self, db: sqlite3.Connection, begin: str, commit: str, rollback: str) -> None:
        self.db, self.begin, self.commit, self.rollback = db, begin, commit, rollback

    def __enter__(self) -> None:
        self.db.execute(self.begin)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        # Plain execute() per statement: executescript() would COMMIT the outer transaction.
        for statement in (self.commit if exc_type is None else self.rollback).split(";"):
            if statement.strip():
                self.db.execute(statement)
