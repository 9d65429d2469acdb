//! The SQLite store behind the demo directory: the tables, the change journal (written by
//! triggers, so every change is journaled whoever makes it, export included), first-use creation
//! with seed data, fast generation of N synthetic users, and the queries import and export share.
//!
//! SQLite calls block, so every use of a connection runs on tokio's blocking pool through
//! [`Store::run`]; the async runtime threads never wait on the database.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tracing::info;

use crate::dn::{Dn, PARTITIONS};
use crate::schema::{self, Column};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database file could not be opened.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The session has no open connection (open failed or a previous call panicked).
    #[error("the session has no open database connection")]
    NotOpen,
    /// The call was cancelled while the store was working.
    #[error("the call was cancelled")]
    Cancelled,
    /// A watermark this database did not issue.
    #[error("{0}")]
    Watermark(String),
}

impl From<StoreError> for ecma2_sdk::Error {
    fn from(err: StoreError) -> Self {
        use rusqlite::ErrorCode;
        match &err {
            StoreError::Open { .. } => ecma2_sdk::Error::server_down(err.to_string()),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
            {
                ecma2_sdk::Error::failed_connection(err.to_string())
            }
            StoreError::NotOpen => ecma2_sdk::Error::dropped_connection(err.to_string()),
            StoreError::Cancelled => ecma2_sdk::Error::terminate_run(err.to_string()),
            StoreError::Watermark(_) => ecma2_sdk::Error::warning_no_watermark(err.to_string()),
            StoreError::Sqlite(_) => ecma2_sdk::Error::other(err),
        }
    }
}

/// Runs blocking work on tokio's blocking pool, in the caller's span; a panic in it continues in
/// the caller.
pub async fn blocking<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let span = tracing::Span::current();
    match tokio::task::spawn_blocking(move || span.in_scope(f)).await {
        Ok(value) => value,
        Err(join) => match join.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(join) => panic!("blocking database task failed: {join}"),
        },
    }
}

/// One session's connection to the database file.
#[derive(Debug)]
pub struct Store {
    conn: Option<Connection>,
}

impl Store {
    /// Opens (creating and seeding on first use) the database at `path`, then makes sure at
    /// least `seed_users` generated users exist. Seeding stops, and rolls back, once
    /// `cancelled` says so.
    pub async fn open(
        path: PathBuf,
        seed_users: u64,
        cancelled: impl Fn() -> bool + Send + 'static,
    ) -> Result<Store, StoreError> {
        blocking(move || {
            let mut conn = Connection::open(&path).map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
            prepare(&mut conn, &path, seed_users, &cancelled)?;
            Ok(Store { conn: Some(conn) })
        })
        .await
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn run<R: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let mut conn = self.conn.take().ok_or(StoreError::NotOpen)?;
        let (conn, result) = blocking(move || {
            let result = f(&mut conn);
            (conn, result)
        })
        .await;
        self.conn = Some(conn);
        result
    }
}

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY,
    object_type TEXT NOT NULL,
    dn TEXT NOT NULL COLLATE NOCASE UNIQUE,
    parent_dn TEXT NOT NULL COLLATE NOCASE,
    partition TEXT NOT NULL COLLATE NOCASE,
    rdn TEXT NOT NULL,
    display_name TEXT,
    mail TEXT COLLATE NOCASE,
    employee_number INTEGER,
    enabled INTEGER,
    photo BLOB,
    manager_id TEXT,
    title TEXT,
    description TEXT,
    locked INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    password_salt BLOB,
    password_hash BLOB,
    bad TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_mail ON objects(mail) WHERE mail IS NOT NULL;
