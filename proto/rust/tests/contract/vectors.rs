//! Byte vectors shared with the .NET bridge: messages encoded by prost (and, for "every field
//! set" coverage of each message type, by prost-reflect) are committed under
//! `proto/testdata/vectors/`, with `index.tsv` naming each file's message type. The bridge's NUnit
//! tests decode every vector with the generated C# code and re-encode it byte for byte. This test
//! fails when the committed files differ from what the Rust side encodes today; run it with
//! `ECMA2_BLESS_VECTORS=1` to rewrite them after a deliberate contract change.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use bytes::Bytes;
use ecma2_proto::pb::{
    self, AnchorAttribute, AttributeChange, AttributeType, AttributeValue, CsEntryChange, CsEntryChangeResult,
    EntryFragment, FaultKind, GetImportEntriesResponse, GetImportEntriesResults, MaCapabilities, MaExportError,
    MaImportError, MaNormalization, ObjectModificationType, PutExportEntriesRequest, ValueChange,
    ValueModificationType, attribute_value::Kind, get_import_entries_response, put_export_entries_request,
};
use prost::Message;
use prost_reflect::{DynamicMessage, Kind as FieldKind, MessageDescriptor, ReflectMessage, Value};

use crate::support::{PACKAGE, pool, repo_root};

fn dir() -> PathBuf {
    repo_root().join("proto/testdata/vectors")
}

fn value(kind: Kind) -> Option<AttributeValue> {
    Some(AttributeValue { kind: Some(kind) })
}

fn entry() -> CsEntryChange {
    CsEntryChange {
        identifier: "6f1c2a34-0e7b-4d4b-9a55-0c4e8f0d7a11".into(),
        object_modification_type: ObjectModificationType::Update as i32,
        object_type: "person".into(),
        dn: "CN=Zoë Ünïcode,OU=People".into(),
        anchor_attributes: vec![AnchorAttribute {
            name: "id".into(),
            data_type: AttributeType::Integer as i32,
            value: value(Kind::IntegerValue(-42)),
        }],
        attribute_changes: vec![
            AttributeChange {
                name: "mail".into(),
                data_type: AttributeType::String as i32,
                is_multi_valued: true,
                modification_type: pb::AttributeModificationType::Update as i32,
                value_changes: vec![
                    ValueChange {
                        value: value(Kind::StringValue("a@example.org".into())),
                        modification_type: ValueModificationType::Add as i32,
                    },
                    ValueChange {
                        value: value(Kind::StringValue(String::new())),
                        modification_type: ValueModificationType::Delete as i32,
                    },
                ],
            },
            AttributeChange {
                name: "photo".into(),
                data_type: AttributeType::Binary as i32,
                is_multi_valued: false,
                modification_type: pb::AttributeModificationType::Replace as i32,
                value_changes: vec![ValueChange {
                    value: value(Kind::BinaryValue(Bytes::from(
                        (0..=255u8).cycle().take(300).collect::<Vec<_>>(),
                    ))),
                    modification_type: ValueModificationType::Add as i32,
                }],
            },
            AttributeChange {
                name: "manager".into(),
                data_type: AttributeType::Reference as i32,
                is_multi_valued: false,
                modification_type: pb::AttributeModificationType::Add as i32,
                value_changes: vec![ValueChange {
                    value: value(Kind::ReferenceValue("CN=Boss".into())),
                    modification_type: ValueModificationType::Add as i32,
                }],
            },
            AttributeChange {
                name: "active".into(),
                data_type: AttributeType::Boolean as i32,
                is_multi_valued: false,
                modification_type: pb::AttributeModificationType::Add as i32,
                value_changes: vec![ValueChange {
                    value: value(Kind::BooleanValue(false)),
                    modification_type: ValueModificationType::Add as i32,
                }],
            },
            AttributeChange {
                name: "obsolete".into(),
                data_type: AttributeType::String as i32,
                is_multi_valued: false,
                modification_type: pb::AttributeModificationType::Delete as i32,
                value_changes: vec![],
            },
        ],
        error_code_import: MaImportError::ImportErrorCustomContinueRun as i32,
        error_name: "invalid-manager".into(),
        error_detail: "manager not found".into(),
    }
}

