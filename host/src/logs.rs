//! Connector stderr → host log. Each JSON line a connector writes (docs/runtime.md) is re-emitted
//! as a `tracing` event at its level, under the connector's name, with its fields; other lines
//! are re-emitted as plain text. The last lines are kept so a failed start can say why.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, BufReader};
use tracing::{debug, error, info, trace, warn};

/// The most recent stderr lines of one connector process.
#[derive(Debug, Clone, Default)]
pub struct Tail(Arc<Mutex<VecDeque<String>>>);

const TAIL_LINES: usize = 20;

impl Tail {
    fn push(&self, line: &str) {
        let mut tail = self.0.lock().expect("tail lock");
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line.chars().take(500).collect());
    }

    /// The kept lines, oldest first, joined for an error message.
    pub fn text(&self) -> String {
        self.0
            .lock()
            .expect("tail lock")
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

/// The longest connector output line the host keeps; the rest of a longer line is read and
/// dropped, so a connector that never writes a newline cannot grow the host.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The read buffer for connector output: large reads keep a flood cheap to drain.
pub const READ_BUFFER: usize = 64 * 1024;

/// One line of connector output, cut at [`MAX_LINE_BYTES`].
#[derive(Debug)]
pub struct Line {
    /// The line (lossy UTF-8), without its end.
    pub text: String,
    /// Bytes of the line dropped past the limit.
    pub cut: u64,
}

/// Reads the next line of `reader`, keeping at most [`MAX_LINE_BYTES`] of it; `None` at the end.
pub async fn next_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<Line>> {
    let mut kept = Vec::new();
    let mut cut = 0u64;
    let mut any = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            if !any {
                return Ok(None);
            }
            break;
        }
        any = true;
        let newline = available.iter().position(|b| *b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        let take = chunk.len().min(MAX_LINE_BYTES - kept.len());
        kept.extend_from_slice(&chunk[..take]);
        cut += (chunk.len() - take) as u64;
        let used = newline.map_or(available.len(), |i| i + 1);
        reader.consume(used);
        if newline.is_some() {
            break;
        }
    }
    if kept.last() == Some(&b'\r') {
        kept.pop();
    }
    Ok(Some(Line {
        text: String::from_utf8_lossy(&kept).into_owned(),
        cut,
    }))
}

/// Reads `stream` line by line until it closes, re-emitting each line.
pub async fn forward(connector: Arc<str>, stream: impl AsyncRead + Unpin, tail: Tail) {
    let mut reader = BufReader::with_capacity(READ_BUFFER, stream);
    while let Ok(Some(line)) = next_line(&mut reader).await {
        if line.cut > 0 {
            warn!(connector = %connector, kept = MAX_LINE_BYTES, cut = line.cut, "connector stderr line too long; cut");
        }
        if line.text.trim().is_empty() {
            continue;
        }
        tail.push(&line.text);
        emit(&connector, &line.text);
    }
}

fn emit(connector: &str, line: &str) {
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str::<serde_json::Value>(line) else {
        info!(target: "connector", connector, "{line}");
        return;
    };
    let level = object
        .remove("level")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let message = object
        .remove("message")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    object.remove("timestamp");
    let target = object
        .remove("target")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let fields = serde_json::Value::Object(object).to_string();
    match level.to_ascii_uppercase().as_str() {
        "ERROR" => error!(target: "connector", connector, source = %target, fields = %fields, "{message}"),
        "WARN" | "WARNING" => warn!(target: "connector", connector, source = %target, fields = %fields, "{message}"),
        "DEBUG" => debug!(target: "connector", connector, source = %target, fields = %fields, "{message}"),
        "TRACE" => trace!(target: "connector", connector, source = %target, fields = %fields, "{message}"),
        _ => info!(target: "connector", connector, source = %target, fields = %fields, "{message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_cut_and_the_next_line_is_whole() {
        let mut input = vec![b'x'; MAX_LINE_BYTES * 3 + 5];
        input.extend_from_slice(b"\r\nnext\nlast");
        let mut reader = BufReader::with_capacity(1000, input.as_slice());
        let first = next_line(&mut reader).await.unwrap().unwrap();
        assert_eq!(
            (first.text.len(), first.cut),
            (MAX_LINE_BYTES, (MAX_LINE_BYTES * 2 + 6) as u64)
        );
        assert_eq!(next_line(&mut reader).await.unwrap().unwrap().text, "next");
        assert_eq!(next_line(&mut reader).await.unwrap().unwrap().text, "last");
        assert!(next_line(&mut reader).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn keeps_the_last_lines_for_error_messages() {
        let input: Vec<u8> = (0..25)
            .map(|i| format!("{{\"level\":\"INFO\",\"message\":\"line {i}\"}}\n"))
            .collect::<String>()
            .into_bytes();
        let tail = Tail::default();
        forward("demo".into(), &input[..], tail.clone()).await;
        let text = tail.text();
        assert!(
            text.starts_with("{\"level\":\"INFO\",\"message\":\"line 5\"}"),
            "{text}"
        );
        assert!(text.ends_with("line 24\"}"), "{text}");
    }
}
