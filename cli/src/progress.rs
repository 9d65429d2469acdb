//! Progress on stderr: on a terminal one line rewritten in place (objects, pages or passes, rate),
//! elsewhere (CI, pipes) one line per step so logs stay readable.

use std::io::{IsTerminal, Write};

/// Shows the current progress.
pub fn line(text: &str) {
    let mut err = std::io::stderr().lock();
    if err.is_terminal() {
        let _ = write!(err, "\r\x1b[2K  {text}");
        let _ = err.flush();
    } else {
        let _ = writeln!(err, "  {text}");
    }
}

/// Ends a progress line on a terminal.
pub fn done() {
    let mut err = std::io::stderr().lock();
    if err.is_terminal() {
        let _ = writeln!(err);
    }
}
