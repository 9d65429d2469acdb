//! `ecma2 certs`: a private CA and the certificates for mutual TLS between the host and remote
//! connectors (containers), for development and for Kubernetes secrets. `init` writes the CA, one
//! client certificate for the host (extended key usage clientAuth) and one server certificate per
//! connector (serverAuth) whose subject alternative names are the names and IPs the host dials.
//! Keys are ECDSA P-256, written with mode 0600; nothing is overwritten without `--force`.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

/// The common name (and DNS subject alternative name) of the host's client certificate.
pub const HOST_COMMON_NAME: &str = "ecma2-host";

/// Arguments of `ecma2 certs`.
#[derive(Debug, clap::Args)]
pub struct CertsArgs {
    #[command(subcommand)]
    command: CertsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CertsCommand {
    /// Create a private CA, the host's client certificate and a server certificate per connector.
    ///
    /// Files written to OUT: ca.pem and ca-key.pem (the CA), host.pem and host-key.pem (the
    /// host's client certificate, CN ecma2-host), and NAME.pem and NAME-key.pem per connector.
    /// With --k8s also k8s-secrets.yaml: one Secret of type kubernetes.io/tls (with ca.crt) for
    /// the host and one per connector.
    Init(InitArgs),
}

/// Arguments of `ecma2 certs init`.
#[derive(Debug, clap::Args)]
struct InitArgs {
    /// Where to write the files (created when missing).
    #[arg(long, default_value = "certs")]
    out: PathBuf,
    /// A connector to make a server certificate for (repeatable). The name must be a DNS label
    /// (lower-case letters, digits and '-'); it is always one of the certificate's names.
    #[arg(long = "connector", value_name = "NAME")]
    connectors: Vec<String>,
    /// Another name the host dials a connector by, a DNS name or an IP address (repeatable).
    /// `NAME=VALUE` adds it to connector NAME only; a bare VALUE to every connector.
    #[arg(long = "san", value_name = "[CONNECTOR=]DNS-OR-IP")]
    sans: Vec<String>,
    /// The Kubernetes namespace the connectors run in: adds NAME.NAMESPACE.svc and
    /// NAME.NAMESPACE.svc.cluster.local to each connector's names, and sets the namespace of the
    /// --k8s secrets.
    #[arg(long)]
    namespace: Option<String>,
    /// Also write k8s-secrets.yaml with a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt)
    /// for the host (ecma2-host-tls) and each connector (ecma2-connector-NAME-tls).
    #[arg(long)]
    k8s: bool,
    /// How long host and connector certificates are valid, in days.
    #[arg(long, default_value_t = 397)]
    days: u32,
    /// How long the CA is valid, in days.
    #[arg(long, default_value_t = 3650)]
    ca_days: u32,
    /// An engine to make a client certificate for, for a host serving `[engine.tls]`
    /// (repeatable): engine-NAME.pem and engine-NAME-key.pem (CN NAME, clientAuth).
    #[arg(long = "engine", value_name = "NAME")]
    engines: Vec<String>,
    /// A name engines dial the host by, a DNS name or an IP address (repeatable): writes
    /// host-server.pem and host-server-key.pem (serverAuth), the `[engine.tls]` cert and key.
    #[arg(long = "host-name", value_name = "DNS-OR-IP")]
    host_names: Vec<String>,
    /// Replace files that already exist.
    #[arg(long)]
    force: bool,
}

/// Runs `ecma2 certs`.
pub fn run(args: &CertsArgs) -> Result<()> {
    match &args.command {
        CertsCommand::Init(init) => {
            let plan = Plan::from_args(init)?;
            let files = generate(&plan, OffsetDateTime::now_utc())?;
            let written = write_files(&init.out, &files, init.force)?;
            for (path, file) in written.iter().zip(&files) {
                println!("wrote {:<40} {}", path.display(), file.about);
            }
            Ok(())
        }
    }
}

/// What `init` is asked to make, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    connectors: Vec<ConnectorNames>,
    engines: Vec<String>,
    host_dns: Vec<String>,
    host_ips: Vec<IpAddr>,
    namespace: Option<String>,
    k8s: bool,
    days: u32,
    ca_days: u32,
}

