"""The SQLite store: schema, seeding and change tracking, without gRPC."""

import sqlite3

import pytest

from hr_connector.store import Department, Employee, HrStore, StoreError, Tombstone


def test_a_missing_database_is_not_created_unless_asked(db_path):
    with pytest.raises(StoreError, match="does not exist"):
        HrStore.open(db_path)
    assert not db_path.exists()
    HrStore.open(db_path, create=True).close()
    assert db_path.exists()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not an HR database"):
        HrStore.open(bogus)


def test_seeding_is_deterministic_and_happens_once(tmp_path):
    first = HrStore.open(tmp_path / "a.db", create=True)
    second = HrStore.open(tmp_path / "b.db", create=True)
    assert first.seed(60) == 60
    assert first.seed(60) == 0
    second.seed(60)
    rows_a, more = first.full_page((-1, 0), 1000)
    rows_b, _ = second.full_page((-1, 0), 1000)
    assert not more
    assert rows_a == rows_b
    employees = [r for r in rows_a if isinstance(r, Employee)]
    assert len(employees) == 60
    assert all(e.email and "@" in e.email for e in employees)
    assert any(e.manager_dn for e in employees)
    assert {type(r) for r in rows_a} == {Department, Employee}


def test_every_write_bumps_the_counter_and_deletes_leave_tombstones(db_path):
    store = HrStore.open(db_path, create=True)
    start = store.counter()
    [ada] = store.add_employees([{"display_name": "Ada", "email": "ada@example.com"}])
    after_add = store.counter()
    assert after_add > start
    # Another application writes directly: the triggers still track it.
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE employees SET title = 'CTO' WHERE employee_id = ?", (ada,))
    raw.commit()
    raw.close()
    assert store.counter() > after_add
    changes, more = store.delta_page(start, start, store.counter(), 10)
    assert not more
    assert [c.employee_id for c in changes] == [ada]
    store.delete("employee", ada)
    changes, _ = store.delta_page(after_add, after_add, store.counter(), 10)
    assert changes == [Tombstone("employee", ada, f"CN={ada}", store.counter())]
    # A delta that started before the employee existed never saw it: no delete either.
    changes, _ = store.delta_page(start, start, store.counter(), 10)
    assert changes == []


def test_paging_is_exact(db_path):
    store = HrStore.open(db_path, create=True)
    store.seed(30)
    seen, cursor, more = [], (-1, 0), True
    while more:
        rows, more = store.full_page(cursor, 7)
        assert len(rows) <= 7
        seen += rows
        last = rows[-1]
        cursor = (1, last.employee_id) if isinstance(last, Employee) else (0, last.dept_id)
    assert len(seen) == len({(type(r), r.dn) for r in seen}) == 30 + 2
