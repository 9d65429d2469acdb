//! `ecma2_names.tsv` against the descriptors: every ECMA2 name maps to a proto element that
//! exists and has the right shape, enum numbers follow the one documented rule, the list cannot
//! quietly lose rows, and, the other way round, nothing in the contract is left unexplained.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ecma2_proto::pb::FaultKind;
use prost_reflect::Kind;

use crate::support::{
    CONNECTOR_SERVICE, Element, PACKAGE, Row, RowKind, assert_no_failures, pool, resolve, rows, screaming, snake,
};

/// The twelve ECMA2 interfaces (api-reference §2.13).
const INTERFACES: [&str; 12] = [
    "IMAExtensible2CallExport",
    "IMAExtensible2CallImport",
    "IMAExtensible2FileExport",
    "IMAExtensible2FileImport",
    "IMAExtensible2GetCapabilities",
    "IMAExtensible2GetCapabilitiesEx",
    "IMAExtensible2GetHierarchy",
    "IMAExtensible2GetParameters",
    "IMAExtensible2GetParametersEx",
    "IMAExtensible2GetPartitions",
    "IMAExtensible2GetSchema",
    "IMAExtensible2Password",
];

/// ECMA2 [Flags] enums and the proto enum that carries one flag each, as a repeated field.
const FLAG_ENUMS: [(&str, &str); 3] = [
    ("AttribFlags", "AttribFlag"),
    ("MANormalizations", "MANormalization"),
    ("PasswordOptions", "PasswordOption"),
];

/// ECMA2 enums with no zero member, whose wire values equal their ECMA2 values.
const NO_ZERO_ENUMS: [&str; 2] = ["DeprovisionAction", "MAExportType"];

/// How many members each ECMA2 enum has (api-reference §5, §6, §8, §9, §10), counting a flag
/// enum's None.
const ENUM_MEMBERS: [(&str, usize); 23] = [
    ("AttribFlags", 4),
    ("AttributeModificationType", 5),
    ("AttributeOperation", 3),
    ("AttributeType", 6),
    ("CloseReason", 5),
    ("ConfigParameterPage", 6),
    ("ConfigParameterType", 8),
    ("ConnectionSecurityLevel", 2),
    ("ConnectionState", 6),
    ("DeprovisionAction", 3),
    ("MADistinguishedNameStyle", 3),
    ("MAExportError", 27),
    ("MAExportType", 4),
    ("MAImportError", 17),
    ("MANormalizations", 3),
    ("MAObjectConfirmation", 3),
    ("ModificationType", 3),
    ("ObjectModificationType", 6),
    ("OperationType", 3),
    ("ParameterValidationResultCode", 2),
    ("PasswordOptions", 4),
    ("RuleType", 10),
    ("ValueModificationType", 3),
];

/// ConnectorService RPCs that are ours, not ECMA2's.
const OUR_RPCS: [(&str, &str); 2] = [
    (
        "Handshake",
        "protocol negotiation and the implemented interfaces; ECMA2 has no such call",
    ),
    (
        "Shutdown",
        "host-to-connector process control; never forwarded to or from an engine",
    ),
];

/// Whole messages that are ours: they carry no ECMA2 member.
const OUR_MESSAGES: [(&str, &str); 14] = [
    ("ecma2.v1.HandshakeRequest", "protocol negotiation"),
    (
        "ecma2.v1.ConnectorInfo",
        "identity of a connector build, in the handshake",
    ),
    ("ecma2.v1.ShutdownRequest", "process control"),
    ("ecma2.v1.ShutdownResponse", "process control"),
    ("ecma2.v1.EntryFragment", "framing of entries too large for one message"),
    (
        "ecma2.v1.EntryBatch",
        "several entries in one frame (entry-batches feature)",
    ),
    (
        "ecma2.v1.Secret",
        "the wrapper that keeps SecureString values out of logs",
    ),
    ("ecma2.v1.GetHostInfoRequest", "HostService"),
    ("ecma2.v1.GetHostInfoResponse", "HostService"),
    ("ecma2.v1.ListConnectorsRequest", "HostService"),
    ("ecma2.v1.ListConnectorsResponse", "HostService"),
    ("ecma2.v1.GetConnectorStatusRequest", "HostService"),
    ("ecma2.v1.GetConnectorStatusResponse", "HostService"),
    ("ecma2.v1.ConnectorStatus", "HostService"),
];

