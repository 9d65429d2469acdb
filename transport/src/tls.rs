//! TLS for the host → remote connector hop, with rustls through tonic. [`TlsServer`] is the
//! connector's side: its certificate chain and key, and the CA whose client certificates it
//! accepts; a client certificate is always required (mutual TLS, docs/runtime.md "Remote mode").
//! [`TlsClient`] is the host's side: the CA bundle that signs connector certificates, an optional
//! client certificate and key, and the name expected in the connector's certificate. Both are
//! plain paths; `load` reads and checks the PEM files, and every error names the file.

use std::fmt;
use std::path::{Path, PathBuf};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tonic::transport::{Certificate, ClientTlsConfig, Identity, Server, ServerTlsConfig};

use crate::TransportError;

/// The connector (server) side of mutual TLS, as PEM file paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsServer {
    /// The certificate chain, leaf first (server auth; its SANs are the names the host dials).
    pub cert: PathBuf,
    /// The private key of the leaf certificate.
    pub key: PathBuf,
    /// The CA that signs the client certificates to accept. Required: there is no remote mode
    /// without client authentication.
    pub client_ca: PathBuf,
}

/// The host (client) side, as PEM file paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsClient {
    /// The CA certificates that sign connector certificates.
    pub ca: PathBuf,
    /// The client certificate chain for mutual TLS (with `key`).
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (with `cert`).
    pub key: Option<PathBuf>,
    /// The DNS name or IP address the connector's certificate must carry. `None`: the host part
    /// of the address dialled.
    pub server_name: Option<String>,
}

/// A loaded [`TlsServer`], ready to apply to a tonic server.
#[derive(Clone)]
pub struct ServerTls {
    config: ServerTlsConfig,
    files: String,
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls").field("files", &self.files).finish()
    }
}

/// A loaded [`TlsClient`].
#[derive(Clone)]
pub struct ClientTls {
    ca: Certificate,
    identity: Option<Identity>,
    server_name: Option<String>,
    mutual: bool,
}

impl fmt::Debug for ClientTls {
    // The key stays out of Debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTls")
            .field("server_name", &self.server_name)
            .field("mutual", &self.mutual)
            .finish_non_exhaustive()
    }
}

/// Makes ring the process's rustls crypto provider unless one is installed already, so that
/// building a TLS configuration never depends on which providers the build happened to enable.
pub(crate) fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

fn file_error(what: &'static str, file: &Path, reason: impl Into<String>) -> TransportError {
    TransportError::TlsFile {
        what,
        file: file.to_owned(),
        reason: reason.into(),
    }
}

fn read(what: &'static str, file: &Path) -> Result<Vec<u8>, TransportError> {
    std::fs::read(file).map_err(|e| file_error(what, file, format!("cannot read it: {e}")))
}

/// Reads a PEM file that must hold at least one certificate.
fn read_certs(what: &'static str, file: &Path) -> Result<Vec<u8>, TransportError> {
    let pem = read(what, file)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(what, file, format!("not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(file_error(what, file, "holds no CERTIFICATE block"));
    }
    Ok(pem)
}

/// Reads a PEM file that must hold a private key (PKCS#8, PKCS#1 or SEC1).
fn read_key(file: &Path) -> Result<Vec<u8>, TransportError> {
    const WHAT: &str = "private key";
    let pem = read(WHAT, file)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => file_error(WHAT, file, "holds no PRIVATE KEY block"),
        e => file_error(WHAT, file, format!("not valid PEM: {e}")),
    })?;
    Ok(pem)
}

impl TlsServer {
    /// Reads and checks the three files.
    pub fn load(&self) -> Result<ServerTls, TransportError> {
        install_crypto_provider();
        let cert = read_certs("certificate", &self.cert)?;
        let key = read_key(&self.key)?;
        let client_ca = read_certs("client CA", &self.client_ca)?;
        let config = ServerTlsConfig::new()
            .identity(Identity::from_pem(cert, key))
            .client_ca_root(Certificate::from_pem(client_ca))
            .client_auth_optional(false)
            .timeout(std::time::Duration::from_secs(10));
        let files = format!(
            "certificate {}, key {}, client CA {}",
            self.cert.display(),
            self.key.display(),
            self.client_ca.display()
        );
        // Build once now, so that a key that does not fit the certificate fails at start.
        Server::builder()
            .tls_config(config.clone())
            .map_err(|e| TransportError::Tls {
                context: files.clone(),
                reason: crate::error_chain(&e),
            })?;
        Ok(ServerTls { config, files })
    }
}

impl ServerTls {
    /// Turns TLS on for `builder`; connections without a client certificate signed by the client
    /// CA fail their handshake and never reach a service.
    pub fn apply<L>(&self, builder: Server<L>) -> Result<Server<L>, TransportError> {
        builder
            .tls_config(self.config.clone())
            .map_err(|e| TransportError::Tls {
                context: self.files.clone(),
                reason: crate::error_chain(&e),
            })
    }
}

impl TlsClient {
    /// Reads and checks the files; `cert` and `key` come together or not at all.
    pub fn load(&self) -> Result<ClientTls, TransportError> {
        install_crypto_provider();
        let ca = read_certs("CA", &self.ca)?;
        let identity = match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => Some(Identity::from_pem(read_certs("certificate", cert)?, read_key(key)?)),
            (None, None) => None,
            (Some(cert), None) => {
                return Err(TransportError::Tls {
                    context: format!("client certificate {}", cert.display()),
                    reason: "a client certificate needs its private key".into(),
                });
            }
            (None, Some(key)) => {
                return Err(TransportError::Tls {
                    context: format!("client key {}", key.display()),
                    reason: "a client key needs its certificate".into(),
                });
            }
        };
        if let Some(name) = &self.server_name {
            ServerName::try_from(name.as_str()).map_err(|_| TransportError::Tls {
                context: "server name".into(),
                reason: format!("{name:?} is neither a DNS name nor an IP address"),
            })?;
        }
        Ok(ClientTls {
            mutual: identity.is_some(),
            ca: Certificate::from_pem(ca),
            identity,
            server_name: self.server_name.clone(),
        })
    }
}

impl ClientTls {
    /// Whether a client certificate is presented.
    pub fn is_mutual(&self) -> bool {
        self.mutual
    }

    /// The tonic configuration for dialling `host` (used as the server name unless one is set).
    pub(crate) fn config(&self, host: &str) -> ClientTlsConfig {
        let mut config = ClientTlsConfig::new()
            .ca_certificate(self.ca.clone())
            .domain_name(self.server_name.clone().unwrap_or_else(|| host.to_owned()))
            .timeout(std::time::Duration::from_secs(10));
        if let Some(identity) = &self.identity {
            config = config.identity(identity.clone());
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "nothing here\n").unwrap();
        let server = TlsServer {
            cert: missing.clone(),
            key: empty.clone(),
            client_ca: empty.clone(),
        };
        let err = server.load().unwrap_err().to_string();
        assert!(err.contains("missing.pem") && err.contains("certificate"), "{err}");
        let client = TlsClient {
            ca: empty.clone(),
            cert: None,
            key: None,
            server_name: None,
        };
        let err = client.load().unwrap_err().to_string();
        assert!(err.contains("empty.pem") && err.contains("no CERTIFICATE"), "{err}");
    }
}
