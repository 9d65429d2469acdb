//! Ergonomic construction of the contract's messages: attribute values from plain Rust values,
//! a builder for `CSEntryChange` (optionally type-checked against a schema type), schema and
//! parameter-definition helpers, export results, and [`Params`] for reading configuration.

use bytes::Bytes;
use ecma2_proto::pb::{
    self, AnchorAttribute, AttributeChange, AttributeModificationType, AttributeType, AttributeValue, ConfigParameter,
    ConfigParameterDefinition, ConfigParameterType, CsEntryChange, CsEntryChangeResult, MaExportError, MaImportError,
    ObjectModificationType, ParameterValidationResult, ParameterValidationResultCode, SchemaAttribute, SchemaType,
    ValueChange, ValueModificationType, attribute_value::Kind,
};

use crate::Error;

/// A reference attribute value: the DN (or anchor) of another object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference(pub String);

/// Turns a plain value into an [`AttributeValue`].
pub trait IntoValue {
    /// The typed value.
    fn into_value(self) -> AttributeValue;
}

fn value(kind: Kind) -> AttributeValue {
    AttributeValue { kind: Some(kind) }
}

impl IntoValue for AttributeValue {
    fn into_value(self) -> AttributeValue {
        self
    }
}
impl IntoValue for &str {
    fn into_value(self) -> AttributeValue {
        value(Kind::StringValue(self.to_owned()))
    }
}
impl IntoValue for String {
    fn into_value(self) -> AttributeValue {
        value(Kind::StringValue(self))
    }
}
impl IntoValue for &String {
    fn into_value(self) -> AttributeValue {
        value(Kind::StringValue(self.clone()))
    }
}
impl IntoValue for i64 {
    fn into_value(self) -> AttributeValue {
        value(Kind::IntegerValue(self))
    }
}
impl IntoValue for i32 {
    fn into_value(self) -> AttributeValue {
        value(Kind::IntegerValue(self.into()))
    }
}
impl IntoValue for bool {
    fn into_value(self) -> AttributeValue {
        value(Kind::BooleanValue(self))
    }
}
impl IntoValue for Vec<u8> {
    fn into_value(self) -> AttributeValue {
        value(Kind::BinaryValue(Bytes::from(self)))
    }
}
impl IntoValue for Bytes {
    fn into_value(self) -> AttributeValue {
        value(Kind::BinaryValue(self))
    }
}
impl IntoValue for Reference {
    fn into_value(self) -> AttributeValue {
        value(Kind::ReferenceValue(self.0))
    }
}

/// The attribute type a value carries.
pub fn value_type(value: &AttributeValue) -> AttributeType {
    match value.kind {
        Some(Kind::StringValue(_)) => AttributeType::String,
        Some(Kind::IntegerValue(_)) => AttributeType::Integer,
        Some(Kind::ReferenceValue(_)) => AttributeType::Reference,
        Some(Kind::BinaryValue(_)) => AttributeType::Binary,
        Some(Kind::BooleanValue(_)) => AttributeType::Boolean,
        None => AttributeType::Undefined,
    }
}

/// Builds a `CSEntryChange`. Start with [`change`] or one of its shortcuts.
#[derive(Debug, Clone)]
pub struct ChangeBuilder<'s> {
    entry: CsEntryChange,
    schema: Option<&'s SchemaType>,
    problems: Vec<String>,
}

/// A change of `kind` to an object of `object_type`, with a fresh identifier.
pub fn change(kind: ObjectModificationType, object_type: &str) -> ChangeBuilder<'static> {
    ChangeBuilder {
        entry: CsEntryChange {
            identifier: uuid::Uuid::new_v4().to_string(),
            object_modification_type: kind as i32,
            object_type: object_type.to_owned(),
            ..Default::default()
        },
        schema: None,
        problems: Vec::new(),
    }
}

/// An Add: a whole object, as a full import returns.
pub fn add(object_type: &str) -> ChangeBuilder<'static> {
    change(ObjectModificationType::Add, object_type)
}