/// Single fields that are ours. Every field named `session_id` is ours as well.
const OUR_FIELDS: [(&str, &str); 15] = [
    ("ecma2.v1.HandshakeResponse.protocol_version", "protocol negotiation"),
    (
        "ecma2.v1.HandshakeResponse.connector",
        "identity of the connector build",
    ),
    (
        "ecma2.v1.HandshakeResponse.interfaces",
        "which of the twelve interfaces are implemented",
    ),
    ("ecma2.v1.HandshakeResponse.features", "optional feature flags"),
    (
        "ecma2.v1.OpenImportConnectionResponse.page_size",
        "the page size in force for the session",
    ),
    (
        "ecma2.v1.OpenExportConnectionResponse.batch_size",
        "the batch size in force for the session",
    ),
    (
        "ecma2.v1.GetImportEntriesResponse.entry_fragment",
        "framing of a large entry",
    ),
    (
        "ecma2.v1.PutExportEntriesRequest.entry_fragment",
        "framing of a large entry",
    ),
    (
        "ecma2.v1.GetImportEntriesResponse.entry_batch",
        "several entries in one frame (entry-batches feature)",
    ),
    (
        "ecma2.v1.Fault.kind",
        "which exception: the exception rows map each one to a FaultKind",
    ),
    ("ecma2.v1.Fault.connector", "where the fault came from"),
    ("ecma2.v1.Fault.call", "where the fault came from"),
    ("ecma2.v1.Fault.from_host", "who raised the fault"),
    (
        "ecma2.v1.Fault.foreign_type_name",
        "the original type of a non-ECMA2 exception",
    ),
    (
        "ecma2.v1.Fault.session_id",
        "the session a failed Open* left to be closed",
    ),
];

/// Enums that are ours; FaultKind is checked against the exception rows instead.
const OUR_ENUMS: [&str; 3] = [
    "ecma2.v1.Ecma2Interface",
    "ecma2.v1.ConnectorState",
    "ecma2.v1.ConnectorTransport",
];

fn flag_enum_for(ecma2_enum: &str) -> Option<&'static str> {
    FLAG_ENUMS.iter().find(|(e, _)| *e == ecma2_enum).map(|(_, p)| *p)
}

/// Checks one row; returns what is wrong with it, if anything.
fn check_row(row: &Row) -> Vec<String> {
    let mut problems = Vec::new();
    let element = match resolve(&row.proto_name) {
        Ok(element) => element,
        Err(e) => return vec![format!("{row}: {e}")],
    };
    match row.kind {
        RowKind::Rpc => match &element {
            Element::Method(method) if method.parent_service().full_name() == CONNECTOR_SERVICE => {
                if method.name() != row.member() {
                    problems.push(format!(
                        "{row}: the RPC is named {} but the ECMA2 method {}",
                        method.name(),
                        row.member()
                    ));
                }
            }
            other => problems.push(format!("{row}: expected a ConnectorService RPC, found {other:?}")),
        },
        RowKind::Property => {
            if !matches!(element, Element::Method(_) | Element::Field(_)) {
                problems.push(format!("{row}: a property maps to an RPC or a field"));
            }
        }
        RowKind::Field => match element.field() {
            None => problems.push(format!("{row}: expected a message field")),
            Some(field) => {
                let same_name = snake(row.member()) == field.name();
                if row.member() != "return" && !same_name && !row.has_note() {
                    problems.push(format!(
                        "{row}: the field is named {} rather than {}; say why in the note",
                        field.name(),
                        snake(row.member())
                    ));
                }
            }
        },
        RowKind::Enum => problems.extend(check_enum_row(row, &element)),
        RowKind::Exception => match &element {
            Element::EnumValue(value) if value.parent_enum().full_name() == "ecma2.v1.FaultKind" => {
                match FaultKind::try_from(value.number()) {
                    Ok(kind) => {
                        let name = ecma2_proto::fault::ecma2_name(kind);
                        if name != row.ecma2_name {
                            problems.push(format!("{row}: fault::ecma2_name gives {name} for this kind"));
                        }
                    }
                    Err(_) => problems.push(format!("{row}: the generated FaultKind lacks it")),
                }
            }
            other => problems.push(format!("{row}: expected a FaultKind value, found {other:?}")),
        },
        RowKind::Derived => {
            if let Some(flag_enum) = flag_enum_for(row.owner()) {
                problems.extend(check_flags_none_row(row, &element, flag_enum));
            }
            // A detached implementation class maps to the message of its base class.
            if let (Some(class), Element::Message(message)) =
                (row.ecma2_name.strip_prefix("DetachedObjectModel."), &element)
            {
                if class.strip_suffix("Detached") != Some(message.name()) {
                    problems.push(format!("{row}: {class} implements another base class"));
                }
            }
        }
    }
    if row.ecma2_value.is_some() && !(row.kind == RowKind::Enum || flag_enum_for(row.owner()).is_some()) {
        problems.push(format!("{row}: only enum members have an ecma2_value"));
    }
    problems
}

