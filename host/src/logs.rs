//! Connector stderr → host log. Each JSON line a connector writes (docs/runtime.md) is re-emitted
//! as a `tracing` event at its level, under the connector's name, with its fields; other lines
//! are re-emitted as plain text. The last lines are kept so a failed start can say why.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
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

/// Reads `stream` line by line until it closes, re-emitting each line.
pub async fn forward(connector: Arc<str>, stream: impl AsyncRead + Unpin, tail: Tail) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        tail.push(&line);
        emit(&connector, &line);
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