CREATE INDEX IF NOT EXISTS objects_parent ON objects(parent_dn);
CREATE INDEX IF NOT EXISTS objects_manager ON objects(manager_id);
CREATE TABLE IF NOT EXISTS members (
    group_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_member ON members(member_id);
-- Append-only: rows are never deleted, so plain rowids only grow (no AUTOINCREMENT needed).
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY,
    object_id TEXT NOT NULL,
    object_type TEXT NOT NULL,
    op TEXT NOT NULL,
    dn TEXT NOT NULL,
    partition TEXT NOT NULL,
    attrs TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS objects_journal_insert AFTER INSERT ON objects BEGIN
    INSERT INTO changes (object_id, object_type, op, dn, partition)
    VALUES (new.id, new.object_type, 'add', new.dn, new.partition);
END;
CREATE TRIGGER IF NOT EXISTS objects_journal_delete AFTER DELETE ON objects BEGIN
    INSERT INTO changes (object_id, object_type, op, dn, partition)
    VALUES (old.id, old.object_type, 'delete', old.dn, old.partition);
END;
CREATE TRIGGER IF NOT EXISTS members_journal_insert AFTER INSERT ON members BEGIN
    INSERT INTO changes (object_id, object_type, op, dn, partition, attrs)
    SELECT id, object_type, 'update', dn, partition, 'members' FROM objects WHERE id = new.group_id;
END;
CREATE TRIGGER IF NOT EXISTS members_journal_delete AFTER DELETE ON members BEGIN
    INSERT INTO changes (object_id, object_type, op, dn, partition, attrs)
    SELECT id, object_type, 'update', dn, partition, 'members' FROM objects WHERE id = old.group_id;
END;
";

/// The update trigger: journals which visible columns changed (`dn`, `bad` and every attribute
/// column), and nothing for password-only changes.
fn update_trigger() -> String {
    let watched: Vec<&str> = ["dn", "bad"]
        .into_iter()
        .chain(Column::OBJECT_COLUMNS.iter().map(|c| c.sql()))
        .collect();
    let when = watched
        .iter()
        .map(|c| format!("old.{c} IS NOT new.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let attrs = watched
        .iter()
        .map(|c| format!("CASE WHEN old.{c} IS NOT new.{c} THEN '{c},' ELSE '' END"))
        .collect::<Vec<_>>()
        .join(" || ");
    format!(
        "CREATE TRIGGER IF NOT EXISTS objects_journal_update AFTER UPDATE ON objects WHEN {when} BEGIN
            INSERT INTO changes (object_id, object_type, op, dn, partition, attrs)
            VALUES (new.id, new.object_type, 'update', new.dn, new.partition, {attrs});
        END;"
    )
}

fn prepare(
    conn: &mut Connection,
    path: &Path,
    seed_users: u64,
    cancelled: &dyn Fn() -> bool,
) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(30))?;
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA synchronous=NORMAL;")?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(TABLES)?;
    tx.execute_batch(&update_trigger())?;
    let instance: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'instance'", [], |r| r.get(0))
        .optional()?;
    if instance.is_none() {
        let id = uuid::Uuid::new_v4().to_string();
        tx.execute("INSERT INTO meta (key, value) VALUES ('instance', ?1)", [&id])?;
        seed_fixed(&tx)?;
        info!(path = %path.display(), instance = %id, "database created and seeded");
    }
    let generated: u64 = tx
        .query_row("SELECT value FROM meta WHERE key = 'generated_users'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if seed_users > generated {
        let started = std::time::SystemTime::now();
        seed_generated(&tx, generated, seed_users, cancelled)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('generated_users', ?1)",
            [seed_users.to_string()],
        )?;
        let ms = started.elapsed().map(|d| d.as_millis()).unwrap_or_default();
        info!(from = generated, to = seed_users, ms, "generated users seeded");
    }
    tx.commit()?;
    Ok(())
}

/// A column value for [`insert_object`] and [`update_object`].
pub type Columns = BTreeMap<Column, Value>;

/// Inserts an object at `dn` (its RDN value becomes `cn`/`ou`).
pub fn insert_object(
    conn: &Connection,
    id: &str,
    object_type: &str,
    dn: &Dn,
    columns: &Columns,
) -> rusqlite::Result<()> {
    let partition = dn.partition().map(|p| p.dn).unwrap_or_default();
    let parent = dn.parent().map(|p| p.to_string()).unwrap_or_default();
    let mut names = vec!["id", "object_type", "dn", "parent_dn", "partition", "rdn"];
    let mut values: Vec<Value> = vec![
        id.to_owned().into(),
        object_type.to_owned().into(),
        dn.to_string().into(),
        parent.into(),
        partition.to_owned().into(),
        dn.rdn().value().into(),
    ];
    for (column, value) in columns {
        if matches!(column, Column::Rdn | Column::Members) {
            continue;
        }
        names.push(column.sql());
        values.push(value.clone());
    }
    let sql = format!(
        "INSERT INTO objects ({}) VALUES ({})",
        names.join(", "),
        vec!["?"; names.len()].join(", ")
    );
    conn.execute(&sql, rusqlite::params_from_iter(values))?;
    Ok(())
}

