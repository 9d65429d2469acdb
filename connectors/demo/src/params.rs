//! Configuration parameters: the pages the engine draws (IMAExtensible2GetParameters and
//! GetParametersEx), their validation (every failure names the parameter at fault), and reading
//! the values a call needs.
//!
//! | page | parameter | meaning |
//! |---|---|---|
//! | Connectivity | `database` | path of the SQLite file; created and seeded on first use (env `ECMA2_DEMO_DATABASE` when absent) |
//! | Connectivity | `seed_users` | make sure this many generated users exist (env `ECMA2_DEMO_SEED_USERS` when absent; default 0) |
//! | Connectivity | `access_key` | EncryptedString, optional: stands for a credential; the import's `open` observation records its length, so tests can see it arrived as a secret |
//! | Global | `observe_file`, `test_panic_on` | test hooks (see [`crate::observe`]) |
//! | RunStep | `test_block_get_ms`, `test_block_put_ms`, `test_block_close_ms`, `test_exit_after_put` | test hooks |
//! | Partition | `import_groups` | check box, default on: import groups of this partition |
//! | Capabilities | `export_attribute_replace` | check box: ExportType AttributeReplace instead of AttributeUpdate |
//! | Capabilities | `test_no_delta_import` | test hook, check box: DeltaImport false (the engine must refuse delta runs) |
//! | Capabilities | `test_normalize_uppercase` | test hook, check box: Normalizations Uppercase |
//! | Capabilities | `test_full_export` | test hook, check box: FullExport true (a full export overwrites each object it sends) |
//! | Capabilities | `test_no_object_rename` | test hook, check box: ObjectRename false (the engine must not send a DN change) |
//! | RunStep | `test_ignore_hierarchy` | test hook, check box: a full import returns objects of every container, as the ADMA does (the engine drops what is out of scope) |
//! | RunStep | `test_full_object_reply` | test hook: answer FullObjectEntries wrongly: `extra` (also an object not asked for), `update` (an Update instead of an Add), `missing` (leave the object out) |
//! | RunStep | `test_open_without_watermark` | test hook, check box: OpenImportConnection answers without a watermark |
//! | Capabilities | `test_no_concurrent_operation` | test hook, check box: ConcurrentOperation false (an engine runs one session of the connector at a time) |
//! | Capabilities | `test_dn_style_none` | test hook, check box: DN style None: imports carry only the anchor (no DN); references name objects by their anchor; an export's add without a DN is placed by its `cn` |
//! | Schema page 1 | `schema_hide_photo` | check box: `photo` is HiddenByDefault |
//! | Schema page 2 | `schema_note` | free text, kept for the administrator; page 3 is empty (the end) |

use std::path::PathBuf;

use ecma2_sdk::model::{invalid, parameter, valid};
use ecma2_sdk::pb::{
    ConfigParameterDefinition, ConfigParameterPage as Page, ConfigParameterType as Kind, ParameterValidationResult,
};
use ecma2_sdk::{Context, Error, GetParameters, GetParametersEx, Params, Result, async_trait};

use crate::Demo;
use crate::observe::{BLOCK_CLOSE_MS, BLOCK_GET_MS, BLOCK_PUT_MS, EXIT_AFTER_PUT, OBSERVE_FILE, PANIC_ON};

