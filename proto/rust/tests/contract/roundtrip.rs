//! Wire round trips of the change model: every attribute value type and modification type, the
//! import and export error codes, entries far larger than one gRPC message (framed and
//! reassembled), MACapabilities presence, and the forward compatibility the stability policy
//! promises (unknown enum values and unknown fields are tolerated).

use std::collections::BTreeSet;

use bytes::Bytes;
use ecma2_proto::frames::{self, FRAGMENT_SIZE, Framed, MAX_MESSAGE_BYTES, Reassembler};
use ecma2_proto::pb::{
    AnchorAttribute, AttributeChange, AttributeModificationType, AttributeType, AttributeValue, CsEntryChange,
    CsEntryChangeResult, GetImportEntriesResponse, MaCapabilities, MaExportError, MaImportError,
    ObjectModificationType, PutExportEntriesRequest, PutExportEntriesResponse, PutExportEntriesResults, ValueChange,
    ValueModificationType, attribute_value::Kind, get_import_entries_response, put_export_entries_request,
};
use prost::Message;
use prost_reflect::DynamicMessage;

use crate::support::pool;

/// The non-zero wire values of a contract enum, from the descriptors (so a value added to the
/// proto is covered here without editing the test).
fn wire_values(enum_name: &str) -> Vec<i32> {
    pool()
        .get_enum_by_name(enum_name)
        .unwrap_or_else(|| panic!("{enum_name} exists"))
        .values()
        .map(|v| v.number())
        .filter(|n| *n != 0)
        .collect()
}

