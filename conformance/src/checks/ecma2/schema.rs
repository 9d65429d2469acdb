//! `schema-anchors`: every object type has an anchor (or is unlocked, so the administrator can
//! pick one, or the connector uses the DN as anchor); anchors are single-valued and importable;
//! and a full import carries, on every object, exactly the anchor attributes its type declares,
//! with values of their declared type, no two objects sharing one.

use std::collections::{HashMap, HashSet};

use ecma2_proto::pb::attribute_value::Kind;
use ecma2_proto::pb::*;

use super::support::{describe, import};
use crate::check::{Category, Check, Failure, Need, Outcome};
use crate::run_fn;
use crate::subject::Subject;

/// The checks of this module.
pub fn checks() -> Vec<Check> {
    vec![Check {
        id: "schema-anchors",
        category: Category::Ecma2,
        rule: "every object type has an anchor among its attributes, single-valued and importable, and every imported object carries exactly that anchor",
        writes: None,
        needs: &[Need::Interface(Ecma2Interface::GetSchema)],
        doc: "docs/connector-rules.md#schema-anchors",
        run: run_fn!(anchors),
    }]
}

/// What the schema alone says is wrong, and the types that legitimately have no anchor.
pub fn schema_problems(schema: &Schema, dn_is_anchor: bool) -> (Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let mut unanchored = Vec::new();
    for t in &schema.types {
        let mut names = HashSet::new();
        for a in &t.attributes {
            if !names.insert(a.name.as_str()) {
                problems.push(format!("{} lists attribute {} twice", t.name, a.name));
            }
        }
        let anchors: Vec<&SchemaAttribute> = t.attributes.iter().filter(|a| a.is_anchor).collect();
        if anchors.is_empty() {
            if t.locked && !dn_is_anchor {
                problems.push(format!(
                    "{} is locked but has no anchor attribute: nobody can choose one",
                    t.name
                ));
            } else {
                unanchored.push(t.name.clone());
            }
        }
        for a in anchors {
            if a.is_multi_valued {
                problems.push(format!("anchor {}.{} is multi-valued", t.name, a.name));
            }
            if a.allowed_attribute_operation() == AttributeOperation::ExportOnly {
                problems.push(format!(
                    "anchor {}.{} is ExportOnly: imported objects could never carry it",
                    t.name, a.name
                ));
            }
            if matches!(a.data_type(), AttributeType::Unspecified | AttributeType::Undefined) {
                problems.push(format!("anchor {}.{} has no data type", t.name, a.name));
            }
        }
    }
    (problems, unanchored)
}

fn kind_matches(value: Option<&AttributeValue>, data_type: AttributeType) -> bool {
    match value.and_then(|v| v.kind.as_ref()) {
        Some(Kind::StringValue(_)) => data_type == AttributeType::String,
        Some(Kind::IntegerValue(_)) => data_type == AttributeType::Integer,
        Some(Kind::ReferenceValue(_)) => data_type == AttributeType::Reference,
        Some(Kind::BinaryValue(_)) => data_type == AttributeType::Binary,
        Some(Kind::BooleanValue(_)) => data_type == AttributeType::Boolean,
        None => false,
    }
}