/// One connector and the names its certificate carries.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ConnectorNames {
    name: String,
    dns: Vec<String>,
    ips: Vec<IpAddr>,
}

impl Plan {
    fn from_args(args: &InitArgs) -> Result<Self> {
        if let Some(ns) = &args.namespace {
            check_dns_label(ns).with_context(|| format!("--namespace {ns:?}"))?;
        }
        if args.days == 0 || args.ca_days == 0 {
            bail!("--days and --ca-days must be at least 1");
        }
        let mut connectors: Vec<ConnectorNames> = Vec::new();
        for name in &args.connectors {
            check_dns_label(name).with_context(|| format!("--connector {name:?}"))?;
            if name == HOST_COMMON_NAME {
                bail!("--connector {name:?}: that name is the host's");
            }
            if connectors.iter().any(|c| &c.name == name) {
                bail!("--connector {name:?} is given twice");
            }
            let mut dns = vec![name.clone()];
            if let Some(ns) = &args.namespace {
                dns.push(format!("{name}.{ns}.svc"));
                dns.push(format!("{name}.{ns}.svc.cluster.local"));
            }
            connectors.push(ConnectorNames {
                name: name.clone(),
                dns,
                ips: Vec::new(),
            });
        }
        for san in &args.sans {
            let (only, value) = match san.split_once('=') {
                Some((c, v)) => (Some(c), v),
                None => (None, san.as_str()),
            };
            if let Some(c) = only
                && !connectors.iter().any(|k| k.name == c)
            {
                bail!("--san {san:?}: no --connector {c:?}");
            }
            if connectors.is_empty() {
                bail!("--san {san:?}: there is no --connector to add it to");
            }
            let target = |k: &ConnectorNames| only.is_none_or(|c| c == k.name);
            if let Ok(ip) = value.parse::<IpAddr>() {
                for k in connectors.iter_mut().filter(|k| target(k)) {
                    if !k.ips.contains(&ip) {
                        k.ips.push(ip);
                    }
                }
            } else {
                check_dns_name(value).with_context(|| format!("--san {san:?}"))?;
                let value = value.to_ascii_lowercase();
                for k in connectors.iter_mut().filter(|k| target(k)) {
                    if !k.dns.contains(&value) {
                        k.dns.push(value.clone());
                    }
                }
            }
        }
        let mut engines: Vec<String> = Vec::new();
        for name in &args.engines {
            check_dns_label(name).with_context(|| format!("--engine {name:?}"))?;
            if engines.contains(name) {
                bail!("--engine {name:?} is given twice");
            }
            engines.push(name.clone());
        }
        let (mut host_dns, mut host_ips) = (Vec::new(), Vec::new());
        for name in &args.host_names {
            if let Ok(ip) = name.parse::<IpAddr>() {
                host_ips.push(ip);
            } else {
                check_dns_name(name).with_context(|| format!("--host-name {name:?}"))?;
                host_dns.push(name.to_ascii_lowercase());
            }
        }
        Ok(Self {
            connectors,
            engines,
            host_dns,
            host_ips,
            namespace: args.namespace.clone(),
            k8s: args.k8s,
            days: args.days,
            ca_days: args.ca_days,
        })
    }
}

/// A DNS label as Kubernetes wants it (RFC 1123): it names Services and Secrets too.
fn check_dns_label(text: &str) -> Result<()> {
    let ok = !text.is_empty()
        && text.len() <= 63
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-');
    if !ok {
        bail!("must be a DNS label: 1-63 lower-case letters, digits or '-', not starting or ending with '-'");
    }
    Ok(())
}

fn check_dns_name(text: &str) -> Result<()> {
    let text = text.strip_suffix('.').unwrap_or(text);
    let ok = !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !ok {
        bail!("is neither an IP address nor a DNS name");
    }
    Ok(())
}