#[track_caller]
fn round_trip<M: Message + Default + PartialEq + std::fmt::Debug>(message: &M) -> M {
    let decoded = M::decode(message.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(&decoded, message, "the message changed on the wire");
    decoded
}

fn value(kind: Kind) -> Option<AttributeValue> {
    Some(AttributeValue { kind: Some(kind) })
}

fn add(kind: Kind) -> ValueChange {
    ValueChange {
        value: value(kind),
        modification_type: ValueModificationType::Add as i32,
    }
}

fn delete(kind: Kind) -> ValueChange {
    ValueChange {
        value: value(kind),
        modification_type: ValueModificationType::Delete as i32,
    }
}

fn change(
    name: &str,
    data_type: AttributeType,
    multi: bool,
    modification: AttributeModificationType,
    values: Vec<ValueChange>,
) -> AttributeChange {
    AttributeChange {
        name: name.into(),
        data_type: data_type as i32,
        is_multi_valued: multi,
        modification_type: modification as i32,
        value_changes: values,
    }
}

/// An entry using every attribute value type, every attribute and value modification type, all
/// three anchor value types, and an import error.
fn full_entry(object_modification: i32) -> CsEntryChange {
    use AttributeModificationType as A;
    use AttributeType as T;
    CsEntryChange {
        identifier: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
        object_modification_type: object_modification,
        object_type: "person".into(),
        dn: r"CN=Ångström\, Zoë,OU=People,DC=example,DC=test".into(),
        anchor_attributes: vec![
            AnchorAttribute {
                name: "objectGUID".into(),
                data_type: T::Binary as i32,
                value: value(Kind::BinaryValue(Bytes::from_static(&[0x00, 0xFF, 0x10, 0x80]))),
            },
            AnchorAttribute {
                name: "employeeId".into(),
                data_type: T::Integer as i32,
                value: value(Kind::IntegerValue(i64::MIN)),
            },
            AnchorAttribute {
                name: "uid".into(),
                data_type: T::Undefined as i32,
                value: value(Kind::StringValue("zoe".into())),
            },
        ],
        attribute_changes: vec![
            change(
                "displayName",
                T::String,
                false,
                A::Add,
                vec![add(Kind::StringValue("Zoë Ångström ✓ 日本".into()))],
            ),
            change(
                "description",
                T::String,
                true,
                A::Add,
                vec![add(Kind::StringValue(String::new()))],
            ),
            change(
                "employeeNumber",
                T::Integer,
                true,
                A::Replace,
                vec![
                    add(Kind::IntegerValue(i64::MIN)),
                    add(Kind::IntegerValue(i64::MAX)),
                    add(Kind::IntegerValue(0)),
                    add(Kind::IntegerValue(-1)),
                ],
            ),
            change(
                "manager",
                T::Reference,
                true,
                A::Update,
                vec![
                    add(Kind::ReferenceValue("CN=Boss,OU=People,DC=example,DC=test".into())),
                    delete(Kind::ReferenceValue("CN=Old Boss,OU=People,DC=example,DC=test".into())),
                ],
            ),
            change(
                "thumbnailPhoto",
                T::Binary,
                true,
                A::Replace,
                vec![
                    add(Kind::BinaryValue(Bytes::from((0..=255u8).collect::<Vec<_>>()))),
                    add(Kind::BinaryValue(Bytes::new())),
                ],
            ),
            change(
                "accountEnabled",
                T::Boolean,
                false,
                A::Add,
                vec![add(Kind::BooleanValue(false))],
            ),
            change(
                "isAdmin",
                T::Boolean,
                false,
                A::Replace,
                vec![add(Kind::BooleanValue(true))],
            ),
            change("obsoleteAttribute", T::String, false, A::Delete, vec![]),
            change(
                "DN",
                T::Undefined,
                true,
                A::Unconfigured,
                vec![ValueChange {
                    value: value(Kind::StringValue("CN=Zoë,OU=Moved,DC=example,DC=test".into())),
                    modification_type: ValueModificationType::Unconfigured as i32,
                }],
            ),
        ],
        error_code_import: MaImportError::ImportErrorCustomContinueRun as i32,
        error_name: "invalid-manager".into(),
        error_detail: "the manager\nCN=Nobody does not exist".into(),
    }
}

#[test]
fn the_sample_entry_really_uses_every_type() {
    let entry = full_entry(ObjectModificationType::Update as i32);
    let attribute_mods: BTreeSet<i32> = entry.attribute_changes.iter().map(|c| c.modification_type).collect();
    let value_mods: BTreeSet<i32> = entry
        .attribute_changes
        .iter()
        .flat_map(|c| c.value_changes.iter().map(|v| v.modification_type))
        .collect();
    let data_types: BTreeSet<i32> = entry
        .attribute_changes
        .iter()
        .map(|c| c.data_type)
        .chain(entry.anchor_attributes.iter().map(|a| a.data_type))
        .collect();
    assert_eq!(
        attribute_mods,
        wire_values("ecma2.v1.AttributeModificationType").into_iter().collect()
    );
    assert_eq!(
        value_mods,
        wire_values("ecma2.v1.ValueModificationType").into_iter().collect()
    );
    assert_eq!(data_types, wire_values("ecma2.v1.AttributeType").into_iter().collect());
    let kinds: BTreeSet<&str> = entry
        .attribute_changes
        .iter()
        .flat_map(|c| &c.value_changes)
        .filter_map(|v| v.value.as_ref()?.kind.as_ref())
        .map(|k| match k {
            Kind::StringValue(_) => "string",
            Kind::IntegerValue(_) => "integer",
            Kind::ReferenceValue(_) => "reference",
            Kind::BinaryValue(_) => "binary",
            Kind::BooleanValue(_) => "boolean",
        })
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
}

#[test]
fn entries_round_trip_for_every_object_modification_type() {
    let types = wire_values("ecma2.v1.ObjectModificationType");
    assert_eq!(types.len(), 6);
    for object_modification in types {
        let entry = full_entry(object_modification);
        let decoded = round_trip(&entry);
        assert_eq!(
            decoded.object_modification_type(),
            ObjectModificationType::try_from(object_modification).unwrap()
        );
        // Empty strings, empty bytes and false are values, not absence.
        let description = &decoded.attribute_changes[1].value_changes[0];
        assert_eq!(description.value, value(Kind::StringValue(String::new())));
        let enabled = &decoded.attribute_changes[5].value_changes[0];
        assert_eq!(enabled.value, value(Kind::BooleanValue(false)));
        assert_eq!(
            decoded.attribute_changes[4].value_changes[1].value,
            value(Kind::BinaryValue(Bytes::new()))
        );
        assert_eq!(
            decoded.attribute_changes[2].value_changes[..2],
            [add(Kind::IntegerValue(i64::MIN)), add(Kind::IntegerValue(i64::MAX))]
        );

        // The same entry inside the stream frames of both directions.
        round_trip(&GetImportEntriesResponse {
            frame: Some(get_import_entries_response::Frame::Entry(entry.clone())),
        });
        round_trip(&PutExportEntriesRequest {
            session_id: "3b241101-e2bb-4255-8caf-4136c566a962".into(),
            frame: Some(put_export_entries_request::Frame::Entry(entry)),
        });
    }
}

#[test]
fn every_import_error_code_round_trips() {
    let codes = wire_values("ecma2.v1.MAImportError");
    assert_eq!(codes.len(), 17);
    for code in codes {
        let entry = CsEntryChange {
            error_code_import: code,
            error_name: format!("error-{code}"),
            error_detail: "detail".into(),
            ..full_entry(ObjectModificationType::Add as i32)
        };
        let decoded = round_trip(&entry);
        assert_eq!(decoded.error_code_import(), MaImportError::try_from(code).unwrap());
    }
}

#[test]
fn a_fifty_mib_value_crosses_in_fragments_and_comes_back_whole() {
    const SIZE: usize = 50 * 1024 * 1024;
    let mut photo = vec![0u8; SIZE];
    for (i, byte) in photo.iter_mut().enumerate() {
        *byte = (i % 251) as u8;
    }
    let mut entry = full_entry(ObjectModificationType::Add as i32);
    entry.attribute_changes.push(change(
        "jpegPhoto",
        AttributeType::Binary,
        false,
        AttributeModificationType::Add,
        vec![add(Kind::BinaryValue(Bytes::from(photo)))],
    ));
    let encoded_len = entry.encoded_len();
    assert!(
        encoded_len > MAX_MESSAGE_BYTES,
        "the entry must not fit in one gRPC message"
    );

    round_trip(&entry);

    let Framed::Fragments(fragments) = frames::frame(entry.clone()) else {
        panic!("a 50 MiB entry must be fragmented");
    };
    assert_eq!(fragments.len(), encoded_len.div_ceil(FRAGMENT_SIZE));
    assert_eq!(fragments.iter().map(|f| f.data.len()).sum::<usize>(), encoded_len);
    for (i, fragment) in fragments.iter().enumerate() {
        assert!(
            fragment.data.len() <= FRAGMENT_SIZE,
            "fragment {i} is {} bytes",
            fragment.data.len()
        );
        assert_eq!(
            fragment.last,
            i + 1 == fragments.len(),
            "only the final fragment is last"
        );
        let frame = GetImportEntriesResponse {
            frame: Some(get_import_entries_response::Frame::EntryFragment(fragment.clone())),
        };
        assert!(frame.encoded_len() <= MAX_MESSAGE_BYTES);
    }

    let mut reassembler = Reassembler::default();
    let count = fragments.len();
    let mut rebuilt = None;
    for (i, fragment) in fragments.into_iter().enumerate() {
        let out = reassembler.push(fragment).expect("fragments reassemble");
        if i + 1 < count {
            assert!(out.is_none(), "an entry came out before its last fragment");
            assert!(reassembler.is_pending());
        } else {
            rebuilt = out;
        }
    }
    reassembler.ensure_idle().expect("nothing left over");
    assert_eq!(rebuilt.as_ref(), Some(&entry));

    let small = full_entry(ObjectModificationType::Update as i32);
    assert_eq!(frames::frame(small.clone()), Framed::Whole(small));
}

#[test]
fn export_results_round_trip_with_every_export_error() {
    let codes = wire_values("ecma2.v1.MAExportError");
    assert_eq!(codes.len(), 27);
    let results: Vec<CsEntryChangeResult> = codes
        .iter()
        .map(|&code| CsEntryChangeResult {
            identifier: format!("00000000-0000-4000-8000-{code:012}"),
            anchor_attributes: vec![
                change(
                    "objectGUID",
                    AttributeType::Binary,
                    false,
                    AttributeModificationType::Add,
                    vec![add(Kind::BinaryValue(Bytes::from(vec![code as u8; 16])))],
                ),
                change(
                    "employeeId",
                    AttributeType::Integer,
                    false,
                    AttributeModificationType::Replace,
                    vec![add(Kind::IntegerValue(i64::from(code) - 1000))],
                ),
            ],
            error_code: code,
            error_name: if code == MaExportError::Success as i32 {
                String::new()
            } else {
                format!("export-error-{code}")
            },
            error_detail: format!("detail for {code}"),
        })
        .collect();
    let response = PutExportEntriesResponse {
        results: Some(PutExportEntriesResults {
            cs_entry_change_results: results.clone(),
        }),
    };
    let decoded = round_trip(&response);
    let decoded = decoded.results.expect("results").cs_entry_change_results;
    assert_eq!(decoded.len(), 27);
    for (result, code) in decoded.iter().zip(codes) {
        assert_eq!(result.error_code(), MaExportError::try_from(code).unwrap());
        assert_eq!(result.anchor_attributes.len(), 2);
    }
    for result in &results {
        round_trip(result);
    }
}

/// A boolean capability: its proto field name and how to read it.
type CapabilityFlag = (&'static str, fn(&MaCapabilities) -> Option<bool>);

/// The thirteen optional booleans of MACapabilities.
fn capability_flags() -> [CapabilityFlag; 13] {
    [
        ("object_rename", |c| c.object_rename),
        ("no_reference_values_in_first_export", |c| {
            c.no_reference_values_in_first_export
        }),
        ("delta_import", |c| c.delta_import),
        ("concurrent_operation", |c| c.concurrent_operation),
        ("delete_add_as_replace", |c| c.delete_add_as_replace),
        ("export_password_in_first_pass", |c| c.export_password_in_first_pass),
        ("full_export", |c| c.full_export),
        ("is_dn_as_anchor", |c| c.is_dn_as_anchor),
        ("support_import", |c| c.support_import),
        ("support_export", |c| c.support_export),
        ("support_partitions", |c| c.support_partitions),
        ("support_password", |c| c.support_password),
        ("support_hierarchy", |c| c.support_hierarchy),
    ]
}

fn all_flags(value: Option<bool>) -> MaCapabilities {
    MaCapabilities {
        object_rename: value,
        no_reference_values_in_first_export: value,
        delta_import: value,
        concurrent_operation: value,
        delete_add_as_replace: value,
        export_password_in_first_pass: value,
        full_export: value,
        is_dn_as_anchor: value,
        support_import: value,
        support_export: value,
        support_partitions: value,
        support_password: value,
        support_hierarchy: value,
        ..Default::default()
    }
}

#[test]
fn every_capability_boolean_has_presence() {
    let descriptor = pool()
        .get_message_by_name("ecma2.v1.MACapabilities")
        .expect("MACapabilities");
    let bools: BTreeSet<String> = descriptor
        .fields()
        .filter(|f| matches!(f.kind(), prost_reflect::Kind::Bool))
        .map(|f| {
            assert!(f.supports_presence(), "{} must be `optional bool`", f.full_name());
            f.name().to_owned()
        })
        .collect();
    let listed: BTreeSet<String> = capability_flags().iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(bools, listed, "the test lists every boolean capability");
}

#[test]
fn unset_capabilities_decode_as_absent_so_ecma2_defaults_apply() {
    let unset = MaCapabilities::default();
    let bytes = unset.encode_to_vec();
    assert!(bytes.is_empty(), "nothing set means nothing on the wire");
    let decoded = MaCapabilities::decode(bytes.as_slice()).unwrap();
    for (name, get) in capability_flags() {
        assert_eq!(get(&decoded), None, "{name}");
    }
    assert_eq!(decoded.distinguished_name_style, 0, "UNSPECIFIED, read as Generic");
    assert_eq!(decoded.object_confirmation, 0, "UNSPECIFIED, read as Normal");
    assert_eq!(decoded.export_type, 0, "UNSPECIFIED, read as ObjectReplace");
    assert!(decoded.normalizations.is_empty(), "None");

    for explicit in [false, true] {
        let capabilities = all_flags(Some(explicit));
        let encoded = capabilities.encode_to_vec();
        let decoded = round_trip(&capabilities);
        for (name, get) in capability_flags() {
            assert_eq!(get(&decoded), Some(explicit), "{name} = {explicit} must survive");
        }
        let dynamic = DynamicMessage::decode(
            pool().get_message_by_name("ecma2.v1.MACapabilities").unwrap(),
            encoded.as_slice(),
        )
        .unwrap();
        for (name, _) in capability_flags() {
            assert!(
                dynamic.has_field_by_name(name),
                "{name} = {explicit} is present on the wire"
            );
        }
    }
}

#[test]
fn unknown_enum_values_and_unknown_fields_are_tolerated() {
    // A newer peer may send an enum value this build does not know: it is kept as a number and
    // the typed getter falls back to the default.
    let entry = CsEntryChange {
        object_modification_type: 42,
        error_code_import: 99,
        ..Default::default()
    };
    let decoded = round_trip(&entry);
    assert_eq!(decoded.object_modification_type, 42);
    assert_eq!(decoded.object_modification_type(), ObjectModificationType::Unspecified);
    assert_eq!(decoded.error_code_import(), MaImportError::Unspecified);

    // A newer peer may send fields this build does not know: they are skipped.
    let entry = full_entry(ObjectModificationType::Add as i32);
    let mut bytes = entry.encode_to_vec();
    prost::encoding::encode_key(1000, prost::encoding::WireType::Varint, &mut bytes);
    prost::encoding::encode_varint(7, &mut bytes);
    prost::encoding::string::encode(1001, &"from the future".to_owned(), &mut bytes);
    let decoded = CsEntryChange::decode(bytes.as_slice()).expect("unknown fields are skipped");
    assert_eq!(decoded, entry);
}