/// Connectivity: the SQLite file.
pub const DATABASE: &str = "database";
/// Connectivity: how many generated users must exist.
pub const SEED_USERS: &str = "seed_users";
/// Connectivity: an optional secret (EncryptedString), standing for a credential.
pub const ACCESS_KEY: &str = "access_key";
/// Partition: import groups (check box).
pub const IMPORT_GROUPS: &str = "import_groups";
/// Capabilities: AttributeReplace export (check box).
pub const EXPORT_ATTRIBUTE_REPLACE: &str = "export_attribute_replace";
/// Capabilities: announce DeltaImport = false (check box; a test hook for engines).
pub const TEST_NO_DELTA_IMPORT: &str = "test_no_delta_import";
/// Capabilities: announce Normalizations = Uppercase (check box; a test hook for engines).
pub const TEST_NORMALIZE_UPPERCASE: &str = "test_normalize_uppercase";
/// Capabilities: announce FullExport = true (check box; a test hook for engines).
pub const TEST_FULL_EXPORT: &str = "test_full_export";
/// Capabilities: announce ObjectRename = false (check box; a test hook for engines).
pub const TEST_NO_OBJECT_RENAME: &str = "test_no_object_rename";
/// RunStep: ignore the inclusion and exclusion nodes in a full import (check box; a test hook).
pub const TEST_IGNORE_HIERARCHY: &str = "test_ignore_hierarchy";
/// RunStep: answer FullObjectEntries wrongly (`extra`, `update`, `missing`; a test hook).
pub const TEST_FULL_OBJECT_REPLY: &str = "test_full_object_reply";
/// The values `test_full_object_reply` accepts.
pub const FULL_OBJECT_REPLIES: &[&str] = &["extra", "update", "missing"];
/// RunStep: OpenImportConnection answers without a watermark (check box; a test hook).
pub const TEST_OPEN_WITHOUT_WATERMARK: &str = "test_open_without_watermark";
/// Capabilities: announce ConcurrentOperation = false (check box; a test hook for engines).
pub const TEST_NO_CONCURRENT_OPERATION: &str = "test_no_concurrent_operation";
/// Capabilities: announce DN style None (check box; a test hook for engines).
pub const TEST_DN_STYLE_NONE: &str = "test_dn_style_none";
/// Schema page 1: hide `photo` by default (check box).
pub const SCHEMA_HIDE_PHOTO: &str = "schema_hide_photo";
/// Schema page 2: a note.
pub const SCHEMA_NOTE: &str = "schema_note";

/// Environment fallback for `database`.
pub const DATABASE_ENV: &str = "ECMA2_DEMO_DATABASE";
/// Environment fallback for `seed_users`.
pub const SEED_USERS_ENV: &str = "ECMA2_DEMO_SEED_USERS";

/// The most generated users `seed_users` accepts.
pub const MAX_SEED_USERS: i64 = 10_000_000;

/// The RPC names `test_panic_on` accepts.
pub const CALLS: &[&str] = &[
    "GetCapabilities",
    "GetCapabilitiesEx",
    "GetConfigParameters",
    "ValidateConfigParameters",
    "GetConfigParametersEx",
    "ValidateConfigParametersEx",
    "GetSchema",
    "GetPartitions",
    "GetHierarchy",
    "OpenImportConnection",
    "GetImportEntries",
    "CloseImportConnection",
    "OpenExportConnection",
    "PutExportEntries",
    "CloseExportConnection",
    "WriteImportFile",
    "ReadExportFile",
    "OpenPasswordConnection",
    "GetConnectionSecurityLevel",
    "SetPassword",
    "ChangePassword",
    "ClosePasswordConnection",
];

/// The database path: the `database` parameter, else `ECMA2_DEMO_DATABASE`.
pub fn database(params: &Params) -> Result<PathBuf> {
    params
        .get(DATABASE)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os(DATABASE_ENV).map(PathBuf::from))
        .ok_or_else(|| {
            Error::no_such_parameter(
                DATABASE,
                format!("parameter {DATABASE:?} (the SQLite file) is required"),
            )
        })
}

/// The generated-user count: `seed_users`, else `ECMA2_DEMO_SEED_USERS`, else 0.
pub fn seed_users(params: &Params) -> Result<u64> {
    let from_env = std::env::var(SEED_USERS_ENV).ok();
    let text = params
        .get(SEED_USERS)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .or(from_env.as_deref().map(str::trim))
        .unwrap_or("0");
    match text.parse::<i64>() {
        Ok(n) if (0..=MAX_SEED_USERS).contains(&n) => Ok(n as u64),
        _ => Err(Error::no_such_parameter(
            SEED_USERS,
            format!("parameter {SEED_USERS:?} must be a whole number from 0 to {MAX_SEED_USERS}, got {text:?}"),
        )),
    }
}

