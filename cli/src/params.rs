//! Configuration parameters, typed by the connector's own definitions as the engine's UI would:
//! an EncryptedString parameter travels as a `Secret` (never as a plain value), a check box as
//! `"1"` or `"0"`, the values ECMA2 stores, so that `true` is not silently read as off. Values
//! come from the connector's saved configuration (`ecma2 config set`), then `--param`, then the
//! secret flags (`--secret NAME` prompts, `--secret-file NAME=FILE`, `--secret-env NAME=VAR`);
//! a name no page of the connector defines is refused, naming the ones it does.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use ecma2_proto::pb::{
    ConfigParameter, ConfigParameterDefinition, ConfigParameterPage, ConfigParameterType, GetConfigParametersExRequest,
    GetConfigParametersRequest, Secret,
};
use tracing::warn;

use ecma2_engine::Engine;
use ecma2_engine::saved::Store;

use crate::output::Usage;

/// Where secret values come from: never the command line itself.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct SecretArgs {
    /// An EncryptedString parameter to read from the terminal without echo (or from the first
    /// line of standard input when it is not a terminal). Repeatable.
    #[arg(long = "secret", value_name = "NAME")]
    pub prompt: Vec<String>,
    /// An EncryptedString parameter read from a file (its first line), `NAME=FILE`. Repeatable.
    #[arg(long = "secret-file", value_name = "NAME=FILE", value_parser = parse_pair)]
    pub files: Vec<(String, String)>,
    /// An EncryptedString parameter read from an environment variable, `NAME=VAR`. Repeatable.
    #[arg(long = "secret-env", value_name = "NAME=VAR", value_parser = parse_pair)]
    pub env: Vec<(String, String)>,
}

/// Parses `name=value`.
pub fn parse_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{text:?} is not name=value"))
}

impl SecretArgs {
    /// Whether any secret was asked for.
    pub fn is_empty(&self) -> bool {
        self.prompt.is_empty() && self.files.is_empty() && self.env.is_empty()
    }

    /// Reads every secret asked for.
    pub fn read(&self) -> Result<Vec<(String, Secret)>> {
        let mut out = Vec::new();
        for name in &self.prompt {
            let value = if std::io::stdin().is_terminal() {
                rpassword::prompt_password(format!("{name}: ")).with_context(|| format!("reading {name:?}"))?
            } else {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .with_context(|| format!("reading {name:?} from standard input"))?;
                line.trim_end_matches(['\n', '\r']).to_owned()
            };
            out.push((name.clone(), Secret::new(value)));
        }
        for (name, file) in &self.files {
            let text = std::fs::read_to_string(PathBuf::from(file))
                .map_err(|e| Usage(format!("secret {name:?}: reading {file}: {e}")))?;
            let value = text.lines().next().unwrap_or_default().to_owned();
            out.push((name.clone(), Secret::new(value)));
        }
        for (name, var) in &self.env {
            let value = std::env::var(var)
                .map_err(|_| Usage(format!("secret {name:?}: environment variable {var} is not set")))?;
            out.push((name.clone(), Secret::new(value)));
        }
        if let Some((name, _)) = out.iter().find(|(_, s)| s.expose().is_empty()) {
            return Err(Usage(format!("secret {name:?} is empty")).into());
        }
        Ok(out)
    }
}

/// What the operator gave for one command.
#[derive(Debug, Default)]
pub struct Given {
    /// Plain `name=value` pairs.
    pub plain: Vec<(String, String)>,
    /// Secrets, by name.
    pub secrets: Vec<(String, Secret)>,
}

/// Saved values of `connector` overlaid with what the command line gave.
pub fn merged(store: &Store, connector: &str, plain: &[(String, String)], secrets: &SecretArgs) -> Result<Given> {
    let saved = store.get(connector);
    let mut given = Given::default();
    for (name, value) in &saved.params {
        given.plain.push((name.clone(), value.clone()));
    }
    given.secrets = store.secrets(connector)?;
    for (name, value) in plain {
        given.secrets.retain(|(n, _)| n != name);
        given.plain.retain(|(n, _)| n != name);
        given.plain.push((name.clone(), value.clone()));
    }
    for (name, secret) in secrets.read()? {
        given.plain.retain(|(n, _)| *n != name);
        given.secrets.retain(|(n, _)| *n != name);
        given.secrets.push((name, secret));
    }
    Ok(given)
}

