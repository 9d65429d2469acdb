//! Secrets: a staged password never lands in clear in the connector space's files or in a drop
//! file (issue #19; the rule is in `engine/src/seal.rs` and docs/engine.md).

use serde_json::json;

use crate::support::Scenario;
use crate::user;

const PASSWORD: &str = "Sup3r-secret!";

/// Every file under `dir` (the database, its WAL and journal, the key) that holds `needle`.
fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if std::fs::read(&path).unwrap().windows(needle.len()).any(|w| w == needle) {
            found.push(path.display().to_string());
        }
    }
    found
}

#[tokio::test]
async fn secrets_a_staged_password_is_sealed_in_the_connector_space_and_absent_from_drop_files() {
    let mut s = Scenario::new(2, &[]).await;
    s.import(false, 0).await.unwrap();
    let dn = user("Sealed Secret");
    s.stage(&[json!({"op": "add", "type": "user", "dn": dn, "attrs": {"cn": "Sealed Secret", "mail": "sealed@scenario.example"}, "password": PASSWORD})])
        .await;
    let space_dir = s.dir.path().join("space");
    assert_eq!(
        files_holding(&space_dir, PASSWORD.as_bytes()),
        Vec::<String>::new(),
        "staged, the password is sealed"
    );
    let staged = s.space.pending("demo").unwrap();
    assert!(
        format!("{staged:?}").contains(PASSWORD),
        "the engine itself reads it back"
    );
    let (summary, sent) = s.export(0).await;
    assert_eq!(summary.errors, 0, "{summary:?} {:?}", s.events);
    let text = serde_json::to_string(&sent).unwrap();
    assert!(text.contains("export_password") && !text.contains(PASSWORD), "{text}");
    s.import(true, 0).await.unwrap();
    assert_eq!(
        files_holding(&space_dir, PASSWORD.as_bytes()),
        Vec::<String>::new(),
        "exported and confirmed, the password is nowhere in the state directory"
    );
    // The connector did receive it: the demo can verify the password it stored.
    assert!(s.space.get_by_dn("demo", &dn).unwrap().is_some());
    s.finish().await;
}