fn label(text: &str) -> ConfigParameterDefinition {
    ConfigParameterDefinition {
        r#type: Kind::Label as i32,
        text: text.to_owned(),
        ..Default::default()
    }
}

fn definitions(page: Page, page_number: i32) -> Vec<ConfigParameterDefinition> {
    match page {
        Page::Connectivity => vec![
            parameter(Kind::String, DATABASE, ""),
            parameter(Kind::String, SEED_USERS, "0"),
            parameter(Kind::EncryptedString, ACCESS_KEY, ""),
        ],
        Page::Global => vec![
            label("Test hooks: leave empty in production."),
            parameter(Kind::String, OBSERVE_FILE, ""),
            parameter(Kind::String, PANIC_ON, ""),
        ],
        Page::RunStep => vec![
            parameter(Kind::String, BLOCK_GET_MS, "0"),
            parameter(Kind::String, BLOCK_PUT_MS, "0"),
            parameter(Kind::String, BLOCK_CLOSE_MS, "0"),
            parameter(Kind::CheckBox, EXIT_AFTER_PUT, "0"),
            parameter(Kind::CheckBox, TEST_IGNORE_HIERARCHY, "0"),
            parameter(Kind::String, TEST_FULL_OBJECT_REPLY, ""),
            parameter(Kind::CheckBox, TEST_OPEN_WITHOUT_WATERMARK, "0"),
        ],
        Page::Partition => vec![parameter(Kind::CheckBox, IMPORT_GROUPS, "1")],
        Page::Capabilities => vec![
            parameter(Kind::CheckBox, EXPORT_ATTRIBUTE_REPLACE, "0"),
            parameter(Kind::CheckBox, TEST_NO_DELTA_IMPORT, "0"),
            parameter(Kind::CheckBox, TEST_NORMALIZE_UPPERCASE, "0"),
            parameter(Kind::CheckBox, TEST_FULL_EXPORT, "0"),
            parameter(Kind::CheckBox, TEST_NO_OBJECT_RENAME, "0"),
            parameter(Kind::CheckBox, TEST_NO_CONCURRENT_OPERATION, "0"),
            parameter(Kind::CheckBox, TEST_DN_STYLE_NONE, "0"),
        ],
        Page::Schema => match page_number {
            1 => vec![
                label("Schema options"),
                parameter(Kind::CheckBox, SCHEMA_HIDE_PHOTO, "0"),
            ],
            2 => vec![
                ConfigParameterDefinition {
                    validation: "^.{0,200}$".to_owned(),
                    ..parameter(Kind::String, SCHEMA_NOTE, "")
                },
                ConfigParameterDefinition {
                    r#type: Kind::Divider as i32,
                    ..Default::default()
                },
            ],
            _ => Vec::new(),
        },
        Page::Unspecified => Vec::new(),
    }
}

fn check_box(params: &Params, name: &str) -> Option<ParameterValidationResult> {
    match params.get(name) {
        None | Some("") | Some("0") | Some("1") => None,
        Some(other) => Some(invalid(
            name,
            format!("check box {name:?} must be \"0\" or \"1\", got {other:?}"),
        )),
    }
}

fn full_object_reply(params: &Params) -> Option<ParameterValidationResult> {
    let value = params.get(TEST_FULL_OBJECT_REPLY).map(str::trim).unwrap_or_default();
    (!value.is_empty() && !FULL_OBJECT_REPLIES.contains(&value)).then(|| {
        invalid(
            TEST_FULL_OBJECT_REPLY,
            format!(
                "parameter {TEST_FULL_OBJECT_REPLY:?} must be empty or one of {}, got {value:?}",
                FULL_OBJECT_REPLIES.join(", ")
            ),
        )
    })
}