/// An Update of some attributes.
pub fn update(object_type: &str) -> ChangeBuilder<'static> {
    change(ObjectModificationType::Update, object_type)
}

/// A Delete.
pub fn delete(object_type: &str) -> ChangeBuilder<'static> {
    change(ObjectModificationType::Delete, object_type)
}

/// A Replace of the whole object.
pub fn replace(object_type: &str) -> ChangeBuilder<'static> {
    change(ObjectModificationType::Replace, object_type)
}

impl<'s> ChangeBuilder<'s> {
    /// Checks every later attribute against this schema type: the attribute must exist, values
    /// must have its type, and a single-valued attribute takes one value.
    pub fn typed<'t>(self, schema: &'t SchemaType) -> ChangeBuilder<'t> {
        let mut problems = self.problems;
        if schema.name != self.entry.object_type {
            problems.push(format!(
                "object type {:?} checked against schema type {:?}",
                self.entry.object_type, schema.name
            ));
        }
        ChangeBuilder {
            entry: self.entry,
            schema: Some(schema),
            problems,
        }
    }

    /// Sets the identifier (for example to echo the identifier of a change being answered).
    pub fn identifier(mut self, identifier: impl Into<String>) -> Self {
        self.entry.identifier = identifier.into();
        self
    }

    /// Sets the DN.
    pub fn dn(mut self, dn: impl Into<String>) -> Self {
        self.entry.dn = dn.into();
        self
    }

    /// Adds an anchor attribute.
    pub fn anchor(mut self, name: &str, value: impl IntoValue) -> Self {
        let value = value.into_value();
        let data_type = self.check(name, &[&value]);
        self.entry.anchor_attributes.push(AnchorAttribute {
            name: name.to_owned(),
            data_type: data_type as i32,
            value: Some(value),
        });
        self
    }

    /// Sets an attribute to one value: Add in an Add or Replace, Replace in an Update.
    pub fn attr(self, name: &str, value: impl IntoValue) -> Self {
        self.attr_values(name, [value])
    }

    /// Sets an attribute to several values: Add in an Add or Replace, Replace in an Update.
    pub fn attr_values<V: IntoValue>(self, name: &str, values: impl IntoIterator<Item = V>) -> Self {
        let values: Vec<AttributeValue> = values.into_iter().map(IntoValue::into_value).collect();
        let modification = if self.entry.object_modification_type() == ObjectModificationType::Update {
            AttributeModificationType::Replace
        } else {
            AttributeModificationType::Add
        };
        self.push(
            name,
            modification,
            values.into_iter().map(|v| (ValueModificationType::Add, v)).collect(),
        )
    }

    /// Adds some values to a multi-valued attribute and removes others (an Update only).
    pub fn attr_update<A: IntoValue, D: IntoValue>(
        self,
        name: &str,
        added: impl IntoIterator<Item = A>,
        removed: impl IntoIterator<Item = D>,
    ) -> Self {
        let mut changes: Vec<(ValueModificationType, AttributeValue)> = added
            .into_iter()
            .map(|v| (ValueModificationType::Add, v.into_value()))
            .collect();
        changes.extend(
            removed
                .into_iter()
                .map(|v| (ValueModificationType::Delete, v.into_value())),
        );
        self.push(name, AttributeModificationType::Update, changes)
    }

    /// Removes an attribute entirely (an Update only).
    pub fn attr_delete(self, name: &str) -> Self {
        self.push(name, AttributeModificationType::Delete, Vec::new())
    }

    /// Renames the object: ECMA2's "DN" attribute change.
    pub fn rename(mut self, new_dn: impl Into<String>) -> Self {
        self.entry.attribute_changes.push(AttributeChange {
            name: "DN".to_owned(),
            data_type: AttributeType::String as i32,
            is_multi_valued: false,
            modification_type: AttributeModificationType::Unconfigured as i32,
            value_changes: vec![ValueChange {
                value: Some(new_dn.into().into_value()),
                modification_type: ValueModificationType::Add as i32,
            }],
        });
        self
    }

    /// Marks the object with an object-level (discovery) import error.
    pub fn import_error(mut self, code: MaImportError, name: &str, detail: &str) -> Self {
        self.entry.error_code_import = code as i32;
        self.entry.error_name = name.to_owned();
        self.entry.error_detail = detail.to_owned();
        self
    }

    fn push(
        mut self,
        name: &str,
        modification: AttributeModificationType,
        values: Vec<(ValueModificationType, AttributeValue)>,
    ) -> Self {
        let object = self.entry.object_modification_type();
        let allowed = match object {
            ObjectModificationType::Add | ObjectModificationType::Replace => {
                modification == AttributeModificationType::Add
            }
            ObjectModificationType::Update => true,
            _ => false,
        };
        if !allowed {
            self.problems.push(format!(
                "attribute {name:?}: a {modification:?} change is not allowed in a {object:?}"
            ));
        }
        let refs: Vec<&AttributeValue> = values.iter().map(|(_, v)| v).collect();
        let data_type = self.check(name, &refs);
        let is_multi_valued = self
            .schema
            .and_then(|s| s.attributes.iter().find(|a| a.name == name))
            .map(|a| a.is_multi_valued)
            .unwrap_or(values.len() > 1);
        self.entry.attribute_changes.push(AttributeChange {
            name: name.to_owned(),
            data_type: data_type as i32,
            is_multi_valued,
            modification_type: modification as i32,
            value_changes: values
                .into_iter()
                .map(|(m, v)| ValueChange {
                    value: Some(v),
                    modification_type: m as i32,
                })
                .collect(),
        });
        self
    }

    /// Checks values against the schema type, if any; returns the type to record.
    fn check(&mut self, name: &str, values: &[&AttributeValue]) -> AttributeType {
        let Some(schema) = self.schema else {
            return values
                .first()
                .map(|v| value_type(v))
                .unwrap_or(AttributeType::Undefined);
        };
        let Some(attribute) = schema.attributes.iter().find(|a| a.name == name) else {
            self.problems
                .push(format!("attribute {name:?} is not in schema type {:?}", schema.name));
            return AttributeType::Undefined;
        };
        let expected = attribute.data_type();
        for v in values {
            if value_type(v) != expected {
                self.problems.push(format!(
                    "attribute {name:?} of {:?} is {expected:?}, got a {:?} value",
                    schema.name,
                    value_type(v)
                ));
            }
        }
        if !attribute.is_multi_valued && values.len() > 1 {
            self.problems.push(format!(
                "attribute {name:?} is single-valued, got {} values",
                values.len()
            ));
        }
        expected
    }

    /// The change; type problems are ignored. Use [`Self::try_build`] with [`Self::typed`].
    pub fn build(self) -> CsEntryChange {
        self.entry
    }

    /// The change, or an UnexpectedDataException listing every problem found.
    pub fn try_build(self) -> Result<CsEntryChange, Error> {
        if self.problems.is_empty() {
            Ok(self.entry)
        } else {
            Err(Error::unexpected_data(self.problems.join("; ")))
        }
    }
}

