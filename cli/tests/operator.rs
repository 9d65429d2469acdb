//! The operator's day with the real `ecma2` binary, an in-process host and the demo connector:
//! parameters saved once and remembered, secrets that never ride on argv nor rest in clear,
//! staged lines checked against the schema (refused with their line number, all or nothing),
//! the pending list and dropping from it, the run history, one JSON document per command with
//! errors as JSON too, the exit codes, and Ctrl-C stopping import and export every time.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    /// The one JSON document on stdout.
    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl Env {
    fn new() -> Self {
        Self::with_config(|dir| {
            format!(
                "[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"demo\"\ncommand = {:?}\n",
                dir.join("engine.sock").display(),
                demo().display().to_string()
            )
        })
    }

    fn with_config(config: impl FnOnce(&Path) -> String) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("host.toml"), config(dir.path())).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecma2"));
        cmd.arg("--config")
            .arg(self.path("host.toml"))
            .arg("--state")
            .arg(self.path("state"))
            .args(args)
            .env_remove("ECMA2_HOST")
            .env_remove("ECMA2_TOKEN_FILE");
        cmd
    }

    fn run_with(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        {
            use std::io::Write;
            let mut input = child.stdin.take().unwrap();
            input.write_all(stdin.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let out = Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        eprintln!("$ ecma2 {args:?} → {}\n{}{}", out.code, out.stdout, out.stderr);
        out
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, "", &[])
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> Out {
        let out = self.run(args);
        assert_eq!(out.code, 0, "ecma2 {args:?} failed:\n{}{}", out.stdout, out.stderr);
        out
    }

    /// `--param database=… --param seed_users=N` for the demo.
    fn db_params(&self, users: u32) -> Vec<String> {
        vec![
            "--param".into(),
            format!("database={}", self.path("demo.db").display()),
            "--param".into(),
            format!("seed_users={users}"),
        ]
    }

    /// Starts `ecma2 ARGS` with its output piped, for a test that signals it.
    fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn save_demo(&self, users: u32) {
        let params = self.db_params(users);
        let mut args = vec!["config", "set", "--connector", "demo"];
        args.extend(params.iter().map(String::as_str));
        self.ok(&args);
    }

    fn stage(&self, lines: &[String]) -> Out {
        let file = self.path("changes.jsonl");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        self.run(&["stage", "--connector", "demo", "--changes", file.to_str().unwrap()])
    }

    fn user_dns(&self, n: usize) -> Vec<String> {
        let db = rusqlite::Connection::open(self.path("state/connector-space.db")).unwrap();
        let mut statement = db
            .prepare("SELECT dn FROM objects WHERE connector='demo' AND object_type='user' ORDER BY dn LIMIT ?1")
            .unwrap();
        statement
            .query_map([n as i64], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ecma2")).with_file_name("ecma2-demo")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn parameters_are_saved_once_and_a_typo_is_refused_by_name() {
    let env = Env::new();
    let typo = format!("databse={}", env.path("demo.db").display());
    let out = env.run(&["--json", "import", "--connector", "demo", "--param", &typo]);
    assert_eq!(out.code, 2);
    let error = &out.json()["error"];
    assert_eq!(error["kind"], "usage");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("\"databse\"")
            && message.contains("did you mean \"database\"")
            && message.contains("\"seed_users\""),
        "{message}"
    );
    assert!(!env.path("demo.db").exists(), "nothing ran");

    env.save_demo(12);
    let full = env.ok(&["--json", "import", "--connector", "demo"]).json();
    assert!(full["adds"].as_u64().unwrap() >= 12, "{full}");
    assert_eq!(full["profile"], "full import");
    let delta = env.ok(&["--json", "import", "--connector", "demo", "--delta"]).json();
    assert_eq!(delta["profile"], "delta import");

    let shown = env.ok(&["--json", "config", "show", "--connector", "demo"]).json();
    assert_eq!(shown["connectors"][0]["parameters"]["seed_users"], "12");
    env.ok(&["config", "unset", "--connector", "demo", "seed_users"]);
    let shown = env.ok(&["--json", "config", "show"]).json();
    assert!(
        shown["connectors"][0]["parameters"].get("seed_users").is_none(),
        "{shown}"
    );
    let out = env.run(&["config", "unset", "--connector", "demo", "nope"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("\"database\""), "{}", out.stderr);
    // A --param given on the command line wins over the saved value for that run only.
    env.ok(&["import", "--connector", "demo", "--param", "seed_users=15"]);
}

#[test]
fn a_secret_never_rides_on_argv_nor_rests_in_clear() {
    let env = Env::new();
    env.save_demo(3);
    let secret = "s3cret-Access-Key-0123456789";
    // On the command line, a saved secret is refused outright.
    let plain = format!("access_key={secret}");
    let out = env.run(&["config", "set", "--connector", "demo", "--param", &plain]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("EncryptedString") && out.stderr.contains("--secret"),
        "{}",
        out.stderr
    );
    // From the environment, from a file and from standard input (no terminal here).
    env.run_with(
        &[
            "config",
            "set",
            "--connector",
            "demo",
            "--secret-env",
            "access_key=DEMO_KEY",
        ],
        "",
        &[("DEMO_KEY", secret)],
    );
    let observe = env.path("observe.jsonl");
    let observe_param = format!("observe_file={}", observe.display());
    let check = |expected: usize| {
        let _ = std::fs::remove_file(&observe);
        env.ok(&["import", "--connector", "demo", "--param", &observe_param]);
        let text = std::fs::read_to_string(&observe).unwrap();
        let open: Value = text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|v| v["event"] == "open")
            .unwrap();
        assert_eq!(open["access_key_length"], expected, "{open}");
    };
    check(secret.len());
    let file = env.path("key.txt");
    std::fs::write(&file, "from-a-file\n").unwrap();
    let from_file = format!("access_key={}", file.display());
    env.ok(&["config", "set", "--connector", "demo", "--secret-file", &from_file]);
    check("from-a-file".len());
    let out = env.run_with(
        &["config", "set", "--connector", "demo", "--secret", "access_key"],
        &format!("{secret}\n"),
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    check(secret.len());

    // Redacted when shown, sealed on disk, owner-only.
    for args in [&["config", "show"][..], &["--json", "config", "show"][..]] {
        let out = env.ok(args);
        assert!(
            !out.stdout.contains(secret) && out.stdout.contains("redacted"),
            "{}",
            out.stdout
        );
    }
    for path in files_under(&env.path("state")) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{} holds the secret in clear",
            path.display()
        );
    }
    for name in ["saved-config.json", "secret.key"] {
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(env.path("state").join(name)).unwrap().permissions(),
        );
        assert_eq!(mode & 0o077, 0, "{name} is {mode:o}");
    }
}

