//! Saved connector configuration, like a management agent's: the parameter values an operator
//! set once for a connector (`ecma2 config set`), kept in the state directory so later runs need
//! no `--param`. Plain values are stored as given; EncryptedString values are sealed with
//! AES-256-GCM under the state directory's key (`secret.key`, owned by [`crate::key`]), so no secret sits in clear in
//! `saved-config.json`. Both files are written readable by their owner only (0600 on Unix, an
//! owner-only ACL on Windows). There is no platform key store here: anyone who can read both
//! files as their owner can open the secrets, which is what `docs/cli.md` says.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ecma2_proto::pb::Secret;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

/// The saved configuration file in a state directory.
pub const FILE: &str = "saved-config.json";
/// The key that seals saved secrets (owned by [`crate::key`]).
pub use crate::key::KEY_FILE;

/// What can go wrong reading or writing saved configuration.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The saved file is not what this version writes.
    #[error("{path} is not a saved configuration: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The state directory's key is missing, unreadable, malformed or readable by others.
    #[error("the secret key {}: {}", .0.path().display(), .0.reason())]
    Key(#[from] crate::key::KeyError),
    /// A sealed secret does not open with this state directory's key.
    #[error(
        "the saved secret {parameter:?} of connector {connector} does not open with {key}: set it again with `ecma2 config set --secret`"
    )]
    Unseal {
        /// The connector.
        connector: String,
        /// The parameter.
        parameter: String,
        /// The key file.
        key: PathBuf,
    },
}

/// One connector's saved parameters.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Saved {
    /// Plain values by parameter name.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Sealed EncryptedString values by parameter name: hex of nonce ‖ ciphertext ‖ tag.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    connectors: BTreeMap<String, Saved>,
}

/// The saved configuration of one state directory.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    file: File,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SavedError + '_ {
    move |e| SavedError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Writes `bytes` to `path` owner-only, through a temporary file and a rename so a crash never
