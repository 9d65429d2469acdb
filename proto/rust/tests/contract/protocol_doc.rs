//! `docs/protocol.md` cannot drift from the code: its fault table is rendered here from
//! `ecma2_proto::fault::code_for` and must appear in the document row for row, the metadata keys
//! it names are the ones in `ecma2_proto::meta`, and its relative links lead to files that exist.

use ecma2_proto::fault::{code_for, ecma2_name};
use ecma2_proto::meta;
use ecma2_proto::pb::FaultKind;

use crate::support::{pool, repo_root, screaming};

fn protocol_doc() -> String {
    let path = repo_root().join("docs/protocol.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The fault table, one Markdown row per FaultKind value in declaration order.
fn fault_table_rows() -> Vec<String> {
    let kinds = pool().get_enum_by_name("ecma2.v1.FaultKind").expect("FaultKind");
    kinds
        .values()
        .map(|value| {
            let kind = FaultKind::try_from(value.number()).expect("generated FaultKind matches");
            let code = code_for(kind);
            let exception = if kind == FaultKind::Unspecified {
                format!("(unset: read as `{}`)", ecma2_name(kind))
            } else {
                format!("`{}`", ecma2_name(kind))
            };
            format!(
                "| {} | `{}` | {} | `{}` ({}) |",
                value.number(),
                value.name(),
                exception,
                screaming(&format!("{code:?}")),
                code as i32
            )
        })
        .collect()
}

#[test]
fn the_fault_table_matches_code_for() {
    let doc = protocol_doc();
    let rows = fault_table_rows();
    assert_eq!(rows.len(), 43, "42 exceptions and UNSPECIFIED");
    let missing: Vec<&String> = rows
        .iter()
        .filter(|row| !doc.lines().any(|l| l == row.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/protocol.md lacks these fault table rows (render them from this test):\n{}",
        missing.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("\n")
    );
    let documented = doc
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`FAULT_KIND_"))
        .count();
    assert_eq!(
        documented,
        rows.len(),
        "docs/protocol.md has fault rows that no FaultKind renders"
    );
}

#[test]
fn the_doc_names_the_metadata_keys_in_use() {
    let doc = protocol_doc();
    for key in [meta::CONNECTOR, meta::AUTHORIZATION, meta::LAUNCH_SECRET] {
        assert!(
            doc.contains(&format!("`{key}")),
            "docs/protocol.md does not name `{key}`"
        );
    }
    assert!(doc.contains("Bearer <token>"));
}

#[test]
fn relative_links_in_the_doc_lead_somewhere() {
    let doc = protocol_doc();
    let docs_dir = repo_root().join("docs");
    let mut broken = Vec::new();
    let mut rest = doc.as_str();
    let mut links = 0;
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        let end = rest.find(')').expect("a link ends");
        let target = &rest[..end];
        rest = &rest[end..];
        if target.contains("://") || target.starts_with('#') {
            continue;
        }
        links += 1;
        let file = target.split('#').next().unwrap_or_default();
        if !docs_dir.join(file).exists() {
            broken.push(target.to_owned());
        }
    }
    assert!(links > 0, "the doc links its neighbours");
    assert!(broken.is_empty(), "broken links in docs/protocol.md: {broken:?}");
}