/// An enum row: right proto enum, value name, and number by the documented rule.
fn check_enum_row(row: &Row, element: &Element) -> Vec<String> {
    let Element::EnumValue(value) = element else {
        return vec![format!("{row}: expected an enum value")];
    };
    let Some(ecma2_value) = row.ecma2_value else {
        return vec![format!("{row}: an enum row needs its ECMA2 number")];
    };
    let mut problems = Vec::new();
    let proto_enum = value.parent_enum();
    let ecma2_enum = row.owner();
    let (expected_enum, expected_wire, rule) = if let Some(flag_enum) = flag_enum_for(ecma2_enum) {
        if ecma2_value <= 0 || ecma2_value & (ecma2_value - 1) != 0 {
            problems.push(format!("{row}: a [Flags] member other than None must be one bit"));
        }
        (flag_enum.to_owned(), ecma2_value, "a [Flags] bit keeps its value")
    } else if has_zero_member(ecma2_enum) {
        (
            ecma2_enum.to_owned(),
            ecma2_value + 1,
            "an enum with a zero member shifts by one",
        )
    } else {
        (
            ecma2_enum.to_owned(),
            ecma2_value,
            "an enum without a zero member keeps its values",
        )
    };
    if proto_enum.name() != expected_enum {
        problems.push(format!("{row}: expected a value of ecma2.v1.{expected_enum}"));
    }
    if i64::from(value.number()) != expected_wire {
        problems.push(format!(
            "{row}: wire value {} but {rule}: expected {expected_wire}",
            value.number()
        ));
    }
    let expected_name = format!("{}_{}", screaming(proto_enum.name()), screaming(row.member()));
    if value.name() != expected_name {
        problems.push(format!("{row}: expected the value to be named {expected_name}"));
    }
    problems
}

/// A flag enum's None: an empty list, so it points at the repeated field (or, where no message
/// carries the flags, at the flag enum itself).
fn check_flags_none_row(row: &Row, element: &Element, flag_enum: &str) -> Vec<String> {
    let wanted = format!("{PACKAGE}.{flag_enum}");
    let ok = match element {
        Element::Enum(e) => e.full_name() == wanted,
        Element::Field(_) => element
            .field()
            .is_some_and(|f| f.is_list() && matches!(f.kind(), Kind::Enum(e) if e.full_name() == wanted)),
        _ => false,
    };
    let mut problems = Vec::new();
    if !ok {
        problems.push(format!(
            "{row}: None of a [Flags] enum maps to a repeated {wanted} field"
        ));
    }
    if row.member() != "None" || row.ecma2_value != Some(0) {
        problems.push(format!("{row}: only a [Flags] enum's None (0) is a derived enum row"));
    }
    problems
}

fn has_zero_member(ecma2_enum: &str) -> bool {
    rows()
        .iter()
        .any(|r| r.kind == RowKind::Enum && r.owner() == ecma2_enum && r.ecma2_value == Some(0))
}

#[test]
fn every_row_names_a_proto_element_of_the_right_shape() {
    let failures: Vec<String> = rows().iter().flat_map(check_row).collect();
    assert_no_failures("ecma2_names.tsv rows that do not match the contract", &failures);
}