/// leaves half a file.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SavedError> {
    let tmp = path.with_extension("tmp");
    ecma2_host::platform::write_private(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

impl Store {
    /// Reads the saved configuration of the state directory `dir` (empty when there is none).
    pub fn open(dir: &Path) -> Result<Self, SavedError> {
        let path = dir.join(FILE);
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| SavedError::Format {
                path: path.clone(),
                reason: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File {
                version: 1,
                ..Default::default()
            },
            Err(e) => return Err(io(&path)(e)),
        };
        Ok(Self {
            dir: dir.to_owned(),
            file,
        })
    }

    /// The saved file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// A connector's saved parameters (empty when none).
    pub fn get(&self, connector: &str) -> Saved {
        self.file.connectors.get(connector).cloned().unwrap_or_default()
    }

    /// Every connector with saved parameters.
    pub fn connectors(&self) -> Vec<String> {
        self.file.connectors.keys().cloned().collect()
    }

    /// Saves a plain value.
    pub fn set(&mut self, connector: &str, name: &str, value: &str) {
        let saved = self.file.connectors.entry(connector.to_owned()).or_default();
        saved.secrets.remove(name);
        saved.params.insert(name.to_owned(), value.to_owned());
    }

    /// Seals and saves a secret.
    pub fn set_secret(&mut self, connector: &str, name: &str, secret: &Secret) -> Result<(), SavedError> {
        let key = self.key(true)?;
        let rng = SystemRandom::new();
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce).map_err(|_| SavedError::Io {
            path: self.dir.join(KEY_FILE),
            reason: "no randomness for a nonce".into(),
        })?;
        let mut sealed = secret.expose().as_bytes().to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(connector, name).as_bytes()),
            &mut sealed,
        )
        .map_err(|_| SavedError::Io {
            path: self.dir.join(KEY_FILE),
            reason: "sealing failed".into(),
        })?;
        let mut stored = nonce.to_vec();
        stored.extend(sealed);
        let saved = self.file.connectors.entry(connector.to_owned()).or_default();
        saved.params.remove(name);
        saved.secrets.insert(name.to_owned(), hex(&stored));
        Ok(())
    }

    /// Forgets a saved value; returns whether there was one.
    pub fn unset(&mut self, connector: &str, name: &str) -> bool {
        let Some(saved) = self.file.connectors.get_mut(connector) else {
            return false;
        };
        let had = saved.params.remove(name).is_some() | saved.secrets.remove(name).is_some();
        if saved.params.is_empty() && saved.secrets.is_empty() {
            self.file.connectors.remove(connector);
        }
        had
    }

    /// Forgets every saved value of a connector; returns how many there were.
    pub fn clear(&mut self, connector: &str) -> usize {
        self.file
            .connectors
            .remove(connector)
            .map(|s| s.params.len() + s.secrets.len())
            .unwrap_or(0)
    }

    /// Opens a connector's saved secrets.
    pub fn secrets(&self, connector: &str) -> Result<Vec<(String, Secret)>, SavedError> {
        let saved = self.get(connector);
        if saved.secrets.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.key(false)?;
        let unseal = |name: &str| SavedError::Unseal {
            connector: connector.to_owned(),
            parameter: name.to_owned(),
            key: self.dir.join(KEY_FILE),
        };
        saved
            .secrets
            .iter()
            .map(|(name, stored)| {
                let bytes = unhex(stored)
                    .filter(|b| b.len() > NONCE_LEN)
                    .ok_or_else(|| unseal(name))?;
                let (nonce, sealed) = bytes.split_at(NONCE_LEN);
                let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unseal(name))?;
                let mut sealed = sealed.to_vec();
                let plain = key
                    .open_in_place(nonce, Aad::from(aad(connector, name).as_bytes()), &mut sealed)
                    .map_err(|_| unseal(name))?;
                let text = String::from_utf8(plain.to_vec()).map_err(|_| unseal(name))?;
                Ok((name.clone(), Secret::new(text)))
            })
            .collect()
    }

    /// Writes the saved configuration, owner-only.
    pub fn save(&self) -> Result<(), SavedError> {
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let mut file = serde_json::to_vec_pretty(&File {
            version: 1,
            connectors: self.file.connectors.clone(),
        })
        .expect("saved configuration serializes");
        file.push(b'\n');
        write_private(&self.path(), &file)
    }

    /// The state directory's sealing key, made on first use when `create`.
    fn key(&self, create: bool) -> Result<LessSafeKey, SavedError> {
        let bytes = crate::key::load(&self.dir, create)?;
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| SavedError::Format {
            path: crate::key::path(&self.dir),
            reason: "not a 32-byte key".into(),
        })?;
        Ok(LessSafeKey::new(key))
    }
}

/// A sealed value is bound to its connector and parameter, so it cannot be moved to another.
fn aad(connector: &str, name: &str) -> String {
    format!("ecma2-saved-v1\0{connector}\0{name}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_sealed_on_disk_and_open_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.set("hr", "Database path", "/tmp/hr.db");
        store.set_secret("hr", "Password", &Secret::new("hunter2")).unwrap();
        store.save().unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("/tmp/hr.db"), "{text}");
        assert!(ecma2_host::platform::is_private(&dir.path().join(FILE)).unwrap());
        assert!(ecma2_host::platform::is_private(&dir.path().join(KEY_FILE)).unwrap());
        let again = Store::open(dir.path()).unwrap();
        let secrets = again.secrets("hr").unwrap();
        assert_eq!(secrets[0].0, "Password");
        assert_eq!(secrets[0].1.expose(), "hunter2");
    }

    #[test]
    fn a_sealed_value_moved_to_another_parameter_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.set_secret("hr", "Password", &Secret::new("hunter2")).unwrap();
        let sealed = store.get("hr").secrets["Password"].clone();
        store
            .file
            .connectors
            .get_mut("hr")
            .unwrap()
            .secrets
            .insert("Other".into(), sealed);
        let error = store.secrets("hr").unwrap_err().to_string();
        assert!(error.contains("Other") && !error.contains("hunter2"), "{error}");
    }
}
