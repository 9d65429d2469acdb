//! What a run tells its front end while it goes: progress, object-level errors and warnings, as
//! typed events. The library never prints; the CLI turns events into lines on stderr, a test can
//! collect them, and [`Quiet`] drops them.

use ecma2_proto::pb::{MaExportError, MaImportError};
use serde::Serialize;

/// One thing that happened during a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// An import page was applied to the connector space.
    ImportPage {
        /// Pages so far.
        page: u64,
        /// Objects so far.
        objects: u64,
        /// Object-level errors so far.
        errors: u64,
        /// Objects per second since the run started.
        objects_per_second: f64,
    },
    /// An imported object carried an object-level error (a discovery error).
    ImportObjectError {
        /// The object.
        dn: String,
        /// The ECMA2 error.
        #[serde(serialize_with = "import_error_name")]
        code: MaImportError,
        /// The connector's short error name.
        name: String,
        /// The connector's description.
        detail: String,
    },
    /// A full import had object-level errors, so obsolescence did not run.
    ObsolescenceSkipped {
        /// How many errors.
        errors: u64,
    },
    /// An exported change did not come back in the confirming import.
    ExportedChangeNotReimported {
        /// The object.
        dn: String,
        /// add, update or delete.
        kind: String,
    },
    /// An export pass made progress.
    ExportPass {
        /// 1 to 4.
        pass: u32,
        /// Entries of this pass sent so far.
        sent: usize,
        /// Entries this pass holds.
        queued: usize,
        /// Object-level errors so far.
        errors: u64,
    },
    /// An exported object failed.
    ExportObjectError {
        /// The object.
        dn: String,
        /// The ECMA2 error.
        #[serde(serialize_with = "export_error_name")]
        code: MaExportError,
        /// The connector's short error name.
        name: String,
        /// The connector's description.
        detail: String,
    },
    /// An export failed for a reason of the engine's own (no connector result to show).
    ExportFailed {
        /// The object.
        dn: String,
        /// Why.
        reason: String,
    },
    /// The connector asked for a missing parent container, which is being provisioned.
    ProvisioningParent {
        /// The parent container.
        parent: String,
        /// The object that needs it.
        dn: String,
    },
    /// The run's last progress event has been sent.
    ProgressDone,
}

fn import_error_name<S: serde::Serializer>(code: &MaImportError, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str_name())
}

fn export_error_name<S: serde::Serializer>(code: &MaExportError, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str_name())
}

/// Receives a run's events.
pub trait Observer {
    /// Called for each event, in order.
    fn event(&mut self, event: Event);
}

/// Drops every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Observer for Quiet {
    fn event(&mut self, _: Event) {}
}

/// Keeps every event, for tests and reports.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    /// The events, in order.
    pub events: Vec<Event>,
}

impl Observer for Recorder {
    fn event(&mut self, event: Event) {
        self.events.push(event);
    }
}
