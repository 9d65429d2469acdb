//! Staging: changes waiting for the next export, read from JSON Lines (one change a line, typed
//! by the connector's schema) or taken from another connector's space.

use std::collections::HashMap;

use ecma2_proto::pb::*;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::space::Space;

/// The attribute a staged password travels in.
pub const PASSWORD_ATTRIBUTE: &str = "export_password";

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidChange(reason.into())
}

pub(crate) fn string(s: impl Into<String>) -> AttributeValue {
    AttributeValue {
        kind: Some(attribute_value::Kind::StringValue(s.into())),
    }
}

/// Attribute name → (type, multi-valued), across every type of the schema.
pub type AttrTypes = HashMap<String, (AttributeType, bool)>;

/// Builds the attribute type map.
pub fn attr_types(schema: &Schema) -> AttrTypes {
    let mut map = HashMap::new();
    for t in &schema.types {
        for a in &t.attributes {
            map.entry(a.name.clone()).or_insert((a.data_type(), a.is_multi_valued));
        }
    }
    map
}

fn json_value(name: &str, value: &Value, types: &AttrTypes) -> Result<AttributeValue> {
    let (ty, _) = types.get(name).copied().unwrap_or((AttributeType::String, false));
    use attribute_value::Kind;
    let kind = match (ty, value) {
        (AttributeType::Reference, Value::String(s)) => Kind::ReferenceValue(s.clone()),
        (AttributeType::Reference, Value::Object(o)) if o.get("ref").is_some_and(Value::is_string) => {
            Kind::ReferenceValue(o["ref"].as_str().unwrap_or_default().to_owned())
        }
        (AttributeType::Integer, Value::Number(n)) => Kind::IntegerValue(
            n.as_i64()
                .ok_or_else(|| invalid(format!("attribute {name}: {n} is not a 64-bit integer")))?,
        ),
        (AttributeType::Boolean, Value::Bool(b)) => Kind::BooleanValue(*b),
        (AttributeType::String, Value::String(s)) => Kind::StringValue(s.clone()),
        (AttributeType::Binary, Value::String(hex)) => Kind::BinaryValue(
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("x"), 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| invalid(format!("attribute {name}: binary values are hex strings")))?
                .into(),
        ),
        (ty, v) => return Err(invalid(format!("attribute {name} is {ty:?}; {v} does not fit"))),
    };
    Ok(AttributeValue { kind: Some(kind) })
}

fn json_values(name: &str, value: &Value, types: &AttrTypes) -> Result<Vec<AttributeValue>> {
    match value {
        Value::Array(items) => items.iter().map(|v| json_value(name, v, types)).collect(),
        Value::Null => Ok(Vec::new()),
        v => Ok(vec![json_value(name, v, types)?]),
    }
}

pub(crate) fn values(
    name: &str,
    data_type: AttributeType,
    multi: bool,
    m: AttributeModificationType,
    vs: Vec<AttributeValue>,
) -> AttributeChange {
    AttributeChange {
        name: name.to_owned(),
        data_type: data_type as i32,
        is_multi_valued: multi,
        modification_type: m as i32,
        value_changes: vs
            .into_iter()
            .map(|v| ValueChange {
                value: Some(v),
                modification_type: ValueModificationType::Add as i32,
            })
            .collect(),
    }
}

