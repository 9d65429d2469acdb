//! The `ecma2` binary as an engine on another machine: it imports through an `ecma2-host`
//! process serving `[engine.tls]` on 127.0.0.1 with the certificates `ecma2 certs init --engine
//! --host-name` makes, and is refused, with the reason in its error, without a certificate or
//! with one of another CA. (tests/netns/test_mtls.py does the same off loopback.)

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn ecma2() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ecma2"))
}

fn sibling(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_ecma2")).with_file_name(name);
    assert!(
        path.exists(),
        "{} is missing: cargo build -p ecma2-host -p ecma2-demo",
        path.display()
    );
    path
}

fn certs(out: &Path) {
    let made = ecma2()
        .args(["certs", "init", "--engine", "mim", "--host-name", "127.0.0.1", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
}

struct HostProcess(Child);

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts ecma2-host with mutual TLS on 127.0.0.1:0 and returns it with its address.
fn start_host(dir: &Path) -> (HostProcess, String) {
    let pki = dir.join("pki");
    let config = dir.join("host.toml");
    std::fs::write(
        &config,
        format!(
            "state_dir = {state:?}\n[engine]\nlisten = \"tcp:127.0.0.1:0\"\n[engine.tls]\ncert = {cert:?}\nkey = {key:?}\nclient_ca = {ca:?}\n\n[[connector]]\nname = \"demo\"\ncommand = {demo:?}\n",
            state = dir.join("state").display().to_string(),
            cert = pki.join("host-server.pem").display().to_string(),
            key = pki.join("host-server-key.pem").display().to_string(),
            ca = pki.join("ca.pem").display().to_string(),
            demo = sibling("ecma2-demo").display().to_string(),
        ),
    )
    .unwrap();
    let mut child = Command::new(sibling("ecma2-host"))
        .arg("--config")
        .arg(&config)
        .args(["--log-format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let host = HostProcess(child);
    // The first line naming the engine address; the rest of stderr is drained in the background.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("host listening for engines") {
                let _ = tx.send(line);
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("ecma2-host did not listen within 60 s");
    let start = line.find("\"address\":\"").expect("an address field") + "\"address\":\"".len();
    let address = line[start..].split('"').next().unwrap().to_owned();
    (host, address)
}

fn engine(dir: &Path, address: &str, pki: Option<&Path>, args: &[&str]) -> Output {
    let mut command = ecma2();
    command
        .args(["--host", address, "--token-file"])
        .arg(dir.join("state/engine.token"))
        .arg("--state")
        .arg(dir.join("space"));
    if let Some(pki) = pki {
        command
            .arg("--tls-ca")
            .arg(dir.join("pki/ca.pem"))
            .arg("--tls-cert")
            .arg(pki.join("engine-mim.pem"))
            .arg("--tls-key")
            .arg(pki.join("engine-mim-key.pem"));
    }
    command.args(args).output().unwrap()
}

#[test]
fn the_cli_imports_over_mutual_tls_and_is_refused_without_our_certificate() {
    let dir = tempfile::tempdir().unwrap();
    certs(&dir.path().join("pki"));
    certs(&dir.path().join("foreign"));
    let (_host, address) = start_host(dir.path());
    assert!(address.starts_with("tcp:127.0.0.1:"), "{address}");

    let db = format!("database={}", dir.path().join("demo.db").display());
    let ours = dir.path().join("pki");
    let out = engine(
        dir.path(),
        &address,
        Some(&ours),
        &[
            "--json",
            "import",
            "--connector",
            "demo",
            "--param",
            &db,
            "--param",
            "seed_users=12",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("\"errors\":0"), "{stdout}");
    assert!(!stdout.contains("\"adds\":0"), "{stdout}");

    let plain = engine(dir.path(), &address, None, &["list"]);
    assert!(!plain.status.success());
    let foreign = engine(dir.path(), &address, Some(&dir.path().join("foreign")), &["list"]);
    assert!(!foreign.status.success());
    let foreign = String::from_utf8_lossy(&foreign.stderr).to_lowercase();
    // TLS 1.3: the client may finish its side of the handshake before the host's alert about
    // the unknown CA arrives, and then sees the connection closed instead of the alert.
    assert!(
        ["certificate", "alert", "closed", "broken pipe", "reset"]
            .iter()
            .any(|w| foreign.contains(w)),
        "{foreign}"
    );
}
