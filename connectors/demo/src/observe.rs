//! Test hooks. End-to-end tests of a host need a connector that can be made slow, made to panic,
//! and asked afterwards what it saw. These are configuration parameters (see the crate docs):
//!
//! * `observe_file`: a path to which the connector appends one JSON line per lifecycle event
//!   (`open`, `page`, `export`, `cancelled`, `close`, `panic`, ...), each with `ts_ms`, `pid`,
//!   `connector`, `session_id`, `call` and `event`. Lines are appended with a single write, so
//!   concurrent sessions never interleave inside a line.
//! * `test_block_get_ms` / `test_block_put_ms`: GetImportEntries / PutExportEntries first wait
//!   this long, or until the call is cancelled (then a `cancelled` event is recorded).
//! * `test_block_close_ms`: CloseImportConnection waits this long after recording its `close`
//!   event (a close is never cancelled), so a test can act while a run is closing.
//! * `test_panic_on`: comma-separated RPC names (such as `GetImportEntries`); that call panics.
//! * `test_exit_after_put`: `1` makes the process exit right after it has written an export
//!   batch, before it answers (an engine then does not know the batch's outcome).
//! * `test_full_object_reply`: `extra`, `update` or `missing` makes a FullObjectEntries page
//!   wrong (an object not asked for besides the one asked for; the object as an Update; the
//!   object left out), so an engine's check of the reply can be tested.
//! * `test_open_without_watermark`: OpenImportConnection answers with no watermark.
//! * `test_dn_style_none`: with the Capabilities check box of the same name, imports carry only
//!   the anchor (empty DN); an export's add whose DN is not a DN is placed under the partition's
//!   `OU=People` by its `cn`. References name objects by their anchor, on import and export
//!   (`anchor_refs`).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use ecma2_sdk::{Context, Error, Params};
use serde_json::{Value, json};
use tracing::{info, warn};

/// Parameter: the observe file.
pub const OBSERVE_FILE: &str = "observe_file";
/// Parameter: GetImportEntries waits this many milliseconds (or until cancelled).
pub const BLOCK_GET_MS: &str = "test_block_get_ms";
/// Parameter: PutExportEntries waits this many milliseconds (or until cancelled).
pub const BLOCK_PUT_MS: &str = "test_block_put_ms";
/// Parameter: CloseImportConnection waits this many milliseconds.
pub const BLOCK_CLOSE_MS: &str = "test_block_close_ms";
/// Parameter: exit after writing an export batch, before answering.
pub const EXIT_AFTER_PUT: &str = "test_exit_after_put";
/// Parameter: answer FullObjectEntries wrongly (`extra`, `update`, `missing`).
pub const FULL_OBJECT_REPLY: &str = crate::params::TEST_FULL_OBJECT_REPLY;
/// Parameter: the RPC names that panic.
pub const PANIC_ON: &str = "test_panic_on";
/// Environment fallback for `observe_file`, for calls made without parameters.
pub const OBSERVE_FILE_ENV: &str = "ECMA2_DEMO_OBSERVE_FILE";

/// The test hooks in force for a call or a session.
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    observe_file: Option<PathBuf>,
    panic_on: Vec<String>,
    /// GetImportEntries delay.
    pub block_get: Duration,
    /// PutExportEntries delay.
    pub block_put: Duration,
    /// CloseImportConnection delay.
    pub block_close: Duration,
    /// Exit once an export batch is written, without answering.
    pub exit_after_put: bool,
    /// How to answer FullObjectEntries wrongly (`extra`, `update`, `missing`), if at all.
    pub full_object_reply: Option<String>,
    /// OpenImportConnection answers without a watermark.
    pub open_without_watermark: bool,
    /// DN style None: imports carry no DN; an add without a DN is placed by its `cn`.
    pub dn_style_none: bool,
}

impl Hooks {
    /// Reads the hook parameters (a non-numeric delay is NoSuchParameterException naming it).
    pub fn from_params(params: &Params) -> Result<Hooks, Error> {
        let ms = |name: &str| -> Result<Duration, Error> {
            let value = params.int_or(name, 0)?;
            u64::try_from(value)
                .map(Duration::from_millis)
                .map_err(|_| Error::no_such_parameter(name, format!("parameter {name:?} must not be negative")))
        };
        let observe_file = params
            .get(OBSERVE_FILE)
            .filter(|p| !p.trim().is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os(OBSERVE_FILE_ENV).map(PathBuf::from));
        Ok(Hooks {
            observe_file,
            panic_on: params
                .get(PANIC_ON)
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            block_get: ms(BLOCK_GET_MS)?,
            block_put: ms(BLOCK_PUT_MS)?,
            block_close: ms(BLOCK_CLOSE_MS)?,
            exit_after_put: params.get(EXIT_AFTER_PUT).is_some_and(|v| v.trim() == "1"),
            full_object_reply: params
                .get(FULL_OBJECT_REPLY)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
            open_without_watermark: params.flag(crate::params::TEST_OPEN_WITHOUT_WATERMARK),
            dn_style_none: params.flag(crate::params::TEST_DN_STYLE_NONE),
        })
    }

    /// Appends one event line to the observe file, if one is configured.
    pub fn observe(&self, ctx: &Context, event: &str, fields: Value) {
        let Some(path) = &self.observe_file else {
            return;
        };
        let mut line = json!({
            "ts_ms": std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or_default(),
            "pid": std::process::id(),
            "connector": ctx.connector(),
            "session_id": ctx.session_id(),
            "call": ctx.call(),
            "event": event,
        });
        if let (Value::Object(line), Value::Object(fields)) = (&mut line, fields) {
            line.extend(fields);
        }
        let mut text = line.to_string();
        text.push('\n');
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()));
        if let Err(err) = written {
            warn!(path = %path.display(), error = %err, "cannot append to the observe file");
        }
    }

    /// Panics if `test_panic_on` names this call (after recording a `panic` event).
    pub fn maybe_panic(&self, ctx: &Context) {
        if self.panic_on.iter().any(|c| c == ctx.call()) {
            self.observe(ctx, "panic", json!({}));
            panic!("test_panic_on asked {} to panic", ctx.call());
        }
    }

    /// Waits `delay`, or until the call is cancelled; then records and reports the cancellation.
    pub async fn block(&self, ctx: &Context, delay: Duration) -> Result<(), Error> {
        if delay.is_zero() {
            return Ok(());
        }
        self.observe(ctx, "blocking", json!({ "ms": delay.as_millis() as u64 }));
        tokio::select! {
            _ = ctx.cancelled() => {
                info!(call = ctx.call(), "call cancelled while blocked");
                self.observe(ctx, "cancelled", json!({ "while": "blocked" }));
                Err(Error::terminate_run(format!("{} was cancelled", ctx.call())))
            }
            _ = tokio::time::sleep(delay) => Ok(()),
        }
    }
}
