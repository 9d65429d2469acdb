//! `config-pages`: every configuration page answers (Connectivity, Global, Partition, RunStep,
//! Capabilities, and Schema pages 1, 2, ... until an empty one), its elements are well formed, the
//! kit's configuration validates on every page, and a parameter given an empty or malformed value
//! is either accepted or refused with a result naming it, never with a fault.
//!
//! What the sync engine's UI enforces itself (a String's regular expression, a check box's
//! `0`/`1`, a drop-down's list) the kit does not require the connector to repeat; it only
//! requires an answer.

use std::collections::HashMap;

use ecma2_proto::pb::*;

use crate::check::{Category, Check, Context, Failure, Outcome};
use crate::run_fn;
use crate::subject::{PREFIX, Subject};

/// Schema pages the kit asks for before it decides the list never ends.
const MAX_SCHEMA_PAGES: i32 = 20;

/// The checks of this module.
pub fn checks() -> Vec<Check> {
    vec![Check {
        id: "config-pages",
        category: Category::Ecma2,
        rule: "every configuration page answers with well-formed elements, the configuration validates on every page, and a bad value is refused naming its parameter, never with a fault",
        writes: None,
        needs: &[],
        doc: "docs/connector-rules.md#configuration-pages",
        run: run_fn!(pages),
    }]
}

/// One page as the kit asks for it: which page, and its number for the Ex calls (0: the
/// GetParameters calls).
#[derive(Debug, Clone, Copy)]
struct PageRef {
    page: ConfigParameterPage,
    number: i32,
}

impl std::fmt::Display for PageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.page.as_str_name().trim_start_matches("CONFIG_PARAMETER_PAGE_");
        if self.number > 0 {
            write!(f, "{name} page {}", self.number)
        } else {
            write!(f, "{name}")
        }
    }
}

/// The values of a drop-down's `validation`: split on commas not escaped as `\,`, the trailing
/// empty one (ECMA2 writes one) dropped.
pub fn drop_down_values(validation: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut chars = validation.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                current.push(',');
                chars.next();
            }
            ',' => values.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        values.push(current);
    }
    values
}

/// What is wrong with one page's elements; `names` collects names across pages (ECMA2 keeps
/// every page's parameters in one collection keyed by name).
pub fn definition_problems(
    page: &str,
    definitions: &[ConfigParameterDefinition],
    names: &mut HashMap<String, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for d in definitions {
        let kind = d.r#type();
        if kind == ConfigParameterType::Unspecified {
            problems.push(format!("{page}: element {:?} has no type", d.name));
            continue;
        }
        if matches!(kind, ConfigParameterType::Label | ConfigParameterType::Divider) {
            continue;
        }
        if d.name.is_empty() {
            problems.push(format!("{page}: a {} element has no name", kind.as_str_name()));
            continue;
        }
        if let Some(first) = names.insert(d.name.clone(), page.to_owned()) {
            problems.push(format!(
                "parameter {:?} is defined on {first} and again on {page}",
                d.name
            ));
        }
        match kind {
            ConfigParameterType::CheckBox if !matches!(d.default_value.as_str(), "" | "0" | "1") => {
                problems.push(format!(
                    "{page}: check box {:?} has default {:?}, not \"0\" or \"1\"",
                    d.name, d.default_value
                ));
            }
            ConfigParameterType::DropDown => {
                let values = drop_down_values(&d.validation);
                if values.is_empty() {
                    problems.push(format!("{page}: drop-down {:?} has no values", d.name));
                } else if !d.default_value.is_empty() && !d.drop_down_extensible && !values.contains(&d.default_value) {
                    problems.push(format!(
                        "{page}: drop-down {:?} has default {:?}, which is not one of {values:?}",
                        d.name, d.default_value
                    ));
                }
            }
            _ => {}
        }
    }
    problems
}

fn parameter(d: &ConfigParameterDefinition, value: String) -> ConfigParameter {
    if d.r#type() == ConfigParameterType::EncryptedString {
        ConfigParameter {
            name: d.name.clone(),
            secure_value: Some(Secret { value }),
            is_encrypted: true,
            ..Default::default()
        }
    } else {
        ConfigParameter {
            name: d.name.clone(),
            value,
            ..Default::default()
        }
    }
}

/// A value the UI would not let through for `d`, or a nonsense one where it would.
fn malformed(d: &ConfigParameterDefinition) -> String {
    match d.r#type() {
        ConfigParameterType::CheckBox => "maybe".into(),
        ConfigParameterType::DropDown => format!("{PREFIX}not-in-the-list"),
        _ => format!("{PREFIX}bad/\u{7}/value <>|"),
    }
}

async fn definitions(s: &Subject<'_>, at: PageRef) -> Result<Vec<ConfigParameterDefinition>, Failure> {
    let mut client = s.client();
    Ok(if at.number == 0 {
        client
            .get_config_parameters(s.request(GetConfigParametersRequest {
                config_parameters: s.params.clone(),
                page: at.page as i32,
            }))
            .await
            .context(format!("GetConfigParameters({at})"))?
            .into_inner()
            .definitions
    } else {
        client
            .get_config_parameters_ex(s.request(GetConfigParametersExRequest {
                config_parameters: s.params.clone(),
                page: at.page as i32,
                page_number: at.number,
            }))
            .await
            .context(format!("GetConfigParametersEx({at})"))?
            .into_inner()
            .definitions
    })
}

