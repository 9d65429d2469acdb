//! Throw-away certificates for tests of mutual TLS (feature `test-util`): a private CA that
//! writes its certificate and issues server and client certificates as PEM files in a directory.
//! Never for production: `ecma2 certs init` is the tool for real deployments.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

use crate::{TlsClient, TlsServer};

/// A certificate and its key, as files.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate (PEM).
    pub cert: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
}

/// A test CA that writes everything under one directory.
pub struct TestCa {
    name: String,
    dir: PathBuf,
    issuer: CertifiedIssuer<'static, KeyPair>,
    /// The CA certificate file.
    pub ca: PathBuf,
}

impl TestCa {
    /// A new CA called `name`, writing `<dir>/<name>-ca.pem`.
    pub fn new(dir: &Path, name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{name} test CA"));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key")).expect("CA cert");
        let ca = dir.join(format!("{name}-ca.pem"));
        std::fs::write(&ca, issuer.pem()).expect("write CA");
        Self {
            name: name.to_owned(),
            dir: dir.to_owned(),
            issuer,
            ca,
        }
    }

    fn issue(&self, who: &str, sans: &[&str], usage: ExtendedKeyUsagePurpose) -> Issued {
        let mut params =
            CertificateParams::new(sans.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, who);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().expect("leaf key");
        let cert = params.signed_by(&key, &self.issuer).expect("leaf cert");
        let base = self.dir.join(format!("{}-{who}", self.name));
        let issued = Issued {
            cert: base.with_extension("crt.pem"),
            key: base.with_extension("key.pem"),
        };
        std::fs::write(&issued.cert, cert.pem()).expect("write cert");
        std::fs::write(&issued.key, key.serialize_pem()).expect("write key");
        issued
    }

    /// A server certificate for `sans` (DNS names or IP addresses).
    pub fn server(&self, who: &str, sans: &[&str]) -> Issued {
        self.issue(who, sans, ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate.
    pub fn client(&self, who: &str) -> Issued {
        self.issue(who, &[], ExtendedKeyUsagePurpose::ClientAuth)
    }

    /// Server settings with a certificate for 127.0.0.1 and `localhost`, accepting clients of
    /// `clients`.
    pub fn tls_server(&self, clients: &TestCa) -> TlsServer {
        let issued = self.server("connector", &["127.0.0.1", "localhost"]);
        TlsServer {
            cert: issued.cert,
            key: issued.key,
            client_ca: clients.ca.clone(),
        }
    }

    /// Client settings trusting `servers`, with a client certificate of this CA.
    pub fn tls_client(&self, servers: &TestCa) -> TlsClient {
        let issued = self.client("host");
        TlsClient {
            ca: servers.ca.clone(),
            cert: Some(issued.cert),
            key: Some(issued.key),
            server_name: None,
        }
    }
}
