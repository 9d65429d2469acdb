//! JUnit XML: one `<testsuite>` per category, one `<testcase>` per check (classname
//! `ecma2.conformance.<category>`), `<failure>` with the rule, what was sent, what came back and
//! the doc section, `<skipped>` with the reason. CI systems (GitHub, GitLab, Jenkins) read it.

use std::io::{self, Write};

use crate::check::{Category, Status};
use crate::runner::Report;

/// Escapes text for XML attributes and content.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// Writes the report as JUnit XML.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    let total: f64 = report.checks.iter().map(|c| c.seconds).sum();
    writeln!(
        out,
        r#"<testsuites name="ecma2 conformance {}" tests="{}" failures="{}" skipped="{}" time="{total:.3}">"#,
        esc(&report.connector),
        report.checks.len(),
        report.failed,
        report.skipped
    )?;
    for category in [Category::Process, Category::Protocol, Category::Ecma2] {
        let checks: Vec<_> = report.checks.iter().filter(|c| c.category == category).collect();
        if checks.is_empty() {
            continue;
        }
        let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
        let skipped = checks.iter().filter(|c| c.status == Status::Skip).count();
        let time: f64 = checks.iter().map(|c| c.seconds).sum();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{failed}" skipped="{skipped}" time="{time:.3}">"#,
            category.as_str(),
            checks.len()
        )?;
        for c in checks {
            write!(
                out,
                r#"    <testcase name="{}" classname="ecma2.conformance.{}" time="{:.3}""#,
                esc(c.id),
                category.as_str(),
                c.seconds
            )?;
            match c.status {
                Status::Pass => writeln!(out, "/>")?,
                Status::Skip => {
                    writeln!(out, ">")?;
                    writeln!(out, r#"      <skipped message="{}"/>"#, esc(&c.detail))?;
                    writeln!(out, "    </testcase>")?;
                }
                Status::Fail => {
                    writeln!(out, ">")?;
                    let mut body = format!("rule: {}\nfound: {}\n", c.rule, c.detail);
                    if let Some(sent) = &c.sent {
                        body.push_str(&format!("sent: {sent}\n"));
                    }
                    if let Some(received) = &c.received {
                        body.push_str(&format!("received: {received}\n"));
                    }
                    body.push_str(&format!("read: {}\n", c.doc));
                    writeln!(
                        out,
                        r#"      <failure message="{}" type="{}">{}</failure>"#,
                        esc(&c.detail),
                        esc(c.id),
                        esc(&body)
                    )?;
                    writeln!(out, "    </testcase>")?;
                }
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
        assert_eq!(esc("bell\u{7}"), "bell?");
    }
}