fn add_line(n: usize, tag: &str) -> String {
    serde_json::json!({
        "op": "add", "type": "user",
        "dn": format!("CN=Staged {tag} {n},OU=People,DC=demo,DC=example"),
        "attrs": {"cn": format!("Staged {tag} {n}"), "mail": format!("s{n}.{tag}@demo.example")},
    })
    .to_string()
}

#[test]
fn a_bad_staged_line_is_refused_with_its_number_and_nothing_is_staged() {
    let env = Env::new();
    env.save_demo(5);
    env.ok(&["import", "--connector", "demo"]);
    let user = env.user_dns(1).remove(0);
    let good_update = serde_json::json!({"op": "update", "dn": user, "attrs": {"title": "Boss"}}).to_string();
    for (bad, expect) in [
        (
            r#"{"op":"update","dn":"USER","attrs":{"titel":"x"}}"#.replace("USER", &user),
            "\"titel\"",
        ),
        (
            r#"{"op":"add","type":"usr","dn":"CN=x,DC=demo,DC=example"}"#.to_owned(),
            "object type \"usr\"",
        ),
        (
            r#"{"op":"add","typ":"user","dn":"CN=x,DC=demo,DC=example"}"#.to_owned(),
            "unknown key \"typ\"",
        ),
        (
            r#"{"op":"delete","dn":"CN=Nobody,DC=demo,DC=example"}"#.to_owned(),
            "no such object",
        ),
        ("{not json".to_owned(), "not JSON"),
    ] {
        let out = env.stage(&[add_line(1, "a"), String::new(), good_update.clone(), bad.clone()]);
        assert_eq!(out.code, 2, "{bad}");
        assert!(
            out.stderr.contains("changes.jsonl line 4:") && out.stderr.contains(expect),
            "{bad}: {}",
            out.stderr
        );
    }
    let pending = env.ok(&["--json", "pending", "--connector", "demo"]).json();
    assert_eq!(
        pending["connectors"][0]["staged"].as_array().unwrap().len(),
        0,
        "all or nothing"
    );

    let out = env.stage(&[add_line(1, "a")]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("staged 1 change for demo"), "{}", out.stdout);
    // An update of an object whose add is staged (not yet exported) is accepted.
    let update_new = serde_json::json!({"op": "update", "dn": "CN=Staged a 1,OU=People,DC=demo,DC=example", "attrs": {"title": "New"}});
    let out = env.stage(&[good_update, update_new.to_string()]);
    assert!(out.stdout.contains("staged 2 changes for demo"), "{}", out.stdout);
}