/// Sets columns of object `id` in one statement (so the journal gets one row).
pub fn update_object(conn: &Connection, id: &str, columns: &Columns) -> rusqlite::Result<()> {
    let columns: Vec<(&Column, &Value)> = columns.iter().filter(|(c, _)| !matches!(c, Column::Members)).collect();
    if columns.is_empty() {
        return Ok(());
    }
    let sets: Vec<String> = columns.iter().map(|(c, _)| format!("{} = ?", c.sql())).collect();
    let sql = format!("UPDATE objects SET {} WHERE id = ?", sets.join(", "));
    let values = columns
        .into_iter()
        .map(|(_, v)| v.clone())
        .chain([Value::Text(id.to_owned())]);
    conn.execute(&sql, rusqlite::params_from_iter(values))?;
    Ok(())
}

/// Moves object `id` to `dn` (a rename): DN, parent, partition and naming value change together.
pub fn move_object(conn: &Connection, id: &str, dn: &Dn) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE objects SET dn = ?1, parent_dn = ?2, partition = ?3, rdn = ?4 WHERE id = ?5",
        params![
            dn.to_string(),
            dn.parent().map(|p| p.to_string()).unwrap_or_default(),
            dn.partition().map(|p| p.dn).unwrap_or_default(),
            dn.rdn().value(),
            id
        ],
    )?;
    Ok(())
}

/// The id of the object at `dn` (case-insensitive; `dn` in normal form).
pub fn id_by_dn(conn: &Connection, dn: &str) -> rusqlite::Result<Option<(String, String)>> {
    conn.prepare_cached("SELECT id, object_type FROM objects WHERE dn = ?1")?
        .query_row([dn], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// One object as import sees it: every attribute column, references resolved to DNs.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectRow {
    /// Position in the table (full import pages by it).
    pub rowid: i64,
    /// The anchor.
    pub id: String,
    /// The object type.
    pub object_type: String,
    /// The DN in normal form.
    pub dn: String,
    /// `cn` or `ou`.
    pub rdn: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `mail`.
    pub mail: Option<String>,
    /// `employeeNumber`.
    pub employee_number: Option<i64>,
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `photo`.
    pub photo: Option<Vec<u8>>,
    /// `manager`, as the manager's DN.
    pub manager_dn: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `lockedOut`.
    pub locked: bool,
    /// `mustChangePassword`.
    pub must_change: bool,
    /// Set when the row is flagged bad: import reports it as an object-level error.
    pub bad: Option<String>,
    /// `member`, as DNs (groups only).
    pub members: Vec<String>,
}

const SELECT_ROW: &str = "SELECT o.rowid, o.id, o.object_type, o.dn, o.rdn, o.display_name, \
    o.mail, o.employee_number, o.enabled, o.photo, m.dn, o.title, o.description, o.locked, \
    o.must_change_password, o.bad FROM objects o LEFT JOIN objects m ON m.id = o.manager_id";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ObjectRow> {
    Ok(ObjectRow {
        rowid: r.get(0)?,
        id: r.get(1)?,
        object_type: r.get(2)?,
        dn: r.get(3)?,
        rdn: r.get(4)?,
        display_name: r.get(5)?,
        mail: r.get(6)?,
        employee_number: r.get(7)?,
        enabled: r.get(8)?,
        photo: r.get(9)?,
        manager_dn: r.get(10)?,
        title: r.get(11)?,
        description: r.get(12)?,
        locked: r.get(13)?,
        must_change: r.get(14)?,
        bad: r.get(15)?,
        members: Vec::new(),
    })
}

fn with_members(conn: &Connection, mut row: ObjectRow) -> rusqlite::Result<ObjectRow> {
    if row.object_type == schema::GROUP {
        row.members = members_of(conn, &row.id)?;
    }
    Ok(row)
}

/// The member DNs of group `id`, sorted.
pub fn members_of(conn: &Connection, id: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.dn FROM members mb JOIN objects o ON o.id = mb.member_id \
         WHERE mb.group_id = ?1 ORDER BY o.dn",
    )?;
    stmt.query_map([id], |r| r.get(0))?.collect()
}