#[test]
fn enum_numbering_follows_one_rule() {
    let mut by_enum: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for row in rows().iter().filter(|r| r.kind == RowKind::Enum) {
        by_enum.entry(row.owner()).or_default().push(row);
    }
    let no_zero: Vec<&str> = by_enum
        .keys()
        .copied()
        .filter(|e| flag_enum_for(e).is_none() && !has_zero_member(e))
        .collect();
    assert_eq!(
        no_zero, NO_ZERO_ENUMS,
        "the enums without a zero member are the ones the protos say keep their numbers"
    );
    let mut failures = Vec::new();
    for (ecma2_enum, members) in &by_enum {
        let targets: BTreeSet<String> = members
            .iter()
            .filter_map(|r| match resolve(&r.proto_name) {
                Ok(Element::EnumValue(v)) => Some(v.parent_enum().full_name().to_owned()),
                _ => None,
            })
            .collect();
        if targets.len() != 1 {
            failures.push(format!(
                "{ecma2_enum}: members map to {} proto enums: {targets:?}",
                targets.len()
            ));
        }
        let values: BTreeSet<i64> = members.iter().filter_map(|r| r.ecma2_value).collect();
        if values.len() != members.len() {
            failures.push(format!("{ecma2_enum}: two members share an ECMA2 value"));
        }
    }
    assert_no_failures("ECMA2 enums", &failures);
}

#[test]
fn the_list_cannot_silently_shrink() {
    let rows = rows();
    let mut failures = Vec::new();

    let mut seen = HashMap::new();
    for row in rows {
        if let Some(first) = seen.insert(row.ecma2_name.as_str(), row.line) {
            failures.push(format!("{row}: also listed on line {first}"));
        }
    }

    let interfaces: BTreeSet<&str> = rows
        .iter()
        .filter(|r| matches!(r.kind, RowKind::Rpc | RowKind::Property))
        .map(Row::owner)
        .collect();
    let expected: BTreeSet<&str> = INTERFACES.into_iter().collect();
    if interfaces != expected {
        failures.push(format!(
            "interfaces with methods or properties: missing {:?}, unexpected {:?}",
            expected.difference(&interfaces).collect::<Vec<_>>(),
            interfaces.difference(&expected).collect::<Vec<_>>()
        ));
    }

    let count = |kind: RowKind| rows.iter().filter(|r| r.kind == kind).count();
    // 21 methods over the 12 interfaces (api-reference §2), and 5 properties.
    for (kind, expected) in [(RowKind::Rpc, 21), (RowKind::Property, 5), (RowKind::Exception, 42)] {
        if count(kind) != expected {
            failures.push(format!("{expected} {kind:?} rows expected, found {}", count(kind)));
        }
    }

    for (ecma2_enum, expected) in ENUM_MEMBERS {
        let found = rows
            .iter()
            .filter(|r| r.owner() == ecma2_enum && r.ecma2_value.is_some())
            .count();
        if found != expected {
            failures.push(format!("{ecma2_enum}: {expected} members expected, found {found}"));
        }
    }
    let listed: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.kind == RowKind::Enum)
        .map(Row::owner)
        .collect();
    let known: BTreeSet<&str> = ENUM_MEMBERS.iter().map(|(e, _)| *e).collect();
    if listed != known {
        failures.push(format!("enums listed {listed:?} differ from the expected {known:?}"));
    }

    // The 17 properties of MACapabilities (api-reference §8.1).
    let capabilities = rows.iter().filter(|r| r.owner() == "MACapabilities").count();
    if capabilities != 17 {
        failures.push(format!("17 MACapabilities rows expected, found {capabilities}"));
    }
    assert_no_failures("ecma2_names.tsv completeness", &failures);
}

#[test]
fn every_connector_rpc_is_an_ecma2_call_or_a_listed_addition() {
    let service = pool().get_service_by_name(CONNECTOR_SERVICE).expect("ConnectorService");
    let mapped: BTreeSet<String> = rows()
        .iter()
        .filter_map(|r| match resolve(&r.proto_name) {
            Ok(Element::Method(m)) => Some(m.name().to_owned()),
            _ => None,
        })
        .collect();
    let ours: BTreeSet<&str> = OUR_RPCS.iter().map(|(name, _)| *name).collect();
    let mut failures = Vec::new();
    for method in service.methods() {
        let name = method.name();
        match (mapped.contains(name), ours.contains(name)) {
            (true, false) | (false, true) => {}
            (false, false) => failures.push(format!(
                "ConnectorService.{name} is neither mapped in ecma2_names.tsv nor listed as ours"
            )),
            (true, true) => failures.push(format!(
                "ConnectorService.{name} is both mapped to ECMA2 and listed as our own"
            )),
        }
    }
    for name in ours {
        if !service.methods().any(|m| m.name() == name) {
            failures.push(format!("{name} is listed as our RPC but ConnectorService lacks it"));
        }
    }
    let services: BTreeSet<String> = pool().services().map(|s| s.full_name().to_owned()).collect();
    let expected_services: BTreeSet<String> = [CONNECTOR_SERVICE, "ecma2.v1.HostService"]
        .map(str::to_owned)
        .into_iter()
        .collect();
    if services != expected_services {
        failures.push(format!("services {services:?}; a new one must be documented here"));
    }
    assert_no_failures("undocumented RPCs", &failures);
}

