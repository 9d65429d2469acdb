//! Shared helpers for the contract tests: the descriptor pool, the parsed `ecma2_names.tsv`,
//! name resolution against the pool, and the name-case conversions the checks compare with.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use prost_reflect::{
    DescriptorPool, EnumDescriptor, EnumValueDescriptor, FieldDescriptor, MessageDescriptor, MethodDescriptor,
};

/// The contract's package.
pub const PACKAGE: &str = "ecma2.v1";

/// The one service that carries ECMA2 calls.
pub const CONNECTOR_SERVICE: &str = "ecma2.v1.ConnectorService";

/// The contract's descriptors, decoded once.
pub fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| DescriptorPool::decode(ecma2_proto::FILE_DESCRIPTOR_SET).expect("FILE_DESCRIPTOR_SET decodes"))
}

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What kind of ECMA2 name a row maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    /// An interface method.
    Rpc,
    /// An interface property.
    Property,
    /// A member of a type, or a method parameter or return value.
    Field,
    /// An enum member.
    Enum,
    /// One of the 42 exception types.
    Exception,
    /// A name with no field of its own.
    Derived,
}

impl RowKind {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "rpc" => Self::Rpc,
            "property" => Self::Property,
            "field" => Self::Field,
            "enum" => Self::Enum,
            "exception" => Self::Exception,
            "derived" => Self::Derived,
            _ => return None,
        })
    }
}

/// One line of `ecma2_names.tsv`.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line number in the file, for messages.
    pub line: usize,
    /// The `kind` column.
    pub kind: RowKind,
    /// The `ecma2_name` column.
    pub ecma2_name: String,
    /// The `ecma2_value` column, when it is a number.
    pub ecma2_value: Option<i64>,
    /// The `proto_name` column.
    pub proto_name: String,
    /// The `note` column (`-` for none).
    pub note: String,
}

impl Row {
    /// The part of the ECMA2 name before the first dot: the interface, type or enum.
    pub fn owner(&self) -> &str {
        self.ecma2_name.split('.').next().unwrap_or_default()
    }

    /// The part of the ECMA2 name after the last dot: the member.
    pub fn member(&self) -> &str {
        self.ecma2_name.rsplit('.').next().unwrap_or_default()
    }

    /// Whether the note says something.
    pub fn has_note(&self) -> bool {
        !self.note.is_empty() && self.note != "-"
    }
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {} -> {}", self.line, self.ecma2_name, self.proto_name)
    }
}

/// The expected header of the TSV.
pub const HEADER: &str = "kind\tecma2_name\tecma2_value\tproto_name\tnote";

/// Parses the checked-in name list. Malformed lines fail the calling test, all of them listed.
pub fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ecma2_names.tsv");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        parse(&text).unwrap_or_else(|errors| {
            panic!(
                "{} has {} bad lines:\n{}",
                path.display(),
                errors.len(),
                errors.join("\n")
            )
        })
    })
}