/// Up to `limit` objects after `rowid`, in table order, optionally only of one partition.
pub fn rows_after(
    conn: &Connection,
    rowid: i64,
    partition: Option<&str>,
    limit: usize,
) -> rusqlite::Result<Vec<ObjectRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows: Vec<ObjectRow> = match partition {
        Some(p) => conn
            .prepare_cached(&format!(
                "{SELECT_ROW} WHERE o.rowid > ?1 AND o.partition = ?2 ORDER BY o.rowid LIMIT ?3"
            ))?
            .query_map(params![rowid, p, limit], read_row)?
            .collect::<rusqlite::Result<_>>()?,
        None => conn
            .prepare_cached(&format!("{SELECT_ROW} WHERE o.rowid > ?1 ORDER BY o.rowid LIMIT ?2"))?
            .query_map(params![rowid, limit], read_row)?
            .collect::<rusqlite::Result<_>>()?,
    };
    rows.into_iter().map(|r| with_members(conn, r)).collect()
}

/// The object with anchor `id`.
pub fn row_by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<ObjectRow>> {
    let row = conn
        .prepare_cached(&format!("{SELECT_ROW} WHERE o.id = ?1"))?
        .query_row([id], read_row)
        .optional()?;
    row.map(|r| with_members(conn, r)).transpose()
}

/// The object at `dn` (normal form, case-insensitive).
pub fn row_by_dn(conn: &Connection, dn: &str) -> rusqlite::Result<Option<ObjectRow>> {
    let row = conn
        .prepare_cached(&format!("{SELECT_ROW} WHERE o.dn = ?1"))?
        .query_row([dn], read_row)
        .optional()?;
    row.map(|r| with_members(conn, r)).transpose()
}

/// One row of the change journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    /// Position in the journal; the watermark is the last seq consumed.
    pub seq: i64,
    /// The object's anchor.
    pub object_id: String,
    /// The object's type.
    pub object_type: String,
    /// `add`, `update` or `delete`.
    pub op: String,
    /// The object's DN after the change (before it, for a delete).
    pub dn: String,
    /// The object's partition DN at that time.
    pub partition: String,
    /// For an update, the changed columns (see [`Column::sql`], plus `dn` and `bad`).
    pub attrs: Vec<String>,
}

/// Up to `limit` journal rows after `seq`.
pub fn journal_after(conn: &Connection, seq: i64, limit: usize) -> rusqlite::Result<Vec<JournalRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "SELECT seq, object_id, object_type, op, dn, partition, attrs FROM changes \
         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?
    .query_map(params![seq, limit], |r| {
        let attrs: String = r.get(6)?;
        Ok(JournalRow {
            seq: r.get(0)?,
            object_id: r.get(1)?,
            object_type: r.get(2)?,
            op: r.get(3)?,
            dn: r.get(4)?,
            partition: r.get(5)?,
            attrs: attrs.split(',').filter(|a| !a.is_empty()).map(str::to_owned).collect(),
        })
    })?
    .collect()
}

/// The last journal position (0 for an empty journal).
pub fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| r.get(0))
}

/// The random id this database file got when it was created; watermarks carry it.
pub fn instance(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row("SELECT value FROM meta WHERE key = 'instance'", [], |r| r.get(0))
}

