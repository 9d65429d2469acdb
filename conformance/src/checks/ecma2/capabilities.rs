//! `capabilities-consistent`: a connector that implements both `GetCapabilities` and
//! `GetCapabilitiesEx` gives the same capabilities from both for the same configuration. The
//! engine reads whichever it prefers (`ecma2-engine` and the host: Ex when present), so two
//! answers mean two different connectors depending on who asks. Absent fields are compared as
//! what they read as (docs/protocol.md "MACapabilities presence").

use ecma2_proto::pb::*;

use crate::check::{Category, Check, Context, Failure, Need, Outcome};
use crate::run_fn;
use crate::subject::Subject;

/// The checks of this module.
pub fn checks() -> Vec<Check> {
    vec![Check {
        id: "capabilities-consistent",
        category: Category::Ecma2,
        rule: "GetCapabilities and GetCapabilitiesEx give the same capabilities for the same configuration",
        writes: None,
        needs: &[
            Need::Interface(Ecma2Interface::GetCapabilities),
            Need::Interface(Ecma2Interface::GetCapabilitiesEx),
        ],
        doc: "docs/protocol.md#macapabilities-presence",
        run: run_fn!(consistent),
    }]
}

/// Every capability with ECMA2's constructor defaults applied, as (name, value) text.
pub fn effective(c: &MaCapabilities) -> Vec<(&'static str, String)> {
    let style = match c.distinguished_name_style() {
        MaDistinguishedNameStyle::Unspecified => MaDistinguishedNameStyle::Generic,
        other => other,
    };
    let flag = |v: Option<bool>, default: bool| v.unwrap_or(default).to_string();
    let mut normalizations: Vec<String> = c
        .normalizations()
        .filter(|n| *n != MaNormalization::Unspecified)
        .map(|n| n.as_str_name().to_owned())
        .collect();
    normalizations.sort();
    normalizations.dedup();
    vec![
        ("DistinguishedNameStyle", style.as_str_name().to_owned()),
        (
            "ObjectRename",
            // DN style None forces ObjectRename to false, as in ECMA2.
            flag(
                c.object_rename.filter(|_| style != MaDistinguishedNameStyle::None),
                style != MaDistinguishedNameStyle::None,
            ),
        ),
        (
            "NoReferenceValuesInFirstExport",
            flag(c.no_reference_values_in_first_export, false),
        ),
        ("DeltaImport", flag(c.delta_import, true)),
        ("ConcurrentOperation", flag(c.concurrent_operation, true)),
        ("DeleteAddAsReplace", flag(c.delete_add_as_replace, true)),
        (
            "ExportPasswordInFirstPass",
            flag(c.export_password_in_first_pass, false),
        ),
        ("FullExport", flag(c.full_export, false)),
        (
            "ObjectConfirmation",
            match c.object_confirmation() {
                MaObjectConfirmation::Unspecified => MaObjectConfirmation::Normal,
                other => other,
            }
            .as_str_name()
            .to_owned(),
        ),
        (
            "ExportType",
            match c.export_type() {
                MaExportType::Unspecified => MaExportType::ObjectReplace,
                other => other,
            }
            .as_str_name()
            .to_owned(),
        ),
        ("Normalizations", normalizations.join("|")),
        ("IsDNAsAnchor", flag(c.is_dn_as_anchor, false)),
        ("SupportImport", flag(c.support_import, true)),
        ("SupportExport", flag(c.support_export, true)),
        ("SupportPartitions", flag(c.support_partitions, true)),
        ("SupportPassword", flag(c.support_password, true)),
        ("SupportHierarchy", flag(c.support_hierarchy, true)),
    ]
}

async fn consistent(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let mut client = s.client();
    let plain = client
        .get_capabilities(s.request(GetCapabilitiesRequest {}))
        .await
        .context("GetCapabilities")?
        .into_inner()
        .capabilities
        .unwrap_or_default();
    let ex = client
        .get_capabilities_ex(s.request(GetCapabilitiesExRequest {
            config_parameters: s.params.clone(),
        }))
        .await
        .context("GetCapabilitiesEx")?
        .into_inner()
        .capabilities
        .unwrap_or_default();
    let differences: Vec<String> = effective(&plain)
        .into_iter()
        .zip(effective(&ex))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, a), (_, b))| format!("{name}: {a} from GetCapabilities, {b} from GetCapabilitiesEx"))
        .collect();
    if differences.is_empty() {
        return Ok(Outcome::pass("both give the same 17 capabilities"));
    }
    Ok(Outcome::fail(differences.join("; "))
        .sent("GetCapabilities(); GetCapabilitiesEx(the kit's configuration)")
        .received(format!("{plain:?} / {ex:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_read_as_the_ecma2_defaults() {
        let absent = MaCapabilities::default();
        let explicit = MaCapabilities {
            distinguished_name_style: MaDistinguishedNameStyle::Generic as i32,
            object_rename: Some(true),
            delta_import: Some(true),
            delete_add_as_replace: Some(true),
            full_export: Some(false),
            export_type: MaExportType::ObjectReplace as i32,
            ..Default::default()
        };
        assert_eq!(effective(&absent), effective(&explicit));
        let other = MaCapabilities {
            export_type: MaExportType::AttributeReplace as i32,
            ..Default::default()
        };
        assert_ne!(effective(&absent), effective(&other));
    }

    #[test]
    fn dn_style_none_reads_object_rename_as_false() {
        let none = MaCapabilities {
            distinguished_name_style: MaDistinguishedNameStyle::None as i32,
            object_rename: Some(true),
            ..Default::default()
        };
        let rename = effective(&none)
            .into_iter()
            .find(|(n, _)| *n == "ObjectRename")
            .unwrap();
        assert_eq!(rename.1, "false");
    }
}
