//! Generated users for tests and benchmarks: seeded in one transaction, about ten attributes
//! and 500 bytes each, and imported back in full.

use std::time::Instant;

use ecma2_proto::pb::*;
use prost::Message;

use crate::support::*;

async fn seed_and_import(count: usize, page_size: i32) {
    let mut h = InProcess::start().await;
    let params = h.params(&[("seed_users", &count.to_string())]);
    // GetHierarchy opens the store, which creates and seeds the database.
    let started = Instant::now();
    let hierarchy = GetHierarchyRequest {
        config_parameters: params.clone(),
        parent: Some(HierarchyNode {
            dn: "DC=demo,DC=example".into(),
            display_name: String::new(),
        }),
    };
    assert_eq!(
        h.client
            .get_hierarchy(hierarchy)
            .await
            .unwrap()
            .into_inner()
            .nodes
            .len(),
        3
    );
    let seeded = started.elapsed();
    let started = Instant::now();
    let full = full_import(&mut h.client, params, page_size).await.unwrap();
    let imported = started.elapsed();
    let entries = full.entries();
    assert_eq!(entries.len(), count + 12);
    let generated: Vec<&CsEntryChange> = entries.iter().filter(|e| e.dn.contains(",OU=Generated,")).collect();
    assert_eq!(generated.len(), count);
    let sample = generated[generated.len() / 2];
    assert!(sample.attribute_changes.len() >= 9, "about ten attributes: {sample:?}");
    let size = sample.encoded_len();
    assert!((400..=900).contains(&size), "about 500 bytes each, got {size}");
    eprintln!(
        "seeded {count} users in {seeded:?}, imported them in {imported:?} ({} pages)",
        full.pages.len()
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_generated_users_seed_and_import() {
    seed_and_import(5_000, 10_000).await;
}

/// The benchmark size; run with `cargo test --release -p ecma2-demo --test demo -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: a million users take a while"]
async fn a_million_generated_users_seed_and_import() {
    seed_and_import(1_000_000, 10_000).await;
}
