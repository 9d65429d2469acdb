//! Call-based import: full and delta, paging, watermarks, object-level errors.

use ecma2_proto::pb::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_import_returns_only_adds_of_every_seeded_object_and_ends() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let run = full_import(&mut h.client, params, 0).await.unwrap();
    assert_eq!(run.page_size, 500, "page size 0 means ImportDefaultPageSize");
    let entries = run.entries();
    assert!(
        entries
            .iter()
            .all(|e| e.object_modification_type() == ObjectModificationType::Add)
    );
    let ada = by_dn(&entries, "CN=Ada Lovelace,OU=People,DC=demo,DC=example");
    assert_eq!(ada.object_type, "user");
    assert_eq!(values(ada, "mail"), [s("ada@demo.example")]);
    assert!(!anchor(ada).is_empty());
    let grace = by_dn(&entries, "CN=Grace Hopper,OU=People,DC=demo,DC=example");
    assert_eq!(
        values(grace, "manager"),
        [r("CN=Ada Lovelace,OU=People,DC=demo,DC=example")]
    );
    let engineers = by_dn(&entries, "CN=Engineers,OU=Groups,DC=demo,DC=example");
    assert_eq!(change(engineers, "member").unwrap().value_changes.len(), 2);
    assert!(change(engineers, "member").unwrap().is_multi_valued);
    by_dn(&entries, "CN=Alan Turing,OU=People,DC=lab,DC=example");
    assert!(!run.pages.last().unwrap().1.more_to_import);
    h.stop().await;
}
