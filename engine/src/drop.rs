//! Drop files: each change as it crossed, one JSON object per line, readable without protobuf
//! tooling. Binary values are summarized by size; a staged password (the `export_password`
//! attribute) is written as `{"secret": true}`, never in clear.

use ecma2_proto::pb::{CsEntryChange, attribute_value::Kind};
use serde_json::{Value, json};

use crate::stage::PASSWORD_ATTRIBUTE;

fn value_json(value: Option<&ecma2_proto::pb::AttributeValue>) -> Value {
    match value.and_then(|v| v.kind.as_ref()) {
        Some(Kind::StringValue(s)) => json!(s),
        Some(Kind::IntegerValue(i)) => json!(i),
        Some(Kind::BooleanValue(b)) => json!(b),
        Some(Kind::ReferenceValue(r)) => json!({ "ref": r }),
        Some(Kind::BinaryValue(b)) => json!({ "binary_bytes": b.len() }),
        None => Value::Null,
    }
}

/// One change as a JSON object.
pub fn entry_json(entry: &CsEntryChange) -> Value {
    json!({
        "identifier": entry.identifier,
        "modification": entry.object_modification_type().as_str_name(),
        "object_type": entry.object_type,
        "dn": entry.dn,
        "anchors": entry.anchor_attributes.iter().map(|a| json!({ "name": a.name, "value": value_json(a.value.as_ref()) })).collect::<Vec<_>>(),
        "attributes": entry.attribute_changes.iter().map(|a| json!({
            "name": a.name,
            "modification": a.modification_type().as_str_name(),
            "values": a.value_changes.iter().map(|v| json!({
                "modification": v.modification_type().as_str_name(),
                "value": if a.name == PASSWORD_ATTRIBUTE { json!({ "secret": true }) } else { value_json(v.value.as_ref()) },
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "error": if entry.error_name.is_empty() { Value::Null } else { json!({ "code": entry.error_code_import().as_str_name(), "name": entry.error_name, "detail": entry.error_detail }) },
    })
}