/// What a full import shows wrong about anchors.
pub fn import_problems(schema: &Schema, entries: &[CsEntryChange]) -> Vec<String> {
    let types: HashMap<&str, &SchemaType> = schema.types.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut problems = Vec::new();
    let mut seen: HashMap<(String, Vec<String>), String> = HashMap::new();
    for entry in entries {
        if !matches!(
            entry.error_code_import(),
            MaImportError::Success | MaImportError::Unspecified
        ) {
            continue;
        }
        let Some(t) = types.get(entry.object_type.as_str()) else {
            problems.push(format!(
                "{} has object type {:?}, which the schema does not have",
                entry.dn, entry.object_type
            ));
            continue;
        };
        let declared: Vec<&SchemaAttribute> = t.attributes.iter().filter(|a| a.is_anchor).collect();
        if declared.is_empty() {
            continue;
        }
        let mut carried: Vec<&str> = entry.anchor_attributes.iter().map(|a| a.name.as_str()).collect();
        carried.sort_unstable();
        let mut wanted: Vec<&str> = declared.iter().map(|a| a.name.as_str()).collect();
        wanted.sort_unstable();
        if carried != wanted {
            problems.push(format!(
                "{} carries anchor attributes {carried:?}; its type {} declares {wanted:?}",
                describe(entry),
                t.name
            ));
            continue;
        }
        for a in &entry.anchor_attributes {
            let attribute = declared
                .iter()
                .find(|d| d.name == a.name)
                .expect("names compared above");
            if !kind_matches(a.value.as_ref(), attribute.data_type()) {
                problems.push(format!(
                    "{}: anchor {} is {:?}, not a {} value",
                    entry.dn,
                    a.name,
                    a.value.as_ref().and_then(|v| v.kind.as_ref()),
                    attribute.data_type().as_str_name()
                ));
            }
        }
        let mut values: Vec<String> = entry
            .anchor_attributes
            .iter()
            .map(|a| format!("{}={}", a.name, ecma2_engine::space::value_text(a.value.as_ref())))
            .collect();
        values.sort();
        if let Some(other) = seen.insert((entry.object_type.clone(), values.clone()), entry.dn.clone()) {
            problems.push(format!(
                "{} and {other} share the anchor {}",
                entry.dn,
                values.join(",")
            ));
        }
    }
    problems
}

async fn anchors(s: &Subject<'_>) -> Result<Outcome, Failure> {
    if s.schema.types.is_empty() {
        return Ok(Outcome::fail("the schema has no object types"));
    }
    let dn_is_anchor = s.caps.is_dn_as_anchor.unwrap_or(false);
    let (mut problems, unanchored) = schema_problems(&s.schema, dn_is_anchor);
    let mut seen = "the schema alone (the connector does not import)".to_owned();
    if s.has(Ecma2Interface::CallImport) {
        let (entries, _) = import(s, false, "", None).await?;
        seen = format!("the schema and a full import of {} objects", entries.len());
        problems.extend(import_problems(&s.schema, &entries));
    }
    if !problems.is_empty() {
        let count = problems.len();
        problems.truncate(5);
        return Ok(Outcome::fail(format!("{count} problem(s): {}", problems.join("; ")))
            .sent("GetSchema; a full import")
            .received(seen));
    }
    let note = if unanchored.is_empty() {
        String::new()
    } else {
        format!(
            "; {} has no anchor (allowed: not locked, the administrator picks one)",
            unanchored.join(", ")
        )
    };
    Ok(Outcome::pass(format!(
        "{} object types: anchors hold in {seen}{note}",
        s.schema.types.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str, anchor: bool) -> SchemaAttribute {
        SchemaAttribute {
            name: name.into(),
            is_anchor: anchor,
            data_type: AttributeType::String as i32,
            ..Default::default()
        }
    }

    fn schema(locked: bool, anchor: bool) -> Schema {
        Schema {
            types: vec![SchemaType {
                name: "person".into(),
                locked,
                attributes: vec![attribute("id", anchor), attribute("cn", false)],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn entry(anchor: &str, value: &str) -> CsEntryChange {
        CsEntryChange {
            object_modification_type: ObjectModificationType::Add as i32,
            object_type: "person".into(),
            dn: format!("CN={value}"),
            anchor_attributes: vec![AnchorAttribute {
                name: anchor.into(),
                data_type: AttributeType::String as i32,
                value: Some(AttributeValue {
                    kind: Some(Kind::StringValue(value.into())),
                }),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_locked_type_without_an_anchor_is_a_problem_an_unlocked_one_is_not() {
        assert_eq!(schema_problems(&schema(true, false), false).0.len(), 1);
        let (problems, unanchored) = schema_problems(&schema(false, false), false);
        assert!(problems.is_empty());
        assert_eq!(unanchored, ["person"]);
        assert!(schema_problems(&schema(true, true), false).0.is_empty());
    }

    #[test]
    fn imported_anchors_must_be_the_declared_ones_and_unique() {
        let s = schema(true, true);
        assert!(import_problems(&s, &[entry("id", "1"), entry("id", "2")]).is_empty());
        assert_eq!(import_problems(&s, &[entry("ouId", "1")]).len(), 1);
        assert_eq!(import_problems(&s, &[entry("id", "1"), entry("id", "1")]).len(), 1);
    }
}