/// One file `init` writes.
#[derive(Debug, Clone)]
struct OutFile {
    /// The file name inside the output directory.
    name: String,
    contents: String,
    /// Private keys (and manifests holding them) are written with mode 0600.
    private: bool,
    /// What it is, for the listing `init` prints.
    about: String,
}

/// A PEM certificate and its PEM private key.
struct Issued {
    cert: String,
    key: String,
}

/// Makes every file of `plan` in memory; `now` is the start of the validity periods.
fn generate(plan: &Plan, now: OffsetDateTime) -> Result<Vec<OutFile>> {
    // An hour of slack for clocks that are a little behind the one that made the certificates.
    let not_before = now - Duration::hours(1);

    let ca_key = KeyPair::generate().context("generating the CA key")?;
    let mut ca_params = CertificateParams::default();
    // A distinct name per CA: a certificate from another ecma2 CA is then an unknown issuer, not
    // a confusing bad signature, and operators can tell their CAs apart.
    let ca_id = uuid::Uuid::new_v4().simple().to_string();
    ca_params.distinguished_name = distinguished_name(&format!("ecma2 private CA {}", &ca_id[..8]));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params.not_before = not_before;
    ca_params.not_after = now + Duration::days(i64::from(plan.ca_days));
    let ca_cert = ca_params.self_signed(&ca_key).context("signing the CA certificate")?;
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, &ca_key);

    let leaf = |cn: &str, dns: &[String], ips: &[IpAddr], usage: ExtendedKeyUsagePurpose| -> Result<Issued> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(cn);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        params.not_before = not_before;
        params.not_after = now + Duration::days(i64::from(plan.days));
        for name in dns {
            params
                .subject_alt_names
                .push(SanType::DnsName(name.clone().try_into()?));
        }
        params
            .subject_alt_names
            .extend(ips.iter().copied().map(SanType::IpAddress));
        let cert = params.signed_by(&key, &issuer)?;
        Ok(Issued {
            cert: cert.pem(),
            key: key.serialize_pem(),
        })
    };

    let mut files = vec![
        OutFile {
            name: "ca.pem".into(),
            contents: ca_pem.clone(),
            private: false,
            about: "CA certificate: the trust anchor of the host and of every connector".into(),
        },
        OutFile {
            name: "ca-key.pem".into(),
            contents: ca_key.serialize_pem(),
            private: true,
            about: "CA private key: keep it offline; it signs new certificates".into(),
        },
    ];
    let host = leaf(
        HOST_COMMON_NAME,
        &[HOST_COMMON_NAME.to_owned()],
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
    )
    .context("making the host certificate")?;
    files.push(OutFile {
        name: "host.pem".into(),
        contents: host.cert.clone(),
        private: false,
        about: format!("host client certificate (CN {HOST_COMMON_NAME}, clientAuth)"),
    });
    files.push(OutFile {
        name: "host-key.pem".into(),
        contents: host.key.clone(),
        private: true,
        about: "host private key".into(),
    });

    if !plan.host_dns.is_empty() || !plan.host_ips.is_empty() {
        let server = leaf(
            HOST_COMMON_NAME,
            &plan.host_dns,
            &plan.host_ips,
            ExtendedKeyUsagePurpose::ServerAuth,
        )
        .context("making the host's engine-endpoint certificate")?;
        files.push(OutFile {
            name: "host-server.pem".into(),
            contents: server.cert,
            private: false,
            about: "host engine-endpoint server certificate (serverAuth): [engine.tls] cert".into(),
        });
        files.push(OutFile {
            name: "host-server-key.pem".into(),
            contents: server.key,
            private: true,
            about: "host engine-endpoint private key: [engine.tls] key".into(),
        });
    }
    for name in &plan.engines {
        let issued = leaf(name, &[], &[], ExtendedKeyUsagePurpose::ClientAuth)
            .with_context(|| format!("making the certificate of engine {name}"))?;
        files.push(OutFile {
            name: format!("engine-{name}.pem"),
            contents: issued.cert,
            private: false,
            about: format!("engine {name} client certificate (clientAuth): ecma2 --tls-cert"),
        });
        files.push(OutFile {
            name: format!("engine-{name}-key.pem"),
            contents: issued.key,
            private: true,
            about: format!("engine {name} private key: ecma2 --tls-key"),
        });
    }

    let mut secrets = String::new();
    if plan.k8s {
        push_secret(
            &mut secrets,
            "ecma2-host-tls",
            plan.namespace.as_deref(),
            &host,
            &ca_pem,
        );
    }
    for c in &plan.connectors {
        let issued = leaf(&c.name, &c.dns, &c.ips, ExtendedKeyUsagePurpose::ServerAuth)
            .with_context(|| format!("making the certificate of connector {}", c.name))?;
        let names = c
            .dns
            .iter()
            .cloned()
            .chain(c.ips.iter().map(IpAddr::to_string))
            .collect::<Vec<_>>()
            .join(", ");
        files.push(OutFile {
            name: format!("{}.pem", c.name),
            contents: issued.cert.clone(),
            private: false,
            about: format!("connector {} server certificate (serverAuth; {names})", c.name),
        });
        files.push(OutFile {
            name: format!("{}-key.pem", c.name),
            contents: issued.key.clone(),
            private: true,
            about: format!("connector {} private key", c.name),
        });
        if plan.k8s {
            let secret = format!("ecma2-connector-{}-tls", c.name);
            push_secret(&mut secrets, &secret, plan.namespace.as_deref(), &issued, &ca_pem);
        }
    }
    if plan.k8s {
        files.push(OutFile {
            name: "k8s-secrets.yaml".into(),
            contents: secrets,
            private: true,
            about: "Kubernetes Secrets (kubernetes.io/tls with ca.crt): kubectl apply -f".into(),
        });
    }
    Ok(files)
}