/// An export result for the change `identifier`.
pub fn export_result(identifier: &str, code: MaExportError) -> CsEntryChangeResult {
    CsEntryChangeResult {
        identifier: identifier.to_owned(),
        error_code: code as i32,
        ..Default::default()
    }
}

/// An export error result with a name and detail for the administrator.
pub fn export_error(identifier: &str, code: MaExportError, name: &str, detail: &str) -> CsEntryChangeResult {
    CsEntryChangeResult {
        error_name: name.to_owned(),
        error_detail: detail.to_owned(),
        ..export_result(identifier, code)
    }
}

/// A successful export of an add that reports the anchor the target assigned.
pub fn export_anchor(identifier: &str, anchor: &str, value: impl IntoValue) -> CsEntryChangeResult {
    let value = value.into_value();
    CsEntryChangeResult {
        anchor_attributes: vec![AttributeChange {
            name: anchor.to_owned(),
            data_type: value_type(&value) as i32,
            is_multi_valued: false,
            modification_type: AttributeModificationType::Add as i32,
            value_changes: vec![ValueChange {
                value: Some(value),
                modification_type: ValueModificationType::Add as i32,
            }],
        }],
        ..export_result(identifier, MaExportError::Success)
    }
}

/// A single-valued schema attribute.
pub fn single(name: &str, data_type: AttributeType) -> SchemaAttribute {
    SchemaAttribute {
        name: name.to_owned(),
        data_type: data_type as i32,
        ..Default::default()
    }
}