/// Every parameter definition the connector gives (all pages), or `None` when it gives none.
pub async fn definitions(
    engine: &Engine,
    connector: &str,
    known: &[ConfigParameter],
) -> Option<Vec<ConfigParameterDefinition>> {
    let mut all = page(engine, connector, ConfigParameterPage::Connectivity, Vec::new()).await?;
    for p in [
        ConfigParameterPage::Global,
        ConfigParameterPage::RunStep,
        ConfigParameterPage::Partition,
        ConfigParameterPage::Capabilities,
    ] {
        all.extend(page(engine, connector, p, known.to_vec()).await.unwrap_or_default());
    }
    // Schema pages are numbered (GetParametersEx); a handful is plenty.
    for number in 1..=8 {
        let request = GetConfigParametersExRequest {
            config_parameters: known.to_vec(),
            page: ConfigParameterPage::Schema as i32,
            page_number: number,
        };
        match engine
            .connectors()
            .get_config_parameters_ex(engine.request(connector, request))
            .await
        {
            Ok(r) if !r.get_ref().definitions.is_empty() => all.extend(r.into_inner().definitions),
            _ => break,
        }
    }
    Some(all)
}

/// Types the given values by the connector's definitions. The Connectivity page is asked for
/// with no parameters, so no secret crosses before it is known to be one. A connector that does
/// not describe its parameters (or fails to) gets them as given.
pub async fn resolve(engine: &Engine, connector: &str, given: &Given) -> Result<Vec<ConfigParameter>> {
    if given.plain.is_empty() && given.secrets.is_empty() {
        return Ok(Vec::new());
    }
    let Some(connectivity) = page(engine, connector, ConfigParameterPage::Connectivity, Vec::new()).await else {
        return apply(given, &[], connector);
    };
    // The other pages may depend on the connectivity values; they get those, already typed.
    let first = Given {
        plain: given
            .plain
            .iter()
            .filter(|(name, _)| connectivity.iter().any(|d| &d.name == name))
            .cloned()
            .collect(),
        secrets: given
            .secrets
            .iter()
            .filter(|(name, _)| connectivity.iter().any(|d| &d.name == name))
            .cloned()
            .collect(),
    };
    let known = apply(&first, &connectivity, connector)?;
    let definitions = definitions(engine, connector, &known).await.unwrap_or(connectivity);
    check_names(given, &definitions, connector)?;
    apply(given, &definitions, connector)
}

/// Refuses a name no page defines, naming the ones that exist.
pub fn check_names(given: &Given, definitions: &[ConfigParameterDefinition], connector: &str) -> Result<()> {
    let names = given
        .plain
        .iter()
        .map(|(n, _)| n)
        .chain(given.secrets.iter().map(|(n, _)| n));
    for name in names {
        if !definitions.iter().any(|d| &d.name == name) {
            let mut known: Vec<&str> = definitions
                .iter()
                .map(|d| d.name.as_str())
                .filter(|n| !n.is_empty())
                .collect();
            known.dedup();
            let close = known
                .iter()
                .map(|k| (distance(&k.to_lowercase(), &name.to_lowercase()), k))
                .filter(|(d, k)| *d <= 2.max(k.len() / 4))
                .min();
            return Err(Usage(format!(
                "connector {connector} has no parameter {name:?}{}; its parameters are {}",
                close
                    .map(|(_, k)| format!(" (did you mean {k:?}?)"))
                    .unwrap_or_default(),
                known.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
            ))
            .into());
        }
    }
    Ok(())
}

/// Edit distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb)).min(row[j] + 1).min(here + 1);
            previous = here;
        }
    }
    row[b.len()]
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
            if status.code() != tonic::Code::Unimplemented && page == ConfigParameterPage::Connectivity {
                warn!(connector, ?page, error = %status.message(), "no parameter definitions; sending parameters as given");
            }
            None
        }
    }
}

