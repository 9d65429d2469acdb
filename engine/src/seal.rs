//! Staged passwords at rest. A staged change that carries a password is kept in the connector
//! space sealed with ChaCha20-Poly1305 under a 32-byte key in `secret.key` beside the database,
//! which [`crate::key`] owns (created owner-only; a key file others can read or write is refused).
//! The connector name is the associated data, so a sealed change cannot be moved to another
//! connector. Changes without a password are stored as they are. Whoever can read the key file
//! can open the staged passwords: it guards against copies of the database, backups and
//! `grep`, not against the account that runs the engine.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};

pub use crate::key::KEY_FILE;

/// The sealing key of one connector space, read (or created) on first use.
pub struct Sealer {
    dir: PathBuf,
    path: PathBuf,
    key: OnceLock<LessSafeKey>,
}

impl Sealer {
    /// The sealer for the state directory `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            path: crate::key::path(dir),
            key: OnceLock::new(),
        }
    }

    fn key_error(&self, reason: impl Into<String>) -> Error {
        Error::SecretKey {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    fn key(&self) -> Result<&LessSafeKey> {
        if let Some(key) = self.key.get() {
            return Ok(key);
        }
        let bytes = crate::key::load(&self.dir, true).map_err(|e| self.key_error(e.reason()))?;
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| self.key_error("not a key"))?;
        Ok(self.key.get_or_init(|| LessSafeKey::new(unbound)))
    }

    /// Seals `plain` for `connector`: a fresh nonce followed by the ciphertext and its tag.
    pub fn seal(&self, connector: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let key = self.key()?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| self.key_error("the system has no random source"))?;
        let mut sealed = plain.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(connector.as_bytes()),
            &mut sealed,
        )
        .map_err(|_| self.key_error("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`seal`](Self::seal) made for `connector`.
    pub fn open(&self, connector: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        let key = self.key()?;
        let unseal = || Error::Unseal {
            connector: connector.to_owned(),
            path: self.path.clone(),
        };
        if sealed.len() < NONCE_LEN {
            return Err(unseal());
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unseal())?;
        let mut body = body.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(connector.as_bytes()), &mut body)
            .map_err(|_| unseal())?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_only_for_their_connector_and_hide_the_plain_text() {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Sealer::new(dir.path());
        let sealed = sealer.seal("demo", b"Sup3r-secret!").unwrap();
        assert!(!sealed.windows(13).any(|w| w == b"Sup3r-secret!"));
        assert_eq!(Sealer::new(dir.path()).open("demo", &sealed).unwrap(), b"Sup3r-secret!");
        assert!(matches!(sealer.open("other", &sealed), Err(Error::Unseal { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn the_key_is_owner_only_and_a_shared_key_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        Sealer::new(dir.path()).seal("demo", b"x").unwrap();
        let path = dir.path().join(KEY_FILE);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = Sealer::new(dir.path()).seal("demo", b"x").unwrap_err().to_string();
        assert!(error.contains("secret.key") && error.contains("644"), "{error}");
    }
}