/// A multi-valued schema attribute.
pub fn multi(name: &str, data_type: AttributeType) -> SchemaAttribute {
    SchemaAttribute {
        is_multi_valued: true,
        ..single(name, data_type)
    }
}

/// An anchor schema attribute.
pub fn anchor(name: &str, data_type: AttributeType) -> SchemaAttribute {
    SchemaAttribute {
        is_anchor: true,
        ..single(name, data_type)
    }
}

/// A parameter definition of `kind` named `name`.
pub fn parameter(kind: ConfigParameterType, name: &str, default_value: &str) -> ConfigParameterDefinition {
    ConfigParameterDefinition {
        name: name.to_owned(),
        r#type: kind as i32,
        default_value: default_value.to_owned(),
        ..Default::default()
    }
}

/// A successful validation.
pub fn valid() -> ParameterValidationResult {
    ParameterValidationResult {
        code: ParameterValidationResultCode::Success as i32,
        ..Default::default()
    }
}

/// A failed validation naming the parameter at fault.
pub fn invalid(parameter: &str, message: impl Into<String>) -> ParameterValidationResult {
    ParameterValidationResult {
        code: ParameterValidationResultCode::Failure as i32,
        error_message: message.into(),
        error_parameter: parameter.to_owned(),
    }
}

/// The configured parameters of a call, looked up by name (case-sensitive, as in ECMA2).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(pub Vec<ConfigParameter>);

impl Params {
    /// The parameter called `name`.
    pub fn find(&self, name: &str) -> Option<&ConfigParameter> {
        self.0.iter().find(|p| p.name == name)
    }

    /// The clear value of a non-encrypted parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.find(name).filter(|p| !p.is_encrypted).map(|p| p.value.as_str())
    }

    /// The secret value of an encrypted parameter.
    pub fn secret(&self, name: &str) -> Option<&pb::Secret> {
        self.find(name).and_then(|p| p.secure_value.as_ref())
    }

    /// A required clear value, or NoSuchParameterException naming it.
    pub fn require(&self, name: &str) -> Result<&str, Error> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::no_such_parameter(name, format!("parameter {name:?} is required")))
    }

    /// A clear value parsed as an integer, with a default when absent or empty.
    pub fn int_or(&self, name: &str, default: i64) -> Result<i64, Error> {
        match self.get(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| {
                Error::no_such_parameter(name, format!("parameter {name:?} must be an integer, got {text:?}"))
            }),
        }
    }

    /// A check box value ("1" is true).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1") | Some("true"))
    }
}