/// The type a definition gives `name` (String when none does).
pub fn kind_of(name: &str, definitions: &[ConfigParameterDefinition]) -> ConfigParameterType {
    definitions
        .iter()
        .find(|d| d.name == name)
        .map(|d| d.r#type())
        .unwrap_or(ConfigParameterType::String)
}

/// Types `given` by `definitions`; names without a definition stay plain.
pub fn apply(
    given: &Given,
    definitions: &[ConfigParameterDefinition],
    connector: &str,
) -> Result<Vec<ConfigParameter>> {
    let mut out = Vec::with_capacity(given.plain.len() + given.secrets.len());
    for (name, value) in &given.plain {
        let parameter = match kind_of(name, definitions) {
            ConfigParameterType::EncryptedString => {
                eprintln!(
                    "ecma2: warning: {connector}'s parameter {name:?} is an EncryptedString given on the command line, \
                     where other users can see it: use --secret {name:?}, --secret-file or --secret-env, or save it \
                     with `ecma2 config set --secret`"
                );
                ConfigParameter {
                    name: name.clone(),
                    value: String::new(),
                    secure_value: Some(Secret::new(value.clone())),
                    is_encrypted: true,
                }
            }
            ConfigParameterType::CheckBox => {
                let stored = match value.to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => "1",
                    "0" | "false" | "no" | "off" | "" => "0",
                    _ => {
                        return Err(Usage(format!(
                            "parameter {name:?} is a check box: give 1 or 0 (or true/false), not {value:?}"
                        ))
                        .into());
                    }
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
    for (name, secret) in &given.secrets {
        out.push(ConfigParameter {
            name: name.clone(),
            value: String::new(),
            secure_value: Some(secret.clone()),
            is_encrypted: true,
        });
    }
    Ok(out)
}

/// Refuses `--param` for a parameter that is an EncryptedString (used by `config set`, which
/// would otherwise keep a value that was on the command line).
pub fn refuse_plain_secrets(given: &[(String, String)], definitions: &[ConfigParameterDefinition]) -> Result<()> {
    for (name, _) in given {
        if kind_of(name, definitions) == ConfigParameterType::EncryptedString {
            bail!(Usage(format!(
                "parameter {name:?} is an EncryptedString: give it with --secret {name:?} (prompt), \
                 --secret-file {name:?}=FILE or --secret-env {name:?}=VAR, never on the command line"
            )));
        }
    }
    Ok(())
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

    fn plain(items: &[(&str, &str)]) -> Given {
        Given {
            plain: items.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            secrets: Vec::new(),
        }
    }

    #[test]
    fn check_boxes_become_one_or_zero_and_secrets_stay_secret() {
        let definitions = [
            definition("Create if missing", ConfigParameterType::CheckBox),
            definition("Password", ConfigParameterType::EncryptedString),
            definition("Database path", ConfigParameterType::String),
        ];
        let mut given = plain(&[
            ("Create if missing", "true"),
            ("Database path", "/tmp/hr.db"),
            ("unknown", "kept"),
        ]);
        given.secrets.push(("Password".into(), Secret::new("hunter2")));
        let typed = apply(&given, &definitions, "hr").unwrap();
        assert_eq!(typed[0].value, "1");
        assert_eq!(typed[1].value, "/tmp/hr.db");
        assert_eq!(typed[2].value, "kept");
        assert!(typed[3].value.is_empty() && typed[3].is_encrypted);
        assert_eq!(typed[3].secure_value.as_ref().unwrap().expose(), "hunter2");
        assert!(!format!("{typed:?}").contains("hunter2"));
        for off in ["0", "false", "No", "OFF", ""] {
            let typed = apply(&plain(&[("Create if missing", off)]), &definitions, "hr").unwrap();
            assert_eq!(typed[0].value, "0", "{off:?}");
        }
    }

    #[test]
    fn a_check_box_value_that_means_neither_is_refused_by_name() {
        let definitions = [definition("Create if missing", ConfigParameterType::CheckBox)];
        let error = apply(&plain(&[("Create if missing", "maybe")]), &definitions, "hr").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("Create if missing") && text.contains("maybe"), "{text}");
    }

    #[test]
    fn an_unknown_name_is_refused_naming_the_known_ones() {
        let definitions = [
            definition("database", ConfigParameterType::String),
            definition("seed_users", ConfigParameterType::String),
        ];
        let text = check_names(&plain(&[("databse", "x")]), &definitions, "demo")
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("\"databse\"")
                && text.contains("did you mean \"database\"")
                && text.contains("\"database\", \"seed_users\""),
            "{text}"
        );
    }
}
