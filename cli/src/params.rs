//! Configuration parameters given as `--param name=value`, typed by the connector's own
//! definitions as the engine's UI would: an EncryptedString parameter travels as a `Secret`
//! (never as a plain value), and a check box as `"1"` or `"0"`, the values ECMA2 stores, so that
//! `true` is not silently read as off.

use anyhow::{Result, bail};
use ecma2_proto::pb::{
    ConfigParameter, ConfigParameterDefinition, ConfigParameterPage, ConfigParameterType, GetConfigParametersRequest,
    Secret,
};
use tracing::warn;

use ecma2_engine::Engine;

/// Types `pairs` by the definitions of the connector's Connectivity and Global pages. The
/// Connectivity page is asked for with no parameters, so no secret crosses before it is known
/// to be one. A connector that does not describe its parameters (or fails to) gets them plain.
pub async fn resolve(engine: &Engine, connector: &str, pairs: &[(String, String)]) -> Result<Vec<ConfigParameter>> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let Some(mut definitions) = page(engine, connector, ConfigParameterPage::Connectivity, Vec::new()).await else {
        return apply(pairs, &[]);
    };
    // The Global page may depend on the connectivity values; it gets those, already typed.
    let connectivity: Vec<_> = pairs
        .iter()
        .filter(|(name, _)| definitions.iter().any(|d| &d.name == name))
        .cloned()
        .collect();
    let known = apply(&connectivity, &definitions)?;
    if let Some(global) = page(engine, connector, ConfigParameterPage::Global, known).await {
        definitions.extend(global);
    }
    apply(pairs, &definitions)
}

/// One page's definitions, or `None` when the connector does not give them.
async fn page(
    engine: &Engine,
    connector: &str,
    page: ConfigParameterPage,
    known: Vec<ConfigParameter>,
) -> Option<Vec<ConfigParameterDefinition>> {
    let request = GetConfigParametersRequest {
        config_parameters: known,
        page: page as i32,
    };
    match engine
        .connectors()
        .get_config_parameters(engine.request(connector, request))
        .await
    {
        Ok(response) => Some(response.into_inner().definitions),
        Err(status) => {
            if status.code() != tonic::Code::Unimplemented {
                warn!(connector, ?page, error = %status.message(), "no parameter definitions; sending parameters as given");
            }
            None
        }
    }
}

/// Types `pairs` by `definitions`; names without a definition stay plain.
pub fn apply(pairs: &[(String, String)], definitions: &[ConfigParameterDefinition]) -> Result<Vec<ConfigParameter>> {
    let mut out = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        let kind = definitions
            .iter()
            .find(|d| &d.name == name)
            .map(|d| d.r#type())
            .unwrap_or(ConfigParameterType::String);
        let parameter = match kind {
            ConfigParameterType::EncryptedString => ConfigParameter {
                name: name.clone(),
                value: String::new(),
                secure_value: Some(Secret::new(value.clone())),
                is_encrypted: true,
            },
            ConfigParameterType::CheckBox => {
                let stored = match value.to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => "1",
                    "0" | "false" | "no" | "off" | "" => "0",
                    _ => bail!("parameter {name:?} is a check box: give 1 or 0 (or true/false), not {value:?}"),
                };
                ConfigParameter {
                    name: name.clone(),
                    value: stored.into(),
                    ..Default::default()
                }
            }
            _ => ConfigParameter {
                name: name.clone(),
                value: value.clone(),
                ..Default::default()
            },
        };
        out.push(parameter);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(name: &str, kind: ConfigParameterType) -> ConfigParameterDefinition {
        ConfigParameterDefinition {
            name: name.into(),
            r#type: kind as i32,
            ..Default::default()
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn check_boxes_become_one_or_zero_and_secrets_stay_secret() {
        let definitions = [
            definition("Create if missing", ConfigParameterType::CheckBox),
            definition("Password", ConfigParameterType::EncryptedString),
            definition("Database path", ConfigParameterType::String),
        ];
        let given = pairs(&[
            ("Create if missing", "true"),
            ("Password", "hunter2"),
            ("Database path", "/tmp/hr.db"),
            ("unknown", "kept"),
        ]);
        let typed = apply(&given, &definitions).unwrap();
        assert_eq!(typed[0].value, "1");
        assert!(typed[1].value.is_empty() && typed[1].is_encrypted);
        assert_eq!(typed[1].secure_value.as_ref().unwrap().expose(), "hunter2");
        assert!(!format!("{typed:?}").contains("hunter2"));
        assert_eq!(typed[2].value, "/tmp/hr.db");
        assert_eq!(typed[3].value, "kept");
        for off in ["0", "false", "No", "OFF", ""] {
            let typed = apply(&pairs(&[("Create if missing", off)]), &definitions).unwrap();
            assert_eq!(typed[0].value, "0", "{off:?}");
        }
    }

    #[test]
    fn a_check_box_value_that_means_neither_is_refused_by_name() {
        let definitions = [definition("Create if missing", ConfigParameterType::CheckBox)];
        let error = apply(&pairs(&[("Create if missing", "maybe")]), &definitions).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("Create if missing") && text.contains("maybe"), "{text}");
    }
}