/// Parses one staged JSON line:
/// `{"op":"add|update|delete","type":"user","dn":"CN=..","attrs":{..},"add":{..},"remove":{..},
/// "clear":[..],"password":"..","newDn":"CN=.."}`. `newDn` (updates only) renames the object: it
/// becomes the ECMA2 "DN" attribute change, exported when the connector's ObjectRename allows.
pub fn parse_change(line: &str, types: &AttrTypes) -> Result<CsEntryChange> {
    let v: Value = serde_json::from_str(line).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let op = v
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("missing \"op\""))?;
    let dn = v
        .get("dn")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("missing \"dn\""))?
        .to_owned();
    let object_type = v.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
    let kind = match op {
        "add" => ObjectModificationType::Add,
        "update" => ObjectModificationType::Update,
        "delete" => ObjectModificationType::Delete,
        other => {
            return Err(invalid(format!("\"op\" is {other:?}; expected add, update or delete")));
        }
    };
    if kind == ObjectModificationType::Add && object_type.is_empty() {
        return Err(invalid("an add needs \"type\""));
    }
    let mut changes = Vec::new();
    let set_kind = if kind == ObjectModificationType::Add {
        AttributeModificationType::Add
    } else {
        AttributeModificationType::Replace
    };
    if let Some(Value::Object(attrs)) = v.get("attrs") {
        for (name, value) in attrs {
            let (ty, multi) = types.get(name).copied().unwrap_or((AttributeType::String, false));
            changes.push(values(name, ty, multi, set_kind, json_values(name, value, types)?));
        }
    }
    for (key, vm) in [
        ("add", ValueModificationType::Add),
        ("remove", ValueModificationType::Delete),
    ] {
        if let Some(Value::Object(attrs)) = v.get(key) {
            if kind != ObjectModificationType::Update {
                return Err(invalid(format!("\"{key}\" is only for updates")));
            }
            for (name, value) in attrs {
                let (ty, multi) = types.get(name).copied().unwrap_or((AttributeType::String, true));
                let mut change = values(
                    name,
                    ty,
                    multi,
                    AttributeModificationType::Update,
                    json_values(name, value, types)?,
                );
                change
                    .value_changes
                    .iter_mut()
                    .for_each(|c| c.modification_type = vm as i32);
                match changes
                    .iter_mut()
                    .find(|c| c.name == *name && c.modification_type() == AttributeModificationType::Update)
                {
                    Some(existing) => existing.value_changes.extend(change.value_changes),
                    None => changes.push(change),
                }
            }
        }
    }
    if let Some(Value::Array(names)) = v.get("clear") {
        for name in names.iter().filter_map(Value::as_str) {
            let (ty, multi) = types.get(name).copied().unwrap_or((AttributeType::String, false));
            changes.push(values(name, ty, multi, AttributeModificationType::Delete, Vec::new()));
        }
    }
    if let Some(new_dn) = v.get("newDn") {
        let new_dn = new_dn
            .as_str()
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| invalid("\"newDn\" must be a non-empty DN string"))?;
        if kind != ObjectModificationType::Update {
            return Err(invalid("\"newDn\" (a rename) is only for updates"));
        }
        changes.push(values(
            crate::export::RENAME_ATTRIBUTE,
            AttributeType::String,
            false,
            AttributeModificationType::Replace,
            vec![string(new_dn)],
        ));
    }
    if let Some(password) = v.get("password").and_then(Value::as_str) {
        changes.push(values(
            PASSWORD_ATTRIBUTE,
            AttributeType::String,
            false,
            set_kind,
            vec![string(password)],
        ));
    }
    Ok(CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: kind as i32,
        object_type,
        dn,
        attribute_changes: changes,
        ..Default::default()
    })
}

/// Stages every object of `source`'s connector space that `target` lacks (by DN) as an add.
pub fn stage_from(space: &Space, source: &str, target: &str, limit: usize) -> Result<usize> {
    let mut staged = 0;
    for (_, object_type) in space.types(source)? {
        for mut object in space.sample(source, &object_type, limit)? {
            if space.get_by_dn(target, &object.dn)?.is_some() {
                continue;
            }
            object.identifier = uuid::Uuid::new_v4().to_string();
            object.anchor_attributes.clear();
            object.object_modification_type = ObjectModificationType::Add as i32;
            space.stage(target, &object)?;
            staged += 1;
        }
    }
    Ok(staged)
}

/// The keys a staged line may have.
pub const LINE_KEYS: &[&str] = &["op", "type", "dn", "attrs", "add", "remove", "clear", "password"];