fn non_negative_ms(params: &Params, name: &str) -> Option<ParameterValidationResult> {
    let text = params.get(name).map(str::trim).unwrap_or_default();
    if text.is_empty() || text.parse::<u64>().is_ok() {
        None
    } else {
        Some(invalid(
            name,
            format!("parameter {name:?} must be a number of milliseconds, got {text:?}"),
        ))
    }
}

fn validate(params: &Params, page: Page, page_number: i32) -> ParameterValidationResult {
    let failure = match page {
        Page::Connectivity => validate_connectivity(params),
        Page::Global => validate_global(params),
        Page::RunStep => non_negative_ms(params, BLOCK_GET_MS)
            .or_else(|| non_negative_ms(params, BLOCK_PUT_MS))
            .or_else(|| non_negative_ms(params, BLOCK_CLOSE_MS))
            .or_else(|| check_box(params, TEST_IGNORE_HIERARCHY))
            .or_else(|| check_box(params, TEST_OPEN_WITHOUT_WATERMARK))
            .or_else(|| full_object_reply(params)),
        Page::Partition => check_box(params, IMPORT_GROUPS),
        Page::Capabilities => check_box(params, EXPORT_ATTRIBUTE_REPLACE)
            .or_else(|| check_box(params, TEST_NO_DELTA_IMPORT))
            .or_else(|| check_box(params, TEST_NORMALIZE_UPPERCASE))
            .or_else(|| check_box(params, TEST_FULL_EXPORT))
            .or_else(|| check_box(params, TEST_NO_OBJECT_RENAME))
            .or_else(|| check_box(params, TEST_NO_CONCURRENT_OPERATION))
            .or_else(|| check_box(params, TEST_DN_STYLE_NONE)),
        Page::Schema if page_number == 1 => check_box(params, SCHEMA_HIDE_PHOTO),
        Page::Schema => params
            .get(SCHEMA_NOTE)
            .filter(|n| n.chars().count() > 200)
            .map(|_| invalid(SCHEMA_NOTE, "parameter \"schema_note\" is longer than 200 characters")),
        Page::Unspecified => Some(invalid("", "no page given")),
    };
    failure.unwrap_or_else(valid)
}

fn validate_connectivity(params: &Params) -> Option<ParameterValidationResult> {
    let Some(path) = params.get(DATABASE).map(str::trim).filter(|p| !p.is_empty()) else {
        return Some(invalid(
            DATABASE,
            "parameter \"database\" (path of the SQLite file) is required",
        ));
    };
    let path = PathBuf::from(path);
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent.filter(|p| !p.is_dir()) {
        return Some(invalid(
            DATABASE,
            format!("the folder of \"database\" ({}) does not exist", parent.display()),
        ));
    }
    if path.is_dir() {
        return Some(invalid(
            DATABASE,
            format!("\"database\" ({}) is a folder, not a file", path.display()),
        ));
    }
    if params
        .find(ACCESS_KEY)
        .is_some_and(|p| !p.is_encrypted && !p.value.is_empty())
    {
        return Some(invalid(
            ACCESS_KEY,
            "parameter \"access_key\" is an EncryptedString and arrived as plain text",
        ));
    }
    let seed = params.get(SEED_USERS).map(str::trim).unwrap_or_default();
    match seed.parse::<i64>() {
        _ if seed.is_empty() => None,
        Ok(n) if (0..=MAX_SEED_USERS).contains(&n) => None,
        Ok(n) => Some(invalid(
            SEED_USERS,
            format!("parameter \"seed_users\" must be from 0 to {MAX_SEED_USERS}, got {n}"),
        )),
        Err(_) => Some(invalid(
            SEED_USERS,
            format!("parameter \"seed_users\" must be a whole number, got {seed:?}"),
        )),
    }
}