fn distinguished_name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "ecma2-host");
    dn.push(DnType::CommonName, cn);
    dn
}

/// Appends one Secret document. `stringData` keeps the PEM text readable; the API server stores
/// it base64-encoded under `data` as usual.
fn push_secret(out: &mut String, name: &str, namespace: Option<&str>, issued: &Issued, ca_pem: &str) {
    out.push_str("---\napiVersion: v1\nkind: Secret\nmetadata:\n");
    let _ = writeln!(out, "  name: {name}");
    if let Some(ns) = namespace {
        let _ = writeln!(out, "  namespace: {ns}");
    }
    out.push_str("  labels:\n    app.kubernetes.io/part-of: ecma2\n");
    out.push_str("type: kubernetes.io/tls\nstringData:\n");
    for (key, pem) in [
        ("tls.crt", &issued.cert),
        ("tls.key", &issued.key),
        ("ca.crt", &ca_pem.to_owned()),
    ] {
        let _ = writeln!(out, "  {key}: |");
        for line in pem.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
}

/// Writes `files` into `dir`; refuses (before writing anything) when one exists and `force` is
/// not set. Returns the paths written, in order.
fn write_files(dir: &Path, files: &[OutFile], force: bool) -> Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.name)).collect();
    if !force {
        let existing: Vec<String> = paths
            .iter()
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            bail!(
                "refusing to overwrite {} (use --force to replace them)",
                existing.join(", ")
            );
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (path, file) in paths.iter().zip(files) {
        write_file(path, &file.contents, file.private).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(paths)
}

/// Writes one file: a key only its owner can read (the host's platform rules: mode 0600, or an
/// owner-only ACL on Windows), a certificate readable by all.
fn write_file(path: &Path, contents: &str, private: bool) -> std::io::Result<()> {
    if private {
        return ecma2_host::platform::write_private(path, contents.as_bytes());
    }
    // Replacing: remove first, so the file does not keep an older, narrower or wider mode.
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        return Err(e);
    }
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
    use x509_parser::extensions::GeneralName;
    use x509_parser::prelude::{FromDer, X509Certificate};

    fn init(args: &[&str]) -> Result<Plan> {
        use clap::Parser;
        #[derive(Debug, clap::Parser)]
        struct Cli {
            #[command(flatten)]
            certs: CertsArgs,
        }
        let cli = Cli::try_parse_from(std::iter::once("ecma2").chain(args.iter().copied()))?;
        let CertsCommand::Init(init) = cli.certs.command;
        Plan::from_args(&init)
    }

    fn file<'a>(files: &'a [OutFile], name: &str) -> &'a OutFile {
        files
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn der(pem: &str) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(pem.as_bytes()).expect("a PEM certificate")
    }

    /// The DNS names and IPs in a certificate's subject alternative names.
    fn sans(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<IpAddr>) {
        let mut dns = Vec::new();
        let mut ips = Vec::new();
        let ext = cert.subject_alternative_name().unwrap().expect("a SAN extension");
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns.push((*d).to_owned()),
                GeneralName::IPAddress(b) => ips.push(match b.len() {
                    4 => IpAddr::from(<[u8; 4]>::try_from(*b).unwrap()),
                    _ => IpAddr::from(<[u8; 16]>::try_from(*b).unwrap()),
                }),
                other => panic!("unexpected SAN {other:?}"),
            }
        }
        (dns, ips)
    }

    fn eku(cert: &X509Certificate<'_>) -> (bool, bool) {
        let ext = cert.extended_key_usage().unwrap().expect("an EKU extension");
        (ext.value.server_auth, ext.value.client_auth)
    }

    fn now() -> UnixTime {
        UnixTime::since_unix_epoch(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap(),
        )
    }

    /// Verifies `leaf` against `ca` as a TLS peer would (path, validity, extended key usage).
    fn verify(ca: &str, leaf: &str, usage: webpki::KeyUsage) -> Result<(), webpki::Error> {
        let ca = der(ca);
        let anchors = [webpki::anchor_from_trusted_cert(&ca)?];
        let leaf = der(leaf);
        let cert = webpki::EndEntityCert::try_from(&leaf)?;
        cert.verify_for_usage(webpki::ALL_VERIFICATION_ALGS, &anchors, &[], now(), usage, None, None)
            .map(|_| ())
    }

    fn server_name_ok(leaf: &str, name: &str) -> bool {
        let leaf = der(leaf);
        let cert = webpki::EndEntityCert::try_from(&leaf).unwrap();
        cert.verify_is_valid_for_subject_name(&ServerName::try_from(name.to_owned()).unwrap())
            .is_ok()
    }

    #[test]
    fn init_makes_a_ca_a_host_client_cert_and_connector_server_certs() {
        let plan = init(&[
            "init",
            "--connector",
            "demo",
            "--connector",
            "hr",
            "--namespace",
            "ecma2",
            "--san",
            "demo=10.200.0.2",
            "--san",
            "demo=Demo.Example.org",
            "--san",
            "127.0.0.1",
        ])
        .unwrap();
        let files = generate(&plan, OffsetDateTime::now_utc()).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "ca.pem",
                "ca-key.pem",
                "host.pem",
                "host-key.pem",
                "demo.pem",
                "demo-key.pem",
                "hr.pem",
                "hr-key.pem"
            ]
        );
        let ca_pem = &file(&files, "ca.pem").contents;
        let ca_der = der(ca_pem);
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        assert!(ca.is_ca());
        assert!(ca.key_usage().unwrap().unwrap().value.key_cert_sign());

        // The host: a client certificate only.
        let host_pem = &file(&files, "host.pem").contents;
        let host_der = der(host_pem);
        let (_, host) = X509Certificate::from_der(&host_der).unwrap();
        assert!(!host.is_ca());
        assert_eq!(eku(&host), (false, true));
        let cn = host.subject().iter_common_name().next().unwrap().as_str().unwrap();
        assert_eq!(cn, HOST_COMMON_NAME);
        verify(ca_pem, host_pem, webpki::KeyUsage::client_auth()).unwrap();
        assert!(verify(ca_pem, host_pem, webpki::KeyUsage::server_auth()).is_err());

        // The connectors: server certificates with their names.
        let demo_pem = &file(&files, "demo.pem").contents;
        let demo_der = der(demo_pem);
        let (_, demo) = X509Certificate::from_der(&demo_der).unwrap();
        assert_eq!(eku(&demo), (true, false));
        let (dns, ips) = sans(&demo);
        assert_eq!(
            dns,
            [
                "demo",
                "demo.ecma2.svc",
                "demo.ecma2.svc.cluster.local",
                "demo.example.org"
            ]
        );
        assert_eq!(
            ips,
            ["10.200.0.2".parse::<IpAddr>().unwrap(), "127.0.0.1".parse().unwrap()]
        );
        verify(ca_pem, demo_pem, webpki::KeyUsage::server_auth()).unwrap();
        assert!(verify(ca_pem, demo_pem, webpki::KeyUsage::client_auth()).is_err());
        for name in ["demo", "demo.ecma2.svc.cluster.local", "10.200.0.2", "127.0.0.1"] {
            assert!(server_name_ok(demo_pem, name), "{name}");
        }
        assert!(!server_name_ok(demo_pem, "hr"));

        let hr_pem = &file(&files, "hr.pem").contents;
        let hr_der = der(hr_pem);
        let (_, hr) = X509Certificate::from_der(&hr_der).unwrap();
        let (dns, ips) = sans(&hr);
        assert_eq!(dns, ["hr", "hr.ecma2.svc", "hr.ecma2.svc.cluster.local"]);
        assert_eq!(ips, ["127.0.0.1".parse::<IpAddr>().unwrap()]);
        assert!(!server_name_ok(hr_pem, "10.200.0.2"));

        // Keys parse and belong to their certificates.
        for (cert, key) in [("host.pem", "host-key.pem"), ("demo.pem", "demo-key.pem")] {
            let key = KeyPair::from_pem(&file(&files, key).contents).unwrap();
            let cert_der = der(&file(&files, cert).contents);
            let (_, cert) = X509Certificate::from_der(&cert_der).unwrap();
            assert_eq!(cert.public_key().subject_public_key.data.as_ref(), key.public_key_raw());
        }
    }

    #[test]
    fn a_certificate_from_another_ca_does_not_verify() {
        let plan = init(&["init", "--connector", "demo"]).unwrap();
        let one = generate(&plan, OffsetDateTime::now_utc()).unwrap();
        let two = generate(&plan, OffsetDateTime::now_utc()).unwrap();
        let ca_one = &file(&one, "ca.pem").contents;
        verify(
            ca_one,
            &file(&one, "demo.pem").contents,
            webpki::KeyUsage::server_auth(),
        )
        .unwrap();
        let err = verify(
            ca_one,
            &file(&two, "demo.pem").contents,
            webpki::KeyUsage::server_auth(),
        )
        .unwrap_err();
        assert!(matches!(err, webpki::Error::UnknownIssuer), "{err:?}");
        assert!(
            verify(
                ca_one,
                &file(&two, "host.pem").contents,
                webpki::KeyUsage::client_auth()
            )
            .is_err()
        );
    }

    #[test]
    fn validity_follows_days() {
        let plan = init(&["init", "--days", "30", "--ca-days", "100"]).unwrap();
        let start = OffsetDateTime::now_utc();
        let files = generate(&plan, start).unwrap();
        let ca_der = der(&file(&files, "ca.pem").contents);
        let host_der = der(&file(&files, "host.pem").contents);
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        let (_, host) = X509Certificate::from_der(&host_der).unwrap();
        let days = |c: &X509Certificate<'_>| (c.validity().not_after.timestamp() - start.unix_timestamp()) / 86_400;
        assert_eq!(days(&ca), 100);
        assert_eq!(days(&host), 30);
        assert!(host.validity().not_before.timestamp() < start.unix_timestamp());
    }

    #[test]
    fn bad_names_and_sans_are_refused() {
        for (args, wanted) in [
            (&["init", "--connector", "Demo"][..], "DNS label"),
            (&["init", "--connector", "a_b"][..], "DNS label"),
            (&["init", "--connector", "ecma2-host"][..], "host's"),
            (&["init", "--connector", "x", "--connector", "x"][..], "twice"),
            (
                &["init", "--connector", "x", "--san", "y=1.2.3.4"][..],
                "no --connector",
            ),
            (&["init", "--san", "1.2.3.4"][..], "no --connector"),
            (&["init", "--connector", "x", "--san", "not a name"][..], "neither"),
            (&["init", "--namespace", "Bad_NS"][..], "DNS label"),
            (&["init", "--days", "0"][..], "at least 1"),
        ] {
            let err = format!("{:#}", init(args).unwrap_err());
            assert!(err.contains(wanted), "{args:?}: {err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn keys_are_private_and_nothing_is_overwritten_without_force() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("certs");
        let plan = init(&["init", "--connector", "demo", "--k8s"]).unwrap();
        let files = generate(&plan, OffsetDateTime::now_utc()).unwrap();
        write_files(&out, &files, false).unwrap();
        let mode = |name: &str| std::fs::metadata(out.join(name)).unwrap().permissions().mode() & 0o777;
        for key in ["ca-key.pem", "host-key.pem", "demo-key.pem", "k8s-secrets.yaml"] {
            assert_eq!(mode(key), 0o600, "{key}");
        }
        assert_eq!(mode("demo.pem"), 0o644);

        let before = std::fs::read_to_string(out.join("ca.pem")).unwrap();
        let again = generate(&plan, OffsetDateTime::now_utc()).unwrap();
        let err = write_files(&out, &again, false).unwrap_err().to_string();
        assert!(
            err.contains("refusing to overwrite") && err.contains("--force"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(out.join("ca.pem")).unwrap(), before);

        std::fs::set_permissions(out.join("demo-key.pem"), std::fs::Permissions::from_mode(0o644)).unwrap();
        write_files(&out, &again, true).unwrap();
        assert_ne!(std::fs::read_to_string(out.join("ca.pem")).unwrap(), before);
        assert_eq!(mode("demo-key.pem"), 0o600);
    }

    #[test]
    fn k8s_secrets_carry_the_certificates_and_the_ca() {
        let plan = init(&["init", "--connector", "demo", "--namespace", "ecma2", "--k8s"]).unwrap();
        let files = generate(&plan, OffsetDateTime::now_utc()).unwrap();
        let yaml = &file(&files, "k8s-secrets.yaml").contents;
        // Documents start with a `---` line (PEM lines never are one).
        let mut docs: Vec<String> = Vec::new();
        for line in yaml.lines() {
            if line == "---" {
                docs.push(String::new());
            } else {
                let doc = docs.last_mut().expect("the file starts with ---");
                doc.push_str(line);
                doc.push('\n');
            }
        }
        assert_eq!(docs.len(), 2);
        for (doc, name, cert) in [
            (&docs[0], "ecma2-host-tls", "host.pem"),
            (&docs[1], "ecma2-connector-demo-tls", "demo.pem"),
        ] {
            assert!(doc.starts_with("apiVersion: v1\nkind: Secret\n"), "{doc}");
            assert!(doc.contains(&format!("  name: {name}\n  namespace: ecma2\n")), "{doc}");
            assert!(doc.contains("type: kubernetes.io/tls\nstringData:\n"), "{doc}");
            // Each PEM appears as an indented block under its key.
            let block = |pem: &str| pem.lines().map(|l| format!("    {l}\n")).collect::<String>();
            assert!(doc.contains(&format!("  tls.crt: |\n{}", block(&file(&files, cert).contents))));
            assert!(doc.contains(&format!("  ca.crt: |\n{}", block(&file(&files, "ca.pem").contents))));
            assert!(doc.contains("  tls.key: |\n    -----BEGIN PRIVATE KEY-----\n"));
        }
    }
}