#[test]
fn pending_lists_staged_and_unconfirmed_changes_and_drops_them() {
    let env = Env::new();
    env.save_demo(5);
    env.ok(&["import", "--connector", "demo"]);
    assert_eq!(
        env.stage(&(1..=3).map(|n| add_line(n, "p")).collect::<Vec<_>>()).code,
        0
    );
    let listed = env.ok(&["--json", "pending"]).json();
    let staged = listed["connectors"][0]["staged"].as_array().unwrap().clone();
    assert_eq!(staged.len(), 3);
    assert_eq!(staged[0]["op"], "add");
    assert_eq!(staged[0]["state"], "staged");
    let text = env.ok(&["pending"]).stdout;
    assert!(text.contains("Staged p 2"), "{text}");

    let id = staged[1]["id"].as_i64().unwrap().to_string();
    let dropped = env
        .ok(&["--json", "pending", "drop", "--connector", "demo", &id])
        .json();
    assert_eq!(dropped["dropped"], 1);
    let out = env.run(&["--json", "pending", "drop", "--connector", "demo", &id]);
    assert_eq!(out.code, 2);
    assert!(
        out.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no staged change")
    );
    let left = env.ok(&["--json", "pending"]).json();
    let dns: Vec<&str> = left["connectors"][0]["staged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["dn"].as_str().unwrap())
        .collect();
    assert_eq!(dns.len(), 2);
    assert!(!dns.iter().any(|d| d.contains("Staged p 2")), "{dns:?}");

    // Exported: no longer staged, awaiting confirmation until the next import shows them.
    env.ok(&["export", "--connector", "demo"]);
    let after = env.ok(&["--json", "pending", "--connector", "demo"]).json();
    assert_eq!(after["connectors"][0]["staged"].as_array().unwrap().len(), 0);
    assert_eq!(
        after["connectors"][0]["awaiting_confirmation"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    env.ok(&["import", "--connector", "demo", "--delta"]);
    let confirmed = env.ok(&["--json", "pending", "--connector", "demo"]).json();
    assert_eq!(
        confirmed["connectors"][0]["awaiting_confirmation"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    env.stage(&[add_line(7, "q"), add_line(8, "q")]);
    let all = env
        .ok(&["--json", "pending", "drop", "--connector", "demo", "--all"])
        .json();
    assert_eq!(all["dropped"], 2);
}

#[test]
fn every_run_is_recorded_in_the_history() {
    let env = Env::new();
    env.save_demo(6);
    let out = env.run(&["import", "--connector", "demo", "--delta"]);
    assert_eq!(out.code, 1, "a run that fails exits 1");
    let full = env.ok(&["--json", "import", "--connector", "demo"]).json();
    env.stage(&[add_line(1, "h")]);
    env.ok(&["export", "--connector", "demo"]);
    env.ok(&["import", "--connector", "demo", "--delta"]);
    let runs = env.ok(&["--json", "runs"]).json();
    let runs = runs["runs"].as_array().unwrap();
    let profiles: Vec<&str> = runs.iter().map(|r| r["profile"].as_str().unwrap()).collect();
    assert_eq!(profiles, ["delta import", "full import", "export", "delta import"]);
    assert_eq!(runs[0]["outcome"], "stopped-error");
    assert!(
        runs[0]["error"].as_str().unwrap().contains("full import first"),
        "{}",
        runs[0]
    );
    assert_eq!(runs[1]["outcome"], "success");
    assert_eq!(runs[1]["adds"], full["adds"]);
    assert_eq!(runs[1]["watermark"], full["watermark"]);
    assert_eq!(full["run"], runs[1]["id"]);
    assert_eq!(runs[2]["adds"], 1);
    assert!(runs[3]["watermark"].is_string());
    assert_eq!(runs[1]["partition"], "default");
    let ids: Vec<u64> = runs.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    let table = env.ok(&["runs", "--connector", "demo", "--last", "2"]).stdout;
    assert!(table.contains("export") && !table.contains("stopped-error"), "{table}");
}

#[test]
fn every_command_answers_one_json_document_and_errors_are_json() {
    let env = Env::new();
    env.save_demo(4);
    let hierarchy_parent = "DC=demo,DC=example";
    let commands: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["schema", "--connector", "demo"],
        vec!["capabilities", "--connector", "demo"],
        vec!["parameters", "--connector", "demo"],
        vec!["parameters", "--connector", "demo", "--validate"],
        vec!["partitions", "--connector", "demo"],
        vec!["hierarchy", "--connector", "demo", "--parent", hierarchy_parent],
        vec!["import", "--connector", "demo"],
        vec!["pending"],
        vec!["export", "--connector", "demo"],
        vec!["runs"],
        vec!["config", "show"],
    ];
    for args in commands {
        let mut all = vec!["--json"];
        all.extend(args.iter().copied());
        let out = env.ok(&all);
        let doc = out.json();
        assert!(doc.is_object(), "{args:?}: {doc}");
    }
    let caps = env.ok(&["--json", "capabilities", "--connector", "demo"]).json();
    assert!(caps["capabilities"]["DeltaImport"].is_boolean(), "{caps}");
    assert_eq!(caps["capabilities"]["DistinguishedNameStyle"], "Ldap");
    let list = env.ok(&["--json", "list"]).json();
    assert_eq!(list["connectors"][0]["state"], "READY");
    assert!(list["connectors"][0]["pid"].is_number());

    // Errors: a connector the host does not run, a usage error, no host at all.
    let out = env.run(&["--json", "schema", "--connector", "nosuch"]);
    assert_ne!(out.code, 0);
    assert!(out.json()["error"]["message"].is_string());
    let out = env.run(&["--json", "import"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.json()["error"]["kind"], "usage");
    let token = env.path("token");
    std::fs::write(&token, "t").unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let address = format!("tcp:127.0.0.1:{port}");
    let out = Command::new(env!("CARGO_BIN_EXE_ecma2"))
        .args([
            "--json",
            "--host",
            &address,
            "--token-file",
            token.to_str().unwrap(),
            "list",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    let error: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "connect");
    let hint = error["error"]["hint"].as_str().unwrap();
    assert!(
        hint.contains("is ecma2-host running?") && hint.contains(&address),
        "{hint}"
    );
    assert!(stderr.matches("transport error").count() <= 1, "{stderr}");
}

#[test]
fn list_exits_3_when_every_connector_failed_and_toml_errors_show_where() {
    let env = Env::with_config(|dir| {
        format!(
            "[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"broken\"\ncommand = \"/bin/false\"\n[connector.limits]\nmax_crashes = 1\nrestart_backoff = \"10ms\"\n",
            dir.join("engine.sock").display()
        )
    });
    let out = env.run(&["--json", "list"]);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    let error = &out.json()["error"];
    assert_eq!(error["kind"], "nothing_ran");
    assert_eq!(error["connectors"][0]["state"], "FAILED");

    let bad = Env::with_config(|_| "[engine]\nlisten = \"unix:/tmp/x.sock\"\nsurprise = 1\n".to_owned());
    let out = bad.run(&["list"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("line 3") && out.stderr.lines().count() > 2 && out.stderr.contains("surprise"),
        "{}",
        out.stderr
    );
}

/// A small deterministic generator for the SIGINT moments (the seed is printed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn wait_for(path: &Path, what: &str, deadline: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < deadline {
        if std::fs::read_to_string(path).is_ok_and(|t| t.contains(what)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

/// Sends SIGINT; false when the process is already gone.
fn sigint(pid: u32) -> bool {
    // SAFETY: kill(2) with a pid this test spawned and a valid signal number.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::kill(pid as i32, libc::SIGINT) };
    rc == 0
}

fn closes(observe: &Path, kind: &str) -> Vec<String> {
    std::fs::read_to_string(observe)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["event"] == "close" && v["kind"] == kind)
        .map(|v| v["reason"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Ctrl-C at random moments of import and export runs (while pages stream in, while the CLI
/// writes its connector space, while a batch is out): every run stops, the connector's session
/// is closed with TerminatedByUser, the CLI says so and exits 130.
#[test]
fn sigint_at_random_moments_stops_every_run() {
    let env = Env::new();
    // Big enough that every import outlasts the longest delay (120 ms) on a fast machine: with
    // 200 users an unblocked import of 10-object pages took 113 ms on CI, and a SIGINT that came
    // after its last page found nothing left to stop.
    env.save_demo(1000);
    env.ok(&["import", "--connector", "demo"]);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("SIGINT moments seed {seed}");
    let mut random = Lcg(seed);
    let observe = env.path("observe.jsonl");
    let observe_param = format!("observe_file={}", observe.display());
    let started = Instant::now();
    for attempt in 0..20 {
        let export = attempt % 2 == 1;
        let _ = std::fs::remove_file(&observe);
        let mut args: Vec<String> = if export {
            let tag = format!("x{attempt}");
            let lines: Vec<String> = (0..40).map(|n| add_line(n, &tag)).collect();
            assert_eq!(env.stage(&lines).code, 0);
            [
                "export",
                "--connector",
                "demo",
                "--batch-size",
                "4",
                "--param",
                "test_block_put_ms=25",
            ]
            .map(String::from)
            .to_vec()
        } else {
            // Half the imports wait in the connector, half spend their time writing the space.
            let block = if attempt % 4 == 0 {
                "test_block_get_ms=15"
            } else {
                "test_block_get_ms=0"
            };
            ["import", "--connector", "demo", "--page-size", "10", "--param", block]
                .map(String::from)
                .to_vec()
        };
        args.extend(["--param".to_owned(), observe_param.clone()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let child = env.spawn(&args);
        assert!(
            wait_for(&observe, "\"open\"", Duration::from_secs(30)),
            "attempt {attempt}: the run never opened"
        );
        let delay = random.below(120);
        std::thread::sleep(Duration::from_millis(delay));
        assert!(sigint(child.id()), "attempt {attempt}: the run ended before the SIGINT");
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let kind = if export { "export" } else { "import" };
        eprintln!(
            "attempt {attempt} ({kind}, SIGINT {delay} ms after open): {:?}",
            out.status.code()
        );
        assert_eq!(
            out.status.code(),
            Some(130),
            "attempt {attempt} ({kind}, {delay} ms): {stderr}"
        );
        assert!(stderr.contains("interrupted"), "attempt {attempt}: {stderr}");
        assert_eq!(
            closes(&observe, kind),
            ["TerminatedByUser"],
            "attempt {attempt} ({kind}, {delay} ms): {stderr}"
        );
    }
    eprintln!("20 interrupted runs in {:.1}s", started.elapsed().as_secs_f64());
    let runs = env.ok(&["--json", "runs"]).json();
    let stopped = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "stopped-user-request")
        .count();
    assert_eq!(stopped, 20);
}

/// A Ctrl-C that comes while a finished import closes its session normally stops nothing: the
/// close stays Normal, the run is recorded as a success, the CLI says the results stand (it
/// used to announce a TerminatedByUser close that never happened) and exits 0.
#[test]
fn a_sigint_after_the_last_page_leaves_the_finished_run_alone() {
    let env = Env::new();
    env.save_demo(20);
    let observe = env.path("observe.jsonl");
    let observe_param = format!("observe_file={}", observe.display());
    let child = env.spawn(&[
        "import",
        "--connector",
        "demo",
        "--param",
        "test_block_close_ms=1500",
        "--param",
        &observe_param,
    ]);
    assert!(
        wait_for(&observe, "\"close\"", Duration::from_secs(30)),
        "the import never closed"
    );
    assert!(sigint(child.id()), "the run ended before the SIGINT");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("its results stand"), "{stderr}");
    assert!(!stderr.contains("TerminatedByUser"), "{stderr}");
    assert_eq!(closes(&observe, "import"), ["Normal"]);
    let runs = env.ok(&["--json", "runs"]).json();
    assert_eq!(runs["runs"][0]["outcome"], "success", "{runs}");
}

/// Two Ctrl-Cs in a row while the connector is blocked for a minute: the CLI exits 130 within
/// seconds (the first closes the session; a second one, if the close were slow, quits at once).
#[test]
fn a_second_sigint_exits_at_once() {
    let env = Env::new();
    env.save_demo(20);
    env.ok(&["import", "--connector", "demo"]);
    let observe = env.path("observe.jsonl");
    let observe_param = format!("observe_file={}", observe.display());
    let child = env.spawn(&[
        "import",
        "--connector",
        "demo",
        "--delta",
        "--param",
        "test_block_get_ms=60000",
        "--param",
        &observe_param,
    ]);
    assert!(wait_for(&observe, "\"open\"", Duration::from_secs(30)));
    let start = Instant::now();
    assert!(sigint(child.id()));
    let _ = sigint(child.id());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
}