async fn validate(
    s: &Subject<'_>,
    at: PageRef,
    config: Vec<ConfigParameter>,
) -> Result<ParameterValidationResult, tonic::Status> {
    let mut client = s.client();
    let result = if at.number == 0 {
        client
            .validate_config_parameters(s.request(ValidateConfigParametersRequest {
                config_parameters: config,
                page: at.page as i32,
            }))
            .await?
            .into_inner()
            .result
    } else {
        client
            .validate_config_parameters_ex(s.request(ValidateConfigParametersExRequest {
                config_parameters: config,
                page: at.page as i32,
                page_number: at.number,
            }))
            .await?
            .into_inner()
            .result
    };
    Ok(result.unwrap_or_default())
}

/// Every page the connector can be asked for, with its elements.
async fn all_pages(s: &Subject<'_>) -> Result<Vec<(PageRef, Vec<ConfigParameterDefinition>)>, Failure> {
    let plain = s.has(Ecma2Interface::GetParameters);
    let ex = s.has(Ecma2Interface::GetParametersEx);
    let mut pages = Vec::new();
    for page in [
        ConfigParameterPage::Connectivity,
        ConfigParameterPage::Global,
        ConfigParameterPage::Partition,
        ConfigParameterPage::RunStep,
        ConfigParameterPage::Capabilities,
    ] {
        let at = PageRef {
            page,
            number: if plain { 0 } else { 1 },
        };
        pages.push((at, definitions(s, at).await?));
    }
    if ex {
        for number in 1..=MAX_SCHEMA_PAGES {
            let at = PageRef {
                page: ConfigParameterPage::Schema,
                number,
            };
            let found = definitions(s, at).await?;
            if found.is_empty() {
                return Ok(pages);
            }
            pages.push((at, found));
        }
        crate::bail!("GetConfigParametersEx(SCHEMA) still returned elements on page {MAX_SCHEMA_PAGES}");
    }
    Ok(pages)
}

async fn pages(s: &Subject<'_>) -> Result<Outcome, Failure> {
    if !s.has(Ecma2Interface::GetParameters) && !s.has(Ecma2Interface::GetParametersEx) {
        return Ok(Outcome::skip(
            "the connector implements neither IMAExtensible2GetParameters nor IMAExtensible2GetParametersEx",
        ));
    }
    let pages = all_pages(s).await?;
    let mut names = HashMap::new();
    let mut problems = Vec::new();
    for (at, defs) in &pages {
        problems.extend(definition_problems(&at.to_string(), defs, &mut names));
    }
    // The configuration under test, as given: a parameter left out keeps the connector's own
    // default, whatever the connector does with an absent value.
    let good = s.params.clone();
    let mut calls = 0;
    for (at, defs) in &pages {
        calls += 1;
        match validate(s, *at, good.clone()).await {
            Ok(r) if r.code() == ParameterValidationResultCode::Success => {}
            Ok(r) => problems.push(format!(
                "{at}: the kit's configuration does not validate: {} (parameter {:?})",
                r.error_message, r.error_parameter
            )),
            Err(status) => problems.push(format!(
                "{at}: validating the kit's configuration failed with a fault: {}",
                super::support::fault_name(&status)
            )),
        }
        for d in defs.iter().filter(|d| {
            !d.name.is_empty() && !matches!(d.r#type(), ConfigParameterType::Label | ConfigParameterType::Divider)
        }) {
            for bad in [String::new(), malformed(d)] {
                calls += 1;
                let mut config: Vec<ConfigParameter> = good.iter().filter(|p| p.name != d.name).cloned().collect();
                config.push(parameter(d, bad.clone()));
                match validate(s, *at, config).await {
                    Ok(r) if r.code() == ParameterValidationResultCode::Success => {}
                    Ok(r) if r.error_parameter == d.name || r.error_message.contains(d.name.as_str()) => {}
                    Ok(r) => problems.push(format!(
                        "{at}: {} = {bad:?} was refused without naming it: {:?} (parameter {:?})",
                        d.name, r.error_message, r.error_parameter
                    )),
                    Err(status) => problems.push(format!(
                        "{at}: {} = {bad:?} made validation fail with a fault instead of a result: {}",
                        d.name,
                        super::support::fault_name(&status)
                    )),
                }
            }
        }
    }
    if problems.is_empty() {
        return Ok(Outcome::pass(format!(
            "{} pages, {} parameters, {calls} validations",
            pages.len(),
            names.len()
        )));
    }
    let count = problems.len();
    problems.truncate(5);
    Ok(Outcome::fail(format!("{count} problem(s): {}", problems.join("; ")))
        .sent("GetConfigParameters / ValidateConfigParameters on every page, with good, empty and malformed values"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(kind: ConfigParameterType, name: &str, validation: &str, default: &str) -> ConfigParameterDefinition {
        ConfigParameterDefinition {
            name: name.into(),
            r#type: kind as i32,
            validation: validation.into(),
            default_value: default.into(),
            ..Default::default()
        }
    }

    #[test]
    fn drop_down_values_follow_ecma2s_encoding() {
        assert_eq!(drop_down_values("a,b\\,c,"), ["a", "b,c"]);
        assert_eq!(drop_down_values("one"), ["one"]);
        assert!(drop_down_values("").is_empty());
    }

    #[test]
    fn definitions_are_checked_across_pages() {
        let mut names = HashMap::new();
        let first = [
            definition(ConfigParameterType::String, "path", "", ""),
            definition(ConfigParameterType::Label, "", "", ""),
            definition(ConfigParameterType::CheckBox, "verbose", "", "yes"),
        ];
        assert_eq!(definition_problems("CONNECTIVITY", &first, &mut names).len(), 1);
        let second = [
            definition(ConfigParameterType::DropDown, "mode", "a,b,", "c"),
            definition(ConfigParameterType::String, "path", "", ""),
        ];
        assert_eq!(definition_problems("GLOBAL", &second, &mut names).len(), 2);
    }
}