fn validate_global(params: &Params) -> Option<ParameterValidationResult> {
    if let Some(path) = params.get(OBSERVE_FILE).map(str::trim).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent.filter(|p| !p.is_dir()) {
            return Some(invalid(
                OBSERVE_FILE,
                format!("the folder of \"observe_file\" ({}) does not exist", parent.display()),
            ));
        }
    }
    let unknown: Vec<&str> = params
        .get(PANIC_ON)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty() && !CALLS.contains(c))
        .collect();
    (!unknown.is_empty()).then(|| {
        invalid(
            PANIC_ON,
            format!(
                "parameter \"test_panic_on\" names unknown calls: {}",
                unknown.join(", ")
            ),
        )
    })
}

#[async_trait]
impl GetParameters for Demo {
    async fn get_config_parameters(
        &mut self,
        ctx: &Context,
        params: &Params,
        page: Page,
    ) -> Result<Vec<ConfigParameterDefinition>> {
        self.hooks_lenient(ctx, params);
        // Without the Ex interface there is one Schema page at most; ours starts at 1.
        Ok(definitions(page, 1))
    }

    async fn validate_config_parameters(
        &mut self,
        ctx: &Context,
        params: &Params,
        page: Page,
    ) -> Result<ParameterValidationResult> {
        self.hooks_lenient(ctx, params);
        Ok(validate(params, page, 1))
    }
}

#[async_trait]
impl GetParametersEx for Demo {
    async fn get_config_parameters_ex(
        &mut self,
        ctx: &Context,
        params: &Params,
        page: Page,
        page_number: i32,
    ) -> Result<Vec<ConfigParameterDefinition>> {
        self.hooks_lenient(ctx, params);
        Ok(definitions(page, page_number))
    }

    async fn validate_config_parameters_ex(
        &mut self,
        ctx: &Context,
        params: &Params,
        page: Page,
        page_number: i32,
    ) -> Result<ParameterValidationResult> {
        self.hooks_lenient(ctx, params);
        Ok(validate(params, page, page_number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecma2_sdk::pb::{ConfigParameter, ParameterValidationResultCode as Code};

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(n, v)| ConfigParameter {
                    name: (*n).to_owned(),
                    value: (*v).to_owned(),
                    ..Default::default()
                })
                .collect(),
        )
    }

    #[test]
    fn validation_names_the_parameter_at_fault() {
        let missing = validate(&params(&[]), Page::Connectivity, 1);
        assert_eq!(missing.code(), Code::Failure);
        assert_eq!(missing.error_parameter, DATABASE);
        let seed = validate(
            &params(&[(DATABASE, "/tmp/x.db"), (SEED_USERS, "many")]),
            Page::Connectivity,
            1,
        );
        assert_eq!(seed.error_parameter, SEED_USERS);
        assert!(seed.error_message.contains("\"many\""), "{}", seed.error_message);
        let ok = validate(
            &params(&[(DATABASE, "/tmp/x.db"), (SEED_USERS, "10")]),
            Page::Connectivity,
            1,
        );
        assert_eq!(ok.code(), Code::Success);
        let panic = validate(&params(&[(PANIC_ON, "GetImportEntries, Nope")]), Page::Global, 1);
        assert_eq!(panic.error_parameter, PANIC_ON);
        assert!(panic.error_message.contains("Nope"));
    }

    #[test]
    fn schema_pages_end_with_an_empty_page() {
        assert!(!definitions(Page::Schema, 1).is_empty());
        assert!(!definitions(Page::Schema, 2).is_empty());
        assert!(definitions(Page::Schema, 3).is_empty());
    }

    #[test]
    fn seed_users_must_be_a_number() {
        let err = seed_users(&params(&[(SEED_USERS, "x")])).unwrap_err();
        assert_eq!(err.into_fault().parameter_name, SEED_USERS);
        assert_eq!(seed_users(&params(&[(SEED_USERS, "12")])).unwrap(), 12);
    }
}
