//! The real `ecma2-demo` process: ready line, launch secret, handshake, shutdown, and a fault in
//! one session that leaves the others running.

use ecma2_proto::pb::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_announces_itself_and_imports_over_a_unix_socket() {
    let mut p = Launched::start(&[]).await.unwrap();
    assert_eq!(p.ready["protocol"], 1);
    assert_eq!(p.ready["pid"], p.child.id().unwrap());
    assert!(p.ready["address"].as_str().unwrap().starts_with("unix:"));
    let mut client = p.client().await.unwrap();
    let hello = client
        .handshake(HandshakeRequest {
            protocol_versions: vec![1, 7],
            caller_name: "demo-tests".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(hello.protocol_version, 1);
    assert_eq!(hello.connector.as_ref().unwrap().name, "demo-under-test");
    assert_eq!(hello.interfaces.len(), 12, "every ECMA2 interface is implemented");
    let sizes = hello.import_page_sizes.unwrap();
    assert_eq!((sizes.default_page_size, sizes.max_page_size), (500, 10_000));
    let run = full_import(&mut client, p.files.params(&[]), 2).await.unwrap();
    assert!(run.entries().len() > 5);
    p.signal("TERM").unwrap();
    assert!(p.wait_exit().await.unwrap().success());
}