/// Parses one staged line and checks it against the connector's schema: no key outside
/// [`LINE_KEYS`], an object type the schema has (an update or delete may leave it out), and
/// only attributes of that type. Values are typed by the type's own attributes.
pub fn parse_checked(line: &str, schema: &Schema) -> Result<CsEntryChange> {
    let v: Value = serde_json::from_str(line).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let Value::Object(map) = &v else {
        return Err(invalid("a staged change is a JSON object"));
    };
    if let Some(key) = map.keys().find(|k| !LINE_KEYS.contains(&k.as_str())) {
        return Err(invalid(format!(
            "unknown key {key:?}; a staged change has {}",
            LINE_KEYS.join(", ")
        )));
    }
    let object_type = map.get("type").and_then(Value::as_str).unwrap_or_default();
    let types = if object_type.is_empty() {
        attr_types(schema)
    } else {
        let t = schema_type(schema, object_type)?;
        let mut one = AttrTypes::new();
        for a in &t.attributes {
            one.insert(a.name.clone(), (a.data_type(), a.is_multi_valued));
        }
        one
    };
    let change = parse_change(line, &types)?;
    if change.dn.trim().is_empty() {
        return Err(invalid("\"dn\" is empty"));
    }
    // Without a type (an update or delete), the caller checks once it knows the object's type.
    if !change.object_type.is_empty() {
        check_attributes(&change, schema)?;
    }
    Ok(change)
}

/// The schema's type `name`, or an error naming the types it has.
pub fn schema_type<'s>(schema: &'s Schema, name: &str) -> Result<&'s SchemaType> {
    schema.types.iter().find(|t| t.name == name).ok_or_else(|| {
        let known: Vec<&str> = schema.types.iter().map(|t| t.name.as_str()).collect();
        invalid(format!(
            "object type {name:?} is not in the connector's schema; it has {}",
            known.join(", ")
        ))
    })
}

/// Checks that every attribute of `change` belongs to its object type (every type, when the
/// change names none).
pub fn check_attributes(change: &CsEntryChange, schema: &Schema) -> Result<()> {
    let in_type: Vec<&SchemaType> = if change.object_type.is_empty() {
        schema.types.iter().collect()
    } else {
        vec![schema_type(schema, &change.object_type)?]
    };
    for a in &change.attribute_changes {
        if a.name == PASSWORD_ATTRIBUTE {
            continue;
        }
        if !in_type.iter().any(|t| t.attributes.iter().any(|s| s.name == a.name)) {
            let mut known: Vec<&str> = in_type
                .iter()
                .flat_map(|t| t.attributes.iter().map(|s| s.name.as_str()))
                .collect();
            known.sort_unstable();
            known.dedup();
            let close = known.iter().find(|k| k.eq_ignore_ascii_case(&a.name));
            return Err(invalid(match close {
                Some(k) => format!("attribute {:?} is not in the schema (did you mean {k:?}?)", a.name),
                None => format!(
                    "attribute {:?} is not an attribute of {}; it has {}",
                    a.name,
                    if change.object_type.is_empty() {
                        "any object type".to_owned()
                    } else {
                        format!("{:?}", change.object_type)
                    },
                    known.join(", ")
                ),
            }));
        }
    }
    Ok(())
}

#[cfg(test)]
mod checks {
    use super::*;

    fn schema() -> Schema {
        let attribute = |name: &str| SchemaAttribute {
            name: name.into(),
            data_type: AttributeType::String as i32,
            ..Default::default()
        };
        Schema {
            types: vec![SchemaType {
                name: "user".into(),
                attributes: vec![attribute("cn"), attribute("mail")],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn unknown_keys_types_and_attributes_are_refused_by_name() {
        let s = schema();
        let ok = parse_checked(r#"{"op":"add","type":"user","dn":"CN=a","attrs":{"mail":"a@x"}}"#, &s).unwrap();
        assert_eq!(ok.attribute_changes.len(), 1);
        for (line, expect) in [
            (
                r#"{"op":"add","type":"user","dn":"CN=a","atrs":{}}"#,
                "unknown key \"atrs\"",
            ),
            (r#"{"op":"add","type":"usr","dn":"CN=a"}"#, "object type \"usr\""),
            (
                r#"{"op":"add","type":"user","dn":"CN=a","attrs":{"mial":"x"}}"#,
                "\"mial\"",
            ),
            (
                r#"{"op":"add","type":"user","dn":"CN=a","attrs":{"Mail":"x"}}"#,
                "did you mean \"mail\"",
            ),
            (r#"{"op":"update","dn":"","attrs":{"mail":"x"}}"#, "\"dn\" is empty"),
        ] {
            let error = parse_checked(line, &s).unwrap_err().to_string();
            assert!(error.contains(expect), "{line}: {error}");
        }
    }
}
