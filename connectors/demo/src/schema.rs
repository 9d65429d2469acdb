//! The demo directory's schema: three object types (`user`, `group`, `organizationalUnit`),
//! each attribute tied to the SQLite column that stores it. Import, export and GetSchema all
//! read this one table, so the schema the engine sees and the data the connector moves cannot
//! drift apart.

use ecma2_sdk::pb::{AttributeOperation, AttributeType, Schema, SchemaAttribute, SchemaType};
use ecma2_sdk::{Context, GetSchema, Params, Result, async_trait};

use crate::Demo;

/// The anchor attribute of every type: a UUID (canonical text) the directory assigns.
pub const ANCHOR: &str = "id";

/// Object type names.
pub const USER: &str = "user";
/// A group of users and groups.
pub const GROUP: &str = "group";
/// A container; the only type that can be provisioned as a missing parent (`ou`).
pub const OU: &str = "organizationalUnit";

/// Where an attribute lives in the `objects` table (or, for `member`, the `members` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    /// `rdn`: the value of the naming component (`cn` or `ou`).
    Rdn,
    /// `display_name`.
    DisplayName,
    /// `mail`, unique across the directory (case-insensitive).
    Mail,
    /// `employee_number`.
    EmployeeNumber,
    /// `enabled`.
    Enabled,
    /// `photo`.
    Photo,
    /// `manager_id`: the anchor of the referenced object.
    Manager,
    /// `title`.
    Title,
    /// `description`.
    Description,
    /// `locked`: the account is locked out (cleared by SetPassword with UnlockAccount).
    Locked,
    /// `must_change_password`: set by SetPassword with ForceChangeAtLogOn.
    MustChange,
    /// Rows of the `members` table.
    Members,
}

impl Column {
    /// The SQL column name (the change journal records these names).
    pub const fn sql(self) -> &'static str {
        match self {
            Column::Rdn => "rdn",
            Column::DisplayName => "display_name",
            Column::Mail => "mail",
            Column::EmployeeNumber => "employee_number",
            Column::Enabled => "enabled",
            Column::Photo => "photo",
            Column::Manager => "manager_id",
            Column::Title => "title",
            Column::Description => "description",
            Column::Locked => "locked",
            Column::MustChange => "must_change_password",
            Column::Members => "members",
        }
    }

    /// Every column of the `objects` table that is visible as an attribute.
    pub const OBJECT_COLUMNS: [Column; 11] = [
        Column::Rdn,
        Column::DisplayName,
        Column::Mail,
        Column::EmployeeNumber,
        Column::Enabled,
        Column::Photo,
        Column::Manager,
        Column::Title,
        Column::Description,
        Column::Locked,
        Column::MustChange,
    ];

    /// The column named `sql`, as recorded by the change journal.
    pub fn from_sql(sql: &str) -> Option<Column> {
        Self::OBJECT_COLUMNS
            .into_iter()
            .chain([Column::Members])
            .find(|c| c.sql() == sql)
    }
}

/// One attribute of one object type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrSpec {
    /// The attribute name the engine sees.
    pub name: &'static str,
    /// Its ECMA2 type.
    pub ty: AttributeType,
    /// Multi-valued.
    pub multi: bool,
    /// Where it is stored.
    pub column: Column,
    /// Whether the engine may export it.
    pub operation: AttributeOperation,
}

const fn spec(name: &'static str, ty: AttributeType, column: Column) -> AttrSpec {
    AttrSpec {
        name,
        ty,
        multi: false,
        column,
        operation: AttributeOperation::ImportExport,
    }
}

use AttributeType as T;

const USER_ATTRS: &[AttrSpec] = &[
    spec("cn", T::String, Column::Rdn),
    spec("displayName", T::String, Column::DisplayName),
    spec("mail", T::String, Column::Mail),
    spec("employeeNumber", T::Integer, Column::EmployeeNumber),
    spec("enabled", T::Boolean, Column::Enabled),
    spec("photo", T::Binary, Column::Photo),
    spec("manager", T::Reference, Column::Manager),
    spec("title", T::String, Column::Title),
    spec("lockedOut", T::Boolean, Column::Locked),
    AttrSpec {
        operation: AttributeOperation::ImportOnly,
        ..spec("mustChangePassword", T::Boolean, Column::MustChange)
    },
];