/// The hand-built vectors: the shapes the bridge depends on, each named for what it pins.
fn hand_built() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let mut v: Vec<(&'static str, &'static str, Vec<u8>)> = Vec::new();
    let mut push = |name: &'static str, ty: &'static str, bytes: Vec<u8>| v.push((name, ty, bytes));

    push("cs_entry_change", "CSEntryChange", entry().encode_to_vec());
    push(
        "cs_entry_change_empty",
        "CSEntryChange",
        CsEntryChange::default().encode_to_vec(),
    );
    push(
        "attribute_value_string_empty",
        "AttributeValue",
        AttributeValue {
            kind: Some(Kind::StringValue(String::new())),
        }
        .encode_to_vec(),
    );
    push(
        "attribute_value_integer_min",
        "AttributeValue",
        AttributeValue {
            kind: Some(Kind::IntegerValue(i64::MIN)),
        }
        .encode_to_vec(),
    );
    push(
        "attribute_value_integer_zero",
        "AttributeValue",
        AttributeValue {
            kind: Some(Kind::IntegerValue(0)),
        }
        .encode_to_vec(),
    );
    push(
        "attribute_value_reference",
        "AttributeValue",
        AttributeValue {
            kind: Some(Kind::ReferenceValue("CN=x".into())),
        }
        .encode_to_vec(),
    );
    push(
        "attribute_value_binary_empty",
        "AttributeValue",
        AttributeValue {
            kind: Some(Kind::BinaryValue(Bytes::new())),
        }
        .encode_to_vec(),
    );
    push(
        "attribute_value_boolean_true",
        "AttributeValue",
        AttributeValue {
            kind: Some(Kind::BooleanValue(true)),
        }
        .encode_to_vec(),
    );
    push(
        "attribute_value_unset",
        "AttributeValue",
        AttributeValue { kind: None }.encode_to_vec(),
    );

    let page = |frame| GetImportEntriesResponse { frame: Some(frame) }.encode_to_vec();
    push(
        "import_frame_entry",
        "GetImportEntriesResponse",
        page(get_import_entries_response::Frame::Entry(entry())),
    );
    push(
        "import_frame_fragment",
        "GetImportEntriesResponse",
        page(get_import_entries_response::Frame::EntryFragment(EntryFragment {
            data: Bytes::from(entry().encode_to_vec()[..40].to_vec()),
            last: false,
        })),
    );
    push(
        "import_frame_results",
        "GetImportEntriesResponse",
        page(get_import_entries_response::Frame::Results(GetImportEntriesResults {
            custom_data: "watermark=17".into(),
            more_to_import: true,
        })),
    );
    push(
        "import_frame_entry_batch",
        "GetImportEntriesResponse",
        page(get_import_entries_response::Frame::EntryBatch(pb::EntryBatch {
            entries: vec![entry(), CsEntryChange::default(), entry()],
        })),
    );
    push(
        "import_frame_results_empty",
        "GetImportEntriesResponse",
        page(get_import_entries_response::Frame::Results(
            GetImportEntriesResults::default(),
        )),
    );
    push(
        "export_frame_entry",
        "PutExportEntriesRequest",
        PutExportEntriesRequest {
            session_id: "s-1".into(),
            frame: Some(put_export_entries_request::Frame::Entry(entry())),
        }
        .encode_to_vec(),
    );
    push(
        "export_frame_fragment_last",
        "PutExportEntriesRequest",
        PutExportEntriesRequest {
            session_id: "s-1".into(),
            frame: Some(put_export_entries_request::Frame::EntryFragment(EntryFragment {
                data: Bytes::from_static(b"\x0a\x03abc"),
                last: true,
            })),
        }
        .encode_to_vec(),
    );
    push(
        "export_results",
        "PutExportEntriesResponse",
        pb::PutExportEntriesResponse {
            results: Some(pb::PutExportEntriesResults {
                cs_entry_change_results: vec![
                    CsEntryChangeResult {
                        identifier: "6f1c2a34-0e7b-4d4b-9a55-0c4e8f0d7a11".into(),
                        anchor_attributes: entry().attribute_changes[..1].to_vec(),
                        error_code: MaExportError::Success as i32,
                        ..Default::default()
                    },
                    CsEntryChangeResult {
                        identifier: "x".into(),
                        error_code: MaExportError::ExportErrorCustomContinueRun as i32,
                        error_name: "bad".into(),
                        error_detail: "it failed".into(),
                        ..Default::default()
                    },
                ],
            }),
        }
        .encode_to_vec(),
    );
    // Presence: false is written, unset is not; the flags enum list is packed.
    push(
        "capabilities_presence",
        "MACapabilities",
        MaCapabilities {
            distinguished_name_style: pb::MaDistinguishedNameStyle::Ldap as i32,
            object_rename: Some(false),
            delta_import: Some(true),
            full_export: Some(false),
            normalizations: vec![MaNormalization::Uppercase as i32, MaNormalization::RemoveAccents as i32],
            export_type: pb::MaExportType::MultivaluedReferenceAttributeUpdate as i32,
            object_confirmation: pb::MaObjectConfirmation::NoAddAndDeleteConfirmation as i32,
            support_hierarchy: Some(false),
            ..Default::default()
        }
        .encode_to_vec(),
    );
    push(
        "capabilities_unset",
        "MACapabilities",
        MaCapabilities::default().encode_to_vec(),
    );
    push(
        "host_info_request",
        "GetHostInfoRequest",
        pb::GetHostInfoRequest {
            protocol_versions: vec![1, 300, 70000],
            engine_name: "ecma2-bridge".into(),
        }
        .encode_to_vec(),
    );
    push(
        "open_import_negative_page_size",
        "OpenImportConnectionResponse",
        pb::OpenImportConnectionResponse {
            session_id: "s".into(),
            results: Some(pb::OpenImportConnectionResults::default()),
            page_size: -1,
        }
        .encode_to_vec(),
    );
    push(
        "set_password",
        "SetPasswordRequest",
        pb::SetPasswordRequest {
            session_id: "p".into(),
            csentry: Some(pb::CsEntry {
                dn: "CN=a".into(),
                object_class: vec!["top".into(), "person".into()],
                connection_change_time: Some(prost_types::Timestamp {
                    seconds: 1_700_000_000,
                    nanos: 123_456_700,
                }),
                ..Default::default()
            }),
            new_password: Some(pb::Secret {
                value: "hunter2".into(),
            }),
            options: vec![
                pb::PasswordOption::ForceChangeAtLogOn as i32,
                pb::PasswordOption::ValidatePassword as i32,
            ],
        }
        .encode_to_vec(),
    );
    let status = pb::Fault::new(
        FaultKind::NoSuchAttributeInObjectTypeException,
        "no attribute \"x\" on person",
    )
    .at("demo", "GetImportEntries")
    .into_status();
    push("rpc_status_with_fault", "google.rpc.Status", status.details().to_vec());
    v
}