#[test]
fn every_field_and_enum_value_is_mapped_or_ours() {
    let mut referenced_fields = BTreeSet::new();
    let mut referenced_values = BTreeSet::new();
    for row in rows() {
        match resolve(&row.proto_name) {
            Ok(Element::Field(path)) => {
                referenced_fields.extend(path.iter().map(|f| f.full_name().to_owned()));
            }
            Ok(Element::EnumValue(value)) => {
                referenced_values.insert(format!("{}.{}", value.parent_enum().full_name(), value.name()));
            }
            _ => {}
        }
    }
    let our_messages: BTreeSet<&str> = OUR_MESSAGES.iter().map(|(m, _)| *m).collect();
    let our_fields: BTreeSet<&str> = OUR_FIELDS.iter().map(|(f, _)| *f).collect();
    let mut failures = Vec::new();

    for message in pool().all_messages().filter(|m| m.package_name() == PACKAGE) {
        if our_messages.contains(message.full_name()) {
            for field in message.fields() {
                if referenced_fields.contains(field.full_name()) {
                    failures.push(format!(
                        "{} is mapped, so {} is not wholly ours",
                        field.full_name(),
                        message.full_name()
                    ));
                }
            }
            continue;
        }
        for field in message.fields() {
            let name = field.full_name();
            let ours = our_fields.contains(name) || field.name() == "session_id";
            match (referenced_fields.contains(name), ours) {
                (false, false) => failures.push(format!("{name} maps no ECMA2 name and is not listed as ours")),
                (true, true) => failures.push(format!("{name} is mapped and also listed as ours")),
                _ => {}
            }
        }
    }
    for field in our_fields {
        if !matches!(resolve(field), Ok(Element::Field(_))) {
            failures.push(format!("{field} is listed as ours but does not exist"));
        }
    }
    for message in our_messages {
        if pool().get_message_by_name(message).is_none() {
            failures.push(format!("{message} is listed as ours but does not exist"));
        }
    }

    for enumeration in pool().all_enums().filter(|e| e.package_name() == PACKAGE) {
        if OUR_ENUMS.contains(&enumeration.full_name()) {
            continue;
        }
        for value in enumeration.values().filter(|v| v.number() != 0) {
            let name = format!("{}.{}", enumeration.full_name(), value.name());
            if !referenced_values.contains(&name) {
                failures.push(format!("{name} maps no ECMA2 enum member or exception"));
            }
        }
        match enumeration.values().find(|v| v.number() == 0) {
            Some(zero) if zero.name() == format!("{}_UNSPECIFIED", screaming(enumeration.name())) => {}
            _ => failures.push(format!(
                "{} must start with an _UNSPECIFIED = 0 value",
                enumeration.full_name()
            )),
        }
    }
    assert_no_failures("contract elements without an ECMA2 counterpart", &failures);
}

#[test]
fn every_interface_has_an_ecma2_interface_value() {
    let interfaces = pool()
        .get_enum_by_name("ecma2.v1.Ecma2Interface")
        .expect("Ecma2Interface");
    let names: BTreeSet<String> = interfaces
        .values()
        .filter(|v| v.number() != 0)
        .map(|v| v.name().trim_start_matches("ECMA2_INTERFACE_").to_owned())
        .collect();
    let expected: BTreeSet<String> = INTERFACES
        .iter()
        .map(|i| screaming(i.trim_start_matches("IMAExtensible2")))
        .collect();
    assert_eq!(
        names, expected,
        "one Ecma2Interface value per ECMA2 interface, same order of words"
    );
}