/// MACapabilities with ECMA2's constructor defaults made explicit: every unset field of
/// `caps` takes the value the ECMA2 constructor would give it.
pub fn resolved_capabilities(caps: &pb::MaCapabilities) -> pb::MaCapabilities {
    use pb::{MaDistinguishedNameStyle as Dn, MaExportType as Et, MaObjectConfirmation as Oc};
    let dn = match caps.distinguished_name_style() {
        Dn::Unspecified => Dn::Generic,
        other => other,
    };
    pb::MaCapabilities {
        distinguished_name_style: dn as i32,
        object_rename: Some(dn != Dn::None && caps.object_rename.unwrap_or(true)),
        no_reference_values_in_first_export: Some(caps.no_reference_values_in_first_export.unwrap_or(false)),
        delta_import: Some(caps.delta_import.unwrap_or(true)),
        concurrent_operation: Some(caps.concurrent_operation.unwrap_or(true)),
        delete_add_as_replace: Some(caps.delete_add_as_replace.unwrap_or(true)),
        export_password_in_first_pass: Some(caps.export_password_in_first_pass.unwrap_or(false)),
        full_export: Some(caps.full_export.unwrap_or(false)),
        object_confirmation: match caps.object_confirmation() {
            Oc::Unspecified => Oc::Normal,
            other => other,
        } as i32,
        export_type: match caps.export_type() {
            Et::Unspecified => Et::ObjectReplace,
            other => other,
        } as i32,
        normalizations: caps.normalizations.clone(),
        is_dn_as_anchor: Some(caps.is_dn_as_anchor.unwrap_or(false)),
        support_import: Some(caps.support_import.unwrap_or(true)),
        support_export: Some(caps.support_export.unwrap_or(true)),
        support_partitions: Some(caps.support_partitions.unwrap_or(true)),
        support_password: Some(caps.support_password.unwrap_or(true)),
        support_hierarchy: Some(caps.support_hierarchy.unwrap_or(true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_schema() -> SchemaType {
        SchemaType {
            name: "user".into(),
            attributes: vec![
                anchor("id", AttributeType::Integer),
                single("name", AttributeType::String),
                multi("groups", AttributeType::Reference),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn builder_produces_ecma2_shaped_changes() {
        let entry = add("user").dn("CN=1").anchor("id", 1i64).attr("name", "Ada").build();
        assert_eq!(entry.object_modification_type(), ObjectModificationType::Add);
        assert_eq!(entry.anchor_attributes[0].data_type(), AttributeType::Integer);
        assert_eq!(
            entry.attribute_changes[0].modification_type(),
            AttributeModificationType::Add
        );
        assert_eq!(uuid::Uuid::parse_str(&entry.identifier).unwrap().get_version_num(), 4);

        let up = update("user").attr("name", "Bob").attr_delete("title").build();
        assert_eq!(
            up.attribute_changes[0].modification_type(),
            AttributeModificationType::Replace
        );
        assert_eq!(
            up.attribute_changes[1].modification_type(),
            AttributeModificationType::Delete
        );
    }

    #[test]
    fn typed_builder_reports_every_schema_problem() {
        let schema = user_schema();
        let err = add("user")
            .typed(&schema)
            .anchor("id", "not-a-number")
            .attr("nope", 1i64)
            .attr_values("name", ["a", "b"])
            .try_build()
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"id\" of \"user\" is Integer, got a String"), "{text}");
        assert!(text.contains("\"nope\" is not in schema type"), "{text}");
        assert!(text.contains("single-valued, got 2"), "{text}");

        let ok = add("user")
            .typed(&schema)
            .anchor("id", 7i64)
            .attr_values("groups", [Reference("CN=g".into())])
            .try_build()
            .unwrap();
        assert!(ok.attribute_changes[0].is_multi_valued);
    }

    #[test]
    fn an_update_change_is_not_allowed_in_an_add() {
        let err = add("user").attr_delete("name").try_build().unwrap_err();
        assert!(err.to_string().contains("not allowed in a Add"), "{err}");
    }

    #[test]
    fn unset_capabilities_resolve_to_ecma2_defaults() {
        let caps = resolved_capabilities(&pb::MaCapabilities::default());
        assert_eq!(caps.delta_import, Some(true));
        assert_eq!(caps.concurrent_operation, Some(true));
        assert_eq!(caps.support_password, Some(true));
        assert_eq!(caps.full_export, Some(false));
        assert_eq!(caps.export_type(), pb::MaExportType::ObjectReplace);
        assert_eq!(caps.distinguished_name_style(), pb::MaDistinguishedNameStyle::Generic);
        let none = resolved_capabilities(&pb::MaCapabilities {
            distinguished_name_style: pb::MaDistinguishedNameStyle::None as i32,
            ..Default::default()
        });
        assert_eq!(none.object_rename, Some(false), "DN style None forces ObjectRename off");
    }
}