/// A message of `desc` with every field set (lists with two elements, the last oneof case),
/// nested messages filled down to `depth`.
fn filled(desc: &MessageDescriptor, depth: u32) -> DynamicMessage {
    let mut message = DynamicMessage::new(desc.clone());
    if depth == 0 {
        return message;
    }
    for field in desc.fields() {
        let one = |i: i64| -> Value {
            match field.kind() {
                FieldKind::String => Value::String(format!("{}-é{i}", field.name())),
                FieldKind::Bytes => Value::Bytes(Bytes::from(vec![0u8, 1, 0x80, 0xff, i as u8])),
                FieldKind::Bool => Value::Bool(i == 0),
                FieldKind::Int32 => Value::I32(-3 - i as i32),
                FieldKind::Int64 => Value::I64(-1_234_567_890_123 - i),
                FieldKind::Uint32 => Value::U32(300 + i as u32),
                FieldKind::Uint64 => Value::U64(u64::MAX - i as u64),
                FieldKind::Enum(e) => Value::EnumNumber(e.values().map(|v| v.number()).max().unwrap_or(0) - i as i32),
                FieldKind::Message(m) => Value::Message(filled(&m, depth - 1)),
                other => panic!("{}: no filler for {other:?}", field.full_name()),
            }
        };
        if field.is_list() {
            message.set_field(&field, Value::List(vec![one(0), one(1)]));
        } else {
            message.set_field(&field, one(0));
        }
    }
    message
}

