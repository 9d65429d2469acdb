//! The state directory's one secret key, `secret.key`: 32 random bytes that seal the saved
//! configuration's EncryptedString values ([`crate::saved`], AES-256-GCM) and the staged
//! changes that carry a password ([`crate::seal`], ChaCha20-Poly1305). This module alone reads
//! and creates the file: it is created readable and writable by its owner only (mode 0600 on
//! Unix, an owner-only ACL on Windows, as `ecma2_host::platform` writes private files), never
//! replaced once it exists, and a key file anyone else can read or write is refused with an
//! error naming the file and its mode. The bytes are used as they are, so a key file written by
//! an earlier version keeps opening what it sealed.

use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};

/// The key file's name in the state directory.
pub const KEY_FILE: &str = "secret.key";

/// How long a key is.
pub const KEY_LEN: usize = 32;

/// Why the key cannot be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// There is no key file (and none was to be made).
    #[error("{path} does not exist")]
    Missing {
        /// The key file.
        path: PathBuf,
    },
    /// The key file exists but cannot be used.
    #[error("{path}: {reason}")]
    Unusable {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl KeyError {
    /// The key file.
    pub fn path(&self) -> &Path {
        match self {
            Self::Missing { path } | Self::Unusable { path, .. } => path,
        }
    }

    /// What is wrong, without the path.
    pub fn reason(&self) -> String {
        match self {
            Self::Missing { .. } => "the file does not exist".into(),
            Self::Unusable { reason, .. } => reason.clone(),
        }
    }
}

/// The key file of the state directory `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

/// Reads the key of `dir`, creating it first when there is none and `create` is set.
pub fn load(dir: &Path, create: bool) -> Result<[u8; KEY_LEN], KeyError> {
    let path = path(dir);
    let unusable = |reason: String| KeyError::Unusable {
        path: path.clone(),
        reason,
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => {
            owner_only(&path).map_err(unusable)?;
            bytes
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => return make(dir),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeyError::Missing { path: path.clone() }),
        Err(e) => return Err(unusable(e.to_string())),
    };
    <[u8; KEY_LEN]>::try_from(bytes.as_slice())
        .map_err(|_| unusable(format!("it holds {} bytes; a key is {KEY_LEN}", bytes.len())))
}

/// Makes the key file: written owner-only under a temporary name, then linked into place, so
/// an existing key is never replaced (two processes making it at once agree on the first).
fn make(dir: &Path) -> Result<[u8; KEY_LEN], KeyError> {
    let path = path(dir);
    let unusable = |reason: String| KeyError::Unusable {
        path: path.clone(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| unusable(e.to_string()))?;
    let mut key = [0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| unusable("the system has no random source".into()))?;
    let tmp = dir.join(format!(".{KEY_FILE}.{}.tmp", std::process::id()));
    ecma2_host::platform::write_private(&tmp, &key).map_err(|e| unusable(e.to_string()))?;
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load(dir, false),
        Err(e) => Err(unusable(e.to_string())),
    }
}

/// Refuses a key file that anyone but its owner can read or write.
#[cfg(unix)]
fn owner_only(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map_err(|e| e.to_string())?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "its mode is {:o}; it must be readable and writable by its owner only (chmod 600)",
            mode & 0o777
        ));
    }
    Ok(())
}

/// Windows: the file's ACL must let in no one but its owner (as `write_private` makes it).
#[cfg(not(unix))]
fn owner_only(path: &Path) -> Result<(), String> {
    match ecma2_host::platform::is_private(path) {
        Ok(true) => Ok(()),
        Ok(false) => Err("its ACL lets other accounts read or write it; it must be its owner's only".into()),
        Err(e) => Err(format!("its ACL cannot be read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(dir.path(), false), Err(KeyError::Missing { .. })));
        let made = load(dir.path(), true).unwrap();
        assert!(ecma2_host::platform::is_private(&path(dir.path())).unwrap());
        assert_eq!(load(dir.path(), true).unwrap(), made, "never replaced");
        assert_eq!(load(dir.path(), false).unwrap(), made);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, [KEY_FILE], "no temporary file is left");
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        ecma2_host::platform::write_private(&path(dir.path()), b"short").unwrap();
        let error = load(dir.path(), true).unwrap_err().to_string();
        assert!(error.contains("secret.key") && error.contains("5 bytes"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_key_others_can_read_or_write_is_refused_naming_file_and_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        load(dir.path(), true).unwrap();
        for mode in [0o644, 0o620, 0o604] {
            std::fs::set_permissions(path(dir.path()), std::fs::Permissions::from_mode(mode)).unwrap();
            let error = load(dir.path(), false).unwrap_err().to_string();
            assert!(
                error.contains("secret.key") && error.contains(&format!("{mode:o}")),
                "{error}"
            );
        }
    }

    /// A state directory from before this module: `secret.key` as the earlier code wrote it
    /// (32 raw bytes, owner-only), a saved secret sealed with AES-256-GCM and a staged change
    /// sealed with ChaCha20-Poly1305 under it, in the formats that code wrote. Both still open.
    #[test]
    fn a_key_written_by_the_earlier_code_still_opens_saved_secrets_and_staged_changes() {
        use ring::aead::{AES_256_GCM, Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
        let dir = tempfile::tempdir().unwrap();
        let key: [u8; KEY_LEN] = std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        ecma2_host::platform::write_private(&path(dir.path()), &key).unwrap();
        // saved-config.json: hex of nonce ‖ ciphertext ‖ tag, bound to connector and parameter.
        let nonce = [7u8; 12];
        let mut sealed = b"hunter2".to_vec();
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).unwrap())
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(b"ecma2-saved-v1\0hr\0Password"),
                &mut sealed,
            )
            .unwrap();
        let hex: String = nonce.iter().chain(&sealed).map(|b| format!("{b:02x}")).collect();
        let saved =
            format!("{{\"version\": 1, \"connectors\": {{\"hr\": {{\"secrets\": {{\"Password\": \"{hex}\"}}}}}}}}");
        std::fs::write(dir.path().join(crate::saved::FILE), saved).unwrap();
        let store = crate::saved::Store::open(dir.path()).unwrap();
        assert_eq!(store.secrets("hr").unwrap()[0].1.expose(), "hunter2");
        // A staged change: nonce ‖ ciphertext ‖ tag, bound to the connector.
        let nonce = [9u8; 12];
        let mut body = b"staged change".to_vec();
        LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &key).unwrap())
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(b"demo"), &mut body)
            .unwrap();
        let blob: Vec<u8> = nonce.iter().chain(&body).copied().collect();
        let sealer = crate::seal::Sealer::new(dir.path());
        assert_eq!(sealer.open("demo", &blob).unwrap(), b"staged change");
        // And the two sides share the one key: what each seals now, the other's file kept.
        assert_eq!(load(dir.path(), false).unwrap(), key);
    }

    /// Both users of the key refuse a shared key file, naming it and its mode.
    #[cfg(unix)]
    #[test]
    fn saved_config_and_staged_secrets_both_refuse_a_shared_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::saved::Store::open(dir.path()).unwrap();
        store
            .set_secret("hr", "Password", &ecma2_proto::pb::Secret::new("hunter2"))
            .unwrap();
        std::fs::set_permissions(path(dir.path()), std::fs::Permissions::from_mode(0o640)).unwrap();
        let saved = store.secrets("hr").unwrap_err().to_string();
        let sealed = crate::seal::Sealer::new(dir.path())
            .seal("demo", b"x")
            .unwrap_err()
            .to_string();
        for error in [saved, sealed] {
            assert!(error.contains("secret.key") && error.contains("640"), "{error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }
}