/// The OUs directly below `parent` (normal form): `(dn, ou)`, sorted by DN.
pub fn child_ous(conn: &Connection, parent: &str) -> rusqlite::Result<Vec<(String, String)>> {
    conn.prepare_cached("SELECT dn, rdn FROM objects WHERE parent_dn = ?1 AND object_type = ?2 ORDER BY dn")?
        .query_map(params![parent, schema::OU], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

struct SeedUser<'a> {
    cn: &'a str,
    parent: &'a str,
    mail: &'a str,
    number: i64,
    enabled: bool,
    title: &'a str,
    manager: Option<&'a str>,
}

/// The fixed content of a new database: OUs in both partitions, a few people, two groups.
fn seed_fixed(conn: &Connection) -> rusqlite::Result<()> {
    let ous = [
        ("People", PARTITIONS[0].dn),
        ("Contractors", "OU=People,DC=demo,DC=example"),
        ("Groups", PARTITIONS[0].dn),
        ("Generated", PARTITIONS[0].dn),
        ("People", PARTITIONS[1].dn),
        ("Groups", PARTITIONS[1].dn),
    ];
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let add = |ids: &mut BTreeMap<String, String>, object_type: &str, dn: String, columns: Columns| {
        let id = uuid::Uuid::new_v4().to_string();
        let dn = Dn::parse(&dn).expect("seed DNs are valid");
        insert_object(conn, &id, object_type, &dn, &columns)?;
        ids.insert(dn.to_string(), id.clone());
        Ok::<String, rusqlite::Error>(id)
    };
    for (ou, parent) in ous {
        let columns = Columns::from([(Column::Description, Value::Text(format!("The {ou} container")))]);
        add(&mut ids, schema::OU, format!("OU={ou},{parent}"), columns)?;
    }
    let users = [
        SeedUser {
            cn: "Ada Lovelace",
            parent: "OU=People,DC=demo,DC=example",
            mail: "ada@demo.example",
            number: 1,
            enabled: true,
            title: "Analyst",
            manager: None,
        },
        SeedUser {
            cn: "Grace Hopper",
            parent: "OU=People,DC=demo,DC=example",
            mail: "grace@demo.example",
            number: 2,
            enabled: true,
            title: "Rear Admiral",
            manager: Some("CN=Ada Lovelace,OU=People,DC=demo,DC=example"),
        },
        SeedUser {
            cn: "Charles Babbage",
            parent: "OU=Contractors,OU=People,DC=demo,DC=example",
            mail: "charles@demo.example",
            number: 3,
            enabled: false,
            title: "Engineer",
            manager: Some("CN=Ada Lovelace,OU=People,DC=demo,DC=example"),
        },
        SeedUser {
            cn: "Alan Turing",
            parent: "OU=People,DC=lab,DC=example",
            mail: "alan@lab.example",
            number: 4,
            enabled: true,
            title: "Researcher",
            manager: None,
        },
    ];
    for u in users {
        let mut columns = Columns::from([
            (Column::DisplayName, Value::Text(u.cn.to_owned())),
            (Column::Mail, Value::Text(u.mail.to_owned())),
            (Column::EmployeeNumber, Value::Integer(u.number)),
            (Column::Enabled, Value::Integer(u.enabled.into())),
            (Column::Title, Value::Text(u.title.to_owned())),
            (Column::Photo, Value::Blob(u.cn.as_bytes().to_vec())),
        ]);
        if let Some(manager) = u.manager.and_then(|m| ids.get(m)) {
            columns.insert(Column::Manager, Value::Text(manager.clone()));
        }
        add(&mut ids, schema::USER, format!("CN={},{}", u.cn, u.parent), columns)?;
    }
    let groups = [
        (
            "CN=Engineers,OU=Groups,DC=demo,DC=example",
            "Everyone who builds things",
            &[
                "CN=Ada Lovelace,OU=People,DC=demo,DC=example",
                "CN=Grace Hopper,OU=People,DC=demo,DC=example",
            ][..],
        ),
        (
            "CN=Researchers,OU=Groups,DC=lab,DC=example",
            "Lab staff, across partitions",
            &[
                "CN=Alan Turing,OU=People,DC=lab,DC=example",
                "CN=Ada Lovelace,OU=People,DC=demo,DC=example",
            ][..],
        ),
    ];
    for (dn, description, members) in groups {
        let columns = Columns::from([(Column::Description, Value::Text(description.to_owned()))]);
        let group = add(&mut ids, schema::GROUP, dn.to_owned(), columns)?;
        for member in members {
            conn.execute(
                "INSERT INTO members (group_id, member_id) VALUES (?1, ?2)",
                params![group, ids[*member]],
            )?;
        }
    }
    Ok(())
}

/// The DN of generated user number `n` (1-based).
pub fn generated_dn(n: u64) -> String {
    format!("CN=user{n:07},OU=Generated,DC=demo,DC=example")
}

const TITLES: [&str; 5] = ["Engineer", "Analyst", "Manager", "Designer", "Operator"];

/// Adds generated users `from + 1 ..= to` under `OU=Generated` with prepared statements in the
/// caller's transaction: about ten attributes and 500 bytes each. Every hundredth user manages
/// the next 99.
fn seed_generated(conn: &Connection, from: u64, to: u64, cancelled: &dyn Fn() -> bool) -> Result<(), StoreError> {
    // Random UUID keys scatter index inserts over the whole B-tree: with SQLite's default 2 MB
    // page cache a million users spend most of their time re-reading index pages. The cache
    // only grows as needed and is put back afterwards.
    conn.execute_batch("PRAGMA cache_size = -524288")?;
    let seeded = seed_generated_rows(conn, from, to, cancelled);
    conn.execute_batch("PRAGMA cache_size = -2000")?;
    seeded
}

fn seed_generated_rows(conn: &Connection, from: u64, to: u64, cancelled: &dyn Fn() -> bool) -> Result<(), StoreError> {
    let mut insert = conn.prepare(
        "INSERT INTO objects (id, object_type, dn, parent_dn, partition, rdn, display_name, mail, \
         employee_number, enabled, photo, manager_id, title) \
         VALUES (?1, 'user', ?2, 'OU=Generated,DC=demo,DC=example', 'DC=demo,DC=example', ?3, \
         ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut manager: Option<String> = if from > 0 {
        let head = (from / 100) * 100 + 1;
        id_by_dn(conn, &generated_dn(head))?.map(|(id, _)| id)
    } else {
        None
    };
    let mut photo = vec![0u8; 256];
    for n in from + 1..=to {
        if n % 1000 == 0 && cancelled() {
            return Err(StoreError::Cancelled);
        }
        let id = uuid::Uuid::new_v4().to_string();
        let cn = format!("user{n:07}");
        for (i, b) in photo.iter_mut().enumerate() {
            *b = (n as usize).wrapping_mul(31).wrapping_add(i) as u8;
        }
        let is_head = n % 100 == 1;
        insert.execute(params![
            id,
            generated_dn(n),
            cn,
            format!("Generated User {n:07}"),
            format!("{cn}@demo.example"),
            1_000_000 + n as i64,
            n % 10 != 0,
            photo,
            if is_head { None } else { manager.as_deref() },
            TITLES[(n % 5) as usize],
        ])?;
        if is_head {
            manager = Some(id);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dir: &tempfile::TempDir, seed: u64) -> Connection {
        let path = dir.path().join("demo.db");
        let mut conn = Connection::open(&path).unwrap();
        prepare(&mut conn, &path, seed, &|| false).unwrap();
        conn
    }

    #[test]
    fn every_change_is_journaled_once_per_statement() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir, 0);
        let before = last_seq(&conn).unwrap();
        let ada = row_by_dn(&conn, "CN=Ada Lovelace,OU=People,DC=demo,DC=example")
            .unwrap()
            .unwrap();
        let columns = Columns::from([
            (Column::Title, Value::Text("Countess".into())),
            (Column::Mail, Value::Null),
        ]);
        update_object(&conn, &ada.id, &columns).unwrap();
        // A password-only change is not an attribute change and is not journaled.
        conn.execute("UPDATE objects SET password_hash = x'00' WHERE id = ?1", [&ada.id])
            .unwrap();
        let rows = journal_after(&conn, before, 10).unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].op, "update");
        assert_eq!(rows[0].attrs, ["mail", "title"]);
    }

    #[test]
    fn generated_users_are_added_incrementally() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir, 150);
        drop(conn);
        let conn = open(&dir, 250);
        let count: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM objects WHERE parent_dn = 'OU=Generated,DC=demo,DC=example'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(count, 250);
        let last = row_by_dn(&conn, &generated_dn(250)).unwrap().unwrap();
        assert_eq!(last.manager_dn.as_deref(), Some(generated_dn(201).as_str()));
        let seeded = row_by_dn(&conn, &generated_dn(120)).unwrap().unwrap();
        assert_eq!(seeded.manager_dn.as_deref(), Some(generated_dn(101).as_str()));
    }
}
