//! What a run did, as the counters the sync engine's run history shows.

use serde::Serialize;

/// What a run did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// The profile.
    pub profile: String,
    /// Adds staged.
    pub adds: u64,
    /// Updates staged.
    pub updates: u64,
    /// Deletes staged (delta deletes plus obsolescence).
    pub deletes: u64,
    /// Object-level errors.
    pub errors: u64,
    /// Pages (import) or batches (export).
    pub pages: u64,
    /// Objects that crossed.
    pub objects: u64,
    /// Seconds.
    pub elapsed_seconds: f64,
    /// Objects per second.
    pub objects_per_second: f64,
    /// The watermark committed.
    pub watermark: Option<String>,
    /// Export passes run.
    pub passes: u32,
    /// Exported changes confirmed by this import.
    pub confirmed: u64,
    /// Warnings, such as exported-change-not-reimported.
    pub warnings: u64,
    /// Imported objects dropped: outside the run's partition or selected containers.
    pub dropped: u64,
    /// Placeholders made for references into partitions not yet imported.
    pub placeholders: u64,
}