fn expected() -> BTreeMap<String, (String, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for (name, ty, bytes) in hand_built() {
        let full = if ty.contains('.') {
            ty.to_owned()
        } else {
            format!("{PACKAGE}.{ty}")
        };
        assert!(
            out.insert(name.to_owned(), (full, bytes)).is_none(),
            "vector {name} twice"
        );
    }
    for desc in pool().all_messages().filter(|m| m.package_name() == PACKAGE) {
        let message = filled(&desc, 3);
        let bytes = message.encode_to_vec();
        // The filled message is canonical: prost-reflect's own decode and re-encode keep it.
        let again = DynamicMessage::decode(desc.clone(), bytes.as_slice())
            .expect("decodes")
            .encode_to_vec();
        assert_eq!(again, bytes, "{} does not re-encode identically", desc.full_name());
        let name = format!("filled_{}", desc.name());
        out.insert(name, (desc.full_name().to_owned(), bytes));
        let _ = message.descriptor();
    }
    out
}

fn index_text(vectors: &BTreeMap<String, (String, Vec<u8>)>) -> String {
    let mut text = String::from("# vector file\tmessage type (written by proto/rust/tests/contract/vectors.rs)\n");
    for (name, (ty, _)) in vectors {
        text.push_str(&format!("{name}.bin\t{ty}\n"));
    }
    text
}

#[test]
fn committed_vectors_match_what_prost_encodes() {
    let vectors = expected();
    let index = index_text(&vectors);
    if std::env::var_os("ECMA2_BLESS_VECTORS").is_some() {
        let _ = fs::remove_dir_all(dir());
        fs::create_dir_all(dir()).expect("creating the vector directory");
        for (name, (_, bytes)) in &vectors {
            fs::write(dir().join(format!("{name}.bin")), bytes).expect("writing a vector");
        }
        fs::write(dir().join("index.tsv"), &index).expect("writing the index");
        return;
    }
    let mut problems = Vec::new();
    if fs::read_to_string(dir().join("index.tsv")).ok().as_deref() != Some(index.as_str()) {
        problems.push("index.tsv".to_owned());
    }
    for (name, (_, bytes)) in &vectors {
        if fs::read(dir().join(format!("{name}.bin"))).ok().as_ref() != Some(bytes) {
            problems.push(format!("{name}.bin"));
        }
    }
    let files = fs::read_dir(dir()).map(|d| d.count()).unwrap_or(0);
    if files != vectors.len() + 1 {
        problems.push(format!("{files} files where {} are expected", vectors.len() + 1));
    }
    assert!(
        problems.is_empty(),
        "proto/testdata/vectors is stale ({problems:?}); rewrite with `ECMA2_BLESS_VECTORS=1 cargo test -p ecma2-proto --test contract vectors`"
    );
}

#[test]
fn every_contract_message_has_a_filled_vector() {
    let vectors = expected();
    let covered: Vec<&String> = vectors.values().map(|(ty, _)| ty).collect();
    for desc in pool().all_messages().filter(|m| m.package_name() == PACKAGE) {
        assert!(
            covered.contains(&&desc.full_name().to_owned()),
            "{} has no vector",
            desc.full_name()
        );
    }
    // The hand-built ones decode with prost's own types as what they claim to be.
    let capabilities = MaCapabilities::decode(vectors["capabilities_presence"].1.as_slice()).expect("decodes");
    assert_eq!(capabilities.object_rename, Some(false));
    assert_eq!(capabilities.concurrent_operation, None);
}
