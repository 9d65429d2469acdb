//! File-based import and export (JSON Lines).

use ecma2_proto::pb::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_import_file_writes_one_json_line_per_object_and_a_watermark() {
    let mut h = InProcess::start().await;
    let path = h.files.dir.path().join("import.jsonl");
    let step = |import_type: OperationType, custom_data: &str| WriteImportFileRequest {
        config_parameters: h.files.params(&[("seed_users", "7")]),
        types: None,
        import_run_step: Some(WriteImportFileRunStep {
            custom_data: custom_data.to_owned(),
            file_path: path.display().to_string(),
            import_type: import_type as i32,
            step_partition: None,
        }),
    };
    let full = h
        .client
        .write_import_file(step(OperationType::Full, ""))
        .await
        .unwrap()
        .into_inner();
    let watermark = full.results.unwrap().custom_data;
    assert!(!watermark.is_empty());
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 12 + 7);
    assert!(lines.iter().all(|l| l["changeType"] == "add"));
    let ada = lines
        .iter()
        .find(|l| l["dn"] == "CN=Ada Lovelace,OU=People,DC=demo,DC=example")
        .unwrap();
    assert_eq!(ada["attributes"]["mail"], serde_json::json!(["ada@demo.example"]));
    assert_eq!(ada["objectType"], "user");
    let delta = h
        .client
        .write_import_file(step(OperationType::Delta, &watermark))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(delta.results.unwrap().custom_data, watermark);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "", "no change, no line");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_export_file_applies_each_line_and_reports_the_lines_that_failed() {
    let mut h = InProcess::start().await;
    let params = h.files.params(&[]);
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let path = h.files.dir.path().join("export.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"changeType":"add","objectType":"user","dn":"CN=File User,OU=People,DC=demo,DC=example","attributes":{"mail":"file@demo.example","employeeNumber":7,"enabled":true,"photo":"cafe","manager":"CN=Ada Lovelace,OU=People,DC=demo,DC=example"}}"#,
            "\n",
            r#"{"changeType":"update","objectType":"user","dn":"CN=Grace Hopper,OU=People,DC=demo,DC=example","attributes":{"title":"Commodore","photo":null}}"#,
            "\n"
        ),
    )
    .unwrap();
    let request = |path: &std::path::Path| ReadExportFileRequest {
        config_parameters: params.clone(),
        types: None,
        export_run_step: Some(ReadExportFileRunStep {
            export_type: OperationType::Delta as i32,
            file_path: path.display().to_string(),
            step_partition: None,
        }),
    };
    h.client.read_export_file(request(&path)).await.unwrap();
    let delta = delta_import(&mut h.client, params.clone(), full.watermark())
        .await
        .unwrap();
    let entries = delta.entries();
    let added = by_dn(&entries, "CN=File User,OU=People,DC=demo,DC=example");
    assert_eq!(
        values(added, "photo"),
        [attribute_value::Kind::BinaryValue(vec![0xca, 0xfe].into())]
    );
    assert_eq!(
        values(added, "manager"),
        [r("CN=Ada Lovelace,OU=People,DC=demo,DC=example")]
    );
    let grace = by_dn(&entries, "CN=Grace Hopper,OU=People,DC=demo,DC=example");
    assert_eq!(values(grace, "title"), [s("Commodore")]);
    assert_eq!(
        change(grace, "photo").unwrap().modification_type(),
        AttributeModificationType::Delete
    );

    let bad = h.files.dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        concat!(
            r#"{"changeType":"add","objectType":"user","dn":"CN=Dup,OU=People,DC=demo,DC=example","attributes":{"mail":"ada@demo.example"}}"#,
            "\n"
        ),
    )
    .unwrap();
    let err = h.client.read_export_file(request(&bad)).await.unwrap_err();
    let f = fault(&err);
    assert_eq!(f.fault_kind(), FaultKind::UnexpectedDataException);
    assert!(
        f.message.contains("line 1") && f.message.contains("mail"),
        "{}",
        f.message
    );
    std::fs::write(&bad, "not json\n").unwrap();
    let err = h.client.read_export_file(request(&bad)).await.unwrap_err();
    assert!(fault(&err).message.contains("line 1"));
    h.stop().await;
}
