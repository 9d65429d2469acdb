//! Item 4, close latency: the engine cancels a GetImportEntries that the connector holds blocked
//! (the demo's `test_block_get_ms` hook), and the host must turn that into a Close at the
//! connector. The time runs from the cancel (the engine dropping the stream, which resets it) to
//! the `close` event the connector appends to its observe file. The connector stamps events in
//! whole wall-clock milliseconds (`ts_ms`), so a sample is the middle of the millisecond it names
//! minus the exact time of the cancel: within ±0.5 ms of the truth.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Result, bail};
use ecma2_proto::pb::*;
use serde_json::Value;

use crate::engine::{self, Client};

/// Reads the observe file's new lines as they are appended.
struct Tail {
    path: PathBuf,
    offset: u64,
    partial: String,
    /// Events read but not yet waited for.
    pending: Vec<Value>,
}

impl Tail {
    fn new(path: &Path) -> Self {
        let offset = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Self {
            path: path.to_owned(),
            offset,
            partial: String::new(),
            pending: Vec::new(),
        }
    }

    fn read(&mut self) {
        let Ok(mut file) = std::fs::File::open(&self.path) else {
            return;
        };
        let mut text = String::new();
        if file.seek(SeekFrom::Start(self.offset)).is_err() || file.read_to_string(&mut text).is_err() {
            return;
        }
        self.offset += text.len() as u64;
        self.partial.push_str(&text);
        if let Some(end) = self.partial.rfind('\n') {
            let complete: String = self.partial.drain(..=end).collect();
            self.pending.extend(
                complete
                    .lines()
                    .filter_map(|line| serde_json::from_str::<Value>(line).ok()),
            );
        }
    }

    /// Waits for an event `name` of `session` (up to 30 s).
    async fn wait(&mut self, session: &str, name: &str) -> Result<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.read();
            if let Some(at) = self
                .pending
                .iter()
                .position(|e| e["session_id"] == session && e["event"] == name)
            {
                return Ok(self.pending.remove(at));
            }
            if Instant::now() > deadline {
                bail!("the connector never recorded {name} for session {session}");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

/// Wall-clock milliseconds since the epoch, with a fraction.
fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default()
}

/// Close latencies, and the time until the connector saw the cancellation, of `runs` cancelled
/// pages through `client` (a host).
pub struct CloseSamples {
    /// Cancel → the connector's `close` event.
    pub close: Vec<Duration>,
    /// Cancel → the connector's `cancelled` event.
    pub cancelled: Vec<Duration>,
}

/// Runs `runs` cancelled pages. `params` must name the database and `observe`; the blocking
/// hook is added here.
pub async fn measure(
    client: &mut Client,
    params: &[ConfigParameter],
    observe: &Path,
    runs: u32,
) -> Result<CloseSamples> {
    let mut params = params.to_vec();
    params.push(engine::param(
        ecma2_demo::observe::OBSERVE_FILE,
        observe.display().to_string(),
    ));
    params.push(engine::param(ecma2_demo::observe::BLOCK_GET_MS, "600000"));
    let schema = engine::schema(client, &params).await?;
    let mut tail = Tail::new(observe);
    let mut samples = CloseSamples {
        close: Vec::with_capacity(runs as usize),
        cancelled: Vec::with_capacity(runs as usize),
    };
    for _ in 0..runs {
        let session = engine::open_import(client, &params, &schema, 1).await?;
        // The call runs in a task and is cancelled by aborting it, which drops the call or its
        // stream, whichever it holds: the host answers a page with its first frame, so a blocked
        // page has no response headers yet.
        let mut paging = client.clone();
        let request = GetImportEntriesRequest {
            session_id: session.clone(),
            import_run_step: Some(GetImportEntriesRunStep::default()),
        };
        let page = tokio::spawn(async move {
            let mut stream = paging.get_import_entries(request).await?.into_inner();
            while stream.message().await?.is_some() {}
            Ok::<_, tonic::Status>(())
        });
        tail.wait(&session, "blocking").await?;
        let cancelled_at = now_ms();
        page.abort();
        let seen = tail.wait(&session, "cancelled").await?;
        let closed = tail.wait(&session, "close").await?;
        let reason = closed["reason"].as_str().unwrap_or_default();
        if reason != "TerminatedByUser" {
            bail!("the host closed session {session} with {reason}, not TerminatedByUser");
        }
        let since = |event: &Value| {
            let ts = event["ts_ms"].as_f64().unwrap_or_default() + 0.5;
            Duration::from_secs_f64((ts - cancelled_at).max(0.0) / 1000.0)
        };
        samples.cancelled.push(since(&seen));
        samples.close.push(since(&closed));
        tail.pending.clear();
    }
    Ok(samples)
}