/// Parses TSV text into rows, or returns one message per bad line.
pub fn parse(text: &str) -> Result<Vec<Row>, Vec<String>> {
    let mut lines = text.lines().enumerate();
    let mut errors = Vec::new();
    match lines.next() {
        Some((_, header)) if header == HEADER => {}
        other => errors.push(format!("line 1: expected the header {HEADER:?}, found {other:?}")),
    }
    let mut rows = Vec::new();
    for (index, line) in lines {
        let number = index + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        let [kind, ecma2_name, ecma2_value, proto_name, note] = columns[..] else {
            errors.push(format!(
                "line {number}: expected 5 tab-separated columns, found {}",
                columns.len()
            ));
            continue;
        };
        let Some(kind) = RowKind::parse(kind) else {
            errors.push(format!("line {number}: unknown kind {kind:?}"));
            continue;
        };
        let ecma2_value = match ecma2_value {
            "-" => None,
            number_text => match number_text.parse::<i64>() {
                Ok(value) => Some(value),
                Err(_) => {
                    errors.push(format!(
                        "line {number}: ecma2_value {number_text:?} is neither a number nor -"
                    ));
                    continue;
                }
            },
        };
        if ecma2_name.is_empty() || proto_name.is_empty() || note.is_empty() {
            errors.push(format!("line {number}: empty column (write - for nothing)"));
            continue;
        }
        rows.push(Row {
            line: number,
            kind,
            ecma2_name: ecma2_name.to_owned(),
            ecma2_value,
            proto_name: proto_name.to_owned(),
            note: note.to_owned(),
        });
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// A proto element a `proto_name` resolves to.
#[derive(Debug, Clone)]
pub enum Element {
    /// A service method.
    Method(MethodDescriptor),
    /// A message.
    Message(MessageDescriptor),
    /// A field, reached through the fields before it (`Msg.a.b` walks into `a`'s message type).
    Field(Vec<FieldDescriptor>),
    /// An enum.
    Enum(EnumDescriptor),
    /// An enum value.
    EnumValue(EnumValueDescriptor),
}

impl Element {
    /// The last field of a field path.
    pub fn field(&self) -> Option<&FieldDescriptor> {
        match self {
            Element::Field(path) => path.last(),
            _ => None,
        }
    }
}

/// Resolves a fully qualified name such as `ecma2.v1.ConnectorService.GetSchema`,
/// `ecma2.v1.CSEntryChange.dn`, `ecma2.v1.HandshakeResponse.import_page_sizes.max_page_size` or
/// `ecma2.v1.AttributeType.ATTRIBUTE_TYPE_STRING`.
pub fn resolve(name: &str) -> Result<Element, String> {
    let pool = pool();
    if let Some(message) = pool.get_message_by_name(name) {
        return Ok(Element::Message(message));
    }
    if let Some(enumeration) = pool.get_enum_by_name(name) {
        return Ok(Element::Enum(enumeration));
    }
    let segments: Vec<&str> = name.split('.').collect();
    for split in (1..segments.len()).rev() {
        let prefix = segments[..split].join(".");
        let rest = &segments[split..];
        if let Some(service) = pool.get_service_by_name(&prefix) {
            let [method] = rest else {
                return Err(format!("{prefix} is a service; expected one method name after it"));
            };
            return service
                .methods()
                .find(|m| m.name() == *method)
                .map(Element::Method)
                .ok_or_else(|| format!("service {prefix} has no method {method}"));
        }
        if let Some(enumeration) = pool.get_enum_by_name(&prefix) {
            let [value] = rest else {
                return Err(format!("{prefix} is an enum; expected one value name after it"));
            };
            return enumeration
                .get_value_by_name(value)
                .map(Element::EnumValue)
                .ok_or_else(|| format!("enum {prefix} has no value {value}"));
        }
        if let Some(message) = pool.get_message_by_name(&prefix) {
            let mut path = Vec::new();
            let mut current = message;
            for (i, field_name) in rest.iter().enumerate() {
                let field = current
                    .get_field_by_name(field_name)
                    .ok_or_else(|| format!("message {} has no field {field_name}", current.full_name()))?;
                if i + 1 < rest.len() {
                    current =
                        field.kind().as_message().cloned().ok_or_else(|| {
                            format!("{} is not a message field, so it has no fields", field.full_name())
                        })?;
                }
                path.push(field);
            }
            return Ok(Element::Field(path));
        }
    }
    Err(format!("no proto element is named {name}"))
}

/// Splits a CamelCase or lowerCamel identifier into words, keeping acronyms together:
/// `IsDNAsAnchor` → `Is`, `DN`, `As`, `Anchor`.
pub fn words(identifier: &str) -> Vec<String> {
    let chars: Vec<char> = identifier.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let starts_word = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_ascii_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if starts_word && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `IsDNAsAnchor` → `is_dn_as_anchor`.
pub fn snake(identifier: &str) -> String {
    words(identifier).join("_").to_ascii_lowercase()
}

/// `IsDNAsAnchor` → `IS_DN_AS_ANCHOR`.
pub fn screaming(identifier: &str) -> String {
    words(identifier).join("_").to_ascii_uppercase()
}

/// Fails with every problem listed, one per line, rather than only the first.
#[track_caller]
pub fn assert_no_failures(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} problem(s)\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn case_conversions_keep_acronyms_together() {
    assert_eq!(snake("IsDNAsAnchor"), "is_dn_as_anchor");
    assert_eq!(snake("CSEntryChangeResults"), "cs_entry_change_results");
    assert_eq!(snake("configParameters"), "config_parameters");
    assert_eq!(snake("LastContributingMA"), "last_contributing_ma");
    assert_eq!(screaming("MVDeletion"), "MV_DELETION");
    assert_eq!(
        screaming("ImportErrorInvalidBase64Value"),
        "IMPORT_ERROR_INVALID_BASE64_VALUE"
    );
    assert_eq!(screaming("ExportErrorInvalidDN"), "EXPORT_ERROR_INVALID_DN");
    assert_eq!(screaming("FailedPrecondition"), "FAILED_PRECONDITION");
}

#[test]
fn the_parser_rejects_malformed_lines() {
    let bad = format!("{HEADER}\nrpc\tA.B\t-\tx\nbogus\tA\t-\tx\t-\nenum\tE.M\tseven\tx\t-\n# fine\n");
    let errors = parse(&bad).expect_err("three bad lines");
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(parse("kind\tname\n").is_err(), "a wrong header is refused");
}

#[test]
fn resolve_walks_services_messages_fields_and_enums() {
    assert!(matches!(
        resolve("ecma2.v1.ConnectorService.GetSchema"),
        Ok(Element::Method(_))
    ));
    assert!(matches!(resolve("ecma2.v1.CSEntryChange"), Ok(Element::Message(_))));
    assert!(matches!(resolve("ecma2.v1.AttribFlag"), Ok(Element::Enum(_))));
    let Ok(Element::Field(path)) = resolve("ecma2.v1.HandshakeResponse.import_page_sizes.max_page_size") else {
        panic!("a field path resolves");
    };
    assert_eq!(path.len(), 2);
    assert!(matches!(
        resolve("ecma2.v1.AttributeType.ATTRIBUTE_TYPE_STRING"),
        Ok(Element::EnumValue(v)) if v.number() == 1
    ));
    assert!(resolve("ecma2.v1.CSEntryChange.rdn").is_err());
    assert!(resolve("ecma2.v1.ConnectorService.Nope").is_err());
    assert!(resolve("ecma2.v1.CSEntryChange.dn.more").is_err());
}