const GROUP_ATTRS: &[AttrSpec] = &[
    spec("cn", T::String, Column::Rdn),
    spec("description", T::String, Column::Description),
    AttrSpec {
        multi: true,
        ..spec("member", T::Reference, Column::Members)
    },
];

const OU_ATTRS: &[AttrSpec] = &[
    spec("ou", T::String, Column::Rdn),
    spec("description", T::String, Column::Description),
];

/// The attributes of `object_type` (without the anchor), or `None` for an unknown type.
pub fn attributes(object_type: &str) -> Option<&'static [AttrSpec]> {
    match object_type {
        USER => Some(USER_ATTRS),
        GROUP => Some(GROUP_ATTRS),
        OU => Some(OU_ATTRS),
        _ => None,
    }
}

/// The attribute `name` of `object_type`.
pub fn attribute(object_type: &str, name: &str) -> Option<&'static AttrSpec> {
    attributes(object_type)?.iter().find(|a| a.name == name)
}

/// The attribute stored in `column` for `object_type`.
pub fn attribute_for(object_type: &str, column: Column) -> Option<&'static AttrSpec> {
    attributes(object_type)?.iter().find(|a| a.column == column)
}

/// The RDN component name an object type is named with (`CN` or `OU`).
pub fn naming_component(object_type: &str) -> Option<&'static str> {
    match object_type {
        USER | GROUP => Some("CN"),
        OU => Some("OU"),
        _ => None,
    }
}

/// Every object type name, in the order GetSchema returns them.
pub const TYPES: [&str; 3] = [USER, GROUP, OU];

/// The schema the engine sees. `hide_photo` marks `photo` HiddenByDefault (a Schema page option).
pub fn schema(hide_photo: bool) -> Schema {
    let types = TYPES
        .iter()
        .map(|&name| {
            let mut attributes = vec![SchemaAttribute {
                name: ANCHOR.to_owned(),
                is_anchor: true,
                data_type: T::String as i32,
                allowed_attribute_operation: AttributeOperation::ImportOnly as i32,
                ..Default::default()
            }];
            attributes.extend(attributes_of(name).iter().map(|a| SchemaAttribute {
                name: a.name.to_owned(),
                is_multi_valued: a.multi,
                is_anchor: false,
                data_type: a.ty as i32,
                allowed_attribute_operation: a.operation as i32,
                hidden_by_default: hide_photo && a.column == Column::Photo,
            }));
            SchemaType {
                name: name.to_owned(),
                locked: true,
                attributes,
                possible_dn_components_for_provisioning: if name == OU { vec!["ou".to_owned()] } else { Vec::new() },
            }
        })
        .collect();
    Schema {
        types,
        ..Default::default()
    }
}

fn attributes_of(name: &str) -> &'static [AttrSpec] {
    attributes(name).unwrap_or_default()
}

#[async_trait]
impl GetSchema for Demo {
    async fn get_schema(&mut self, ctx: &Context, params: &Params) -> Result<Schema> {
        self.hooks_from(ctx, params)?;
        Ok(schema(params.flag(crate::params::SCHEMA_HIDE_PHOTO)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attribute_name_has_one_type_across_object_types() {
        let schema = schema(false);
        let mut seen = std::collections::HashMap::new();
        for t in &schema.types {
            assert!(t.locked);
            assert_eq!(t.attributes.iter().filter(|a| a.is_anchor).count(), 1);
            for a in &t.attributes {
                let previous = seen.insert(a.name.clone(), (a.data_type, a.is_multi_valued));
                if let Some(previous) = previous {
                    assert_eq!(previous, (a.data_type, a.is_multi_valued), "{}", a.name);
                }
            }
        }
    }

    #[test]
    fn only_ous_can_be_provisioned_as_parents() {
        let schema = schema(true);
        for t in &schema.types {
            let expected: &[&str] = if t.name == OU { &["ou"] } else { &[] };
            assert_eq!(t.possible_dn_components_for_provisioning, expected);
        }
        let photo = schema.types[0].attributes.iter().find(|a| a.name == "photo").unwrap();
        assert!(photo.hidden_by_default);
    }
}
