//! What an operator sees of the pending list (`ecma2 pending`): every staged change of a
//! connector, including those whose export outcome is unknown, and dropping them one by one or
//! all at once.

use ecma2_proto::pb::CsEntryChange;
use prost::Message;
use rusqlite::params;

use super::Space;
use crate::error::Result;

/// A staged change as `ecma2 pending` lists it.
#[derive(Debug, Clone)]
pub struct Staged {
    /// Its number in the pending list (what `ecma2 pending drop` takes).
    pub id: i64,
    /// Its export reached the connector with no answer: the next import decides.
    pub outcome_unknown: bool,
    /// The change.
    pub change: CsEntryChange,
}

impl Space {
    /// Every staged change of `connector`, in order.
    pub fn staged(&self, connector: &str) -> Result<Vec<Staged>> {
        let mut statement = self
            .db
            .prepare("SELECT seq, unknown, change FROM pending WHERE connector=?1 ORDER BY seq")?;
        let rows = statement.query_map(params![connector], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?))
        })?;
        rows.map(|row| {
            let (id, unknown, blob) = row?;
            Ok(Staged {
                id,
                outcome_unknown: unknown != 0,
                change: CsEntryChange::decode(blob.as_slice())?,
            })
        })
        .collect()
    }

    /// The connectors with staged changes or unconfirmed exports.
    pub fn pending_connectors(&self) -> Result<Vec<String>> {
        let mut statement = self
            .db
            .prepare("SELECT connector FROM pending UNION SELECT connector FROM unconfirmed ORDER BY 1")?;
        let rows = statement.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Drops staged change `id` of `connector`; returns whether there was one.
    pub fn drop_staged(&self, connector: &str, id: i64) -> Result<bool> {
        Ok(self.db.execute(
            "DELETE FROM pending WHERE connector=?1 AND seq=?2",
            params![connector, id],
        )? > 0)
    }

    /// Drops every staged change of `connector`; returns how many.
    pub fn drop_all_staged(&self, connector: &str) -> Result<usize> {
        Ok(self
            .db
            .execute("DELETE FROM pending WHERE connector=?1", params![connector])?)
    }

    /// Rolls back the open transaction (a stage that failed half way stages nothing).
    pub fn rollback(&self) -> Result<()> {
        self.db.execute_batch("ROLLBACK")?;
        Ok(())
    }
}
