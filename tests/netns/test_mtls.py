"""Issue #13, "Done when": an engine on another machine reaches the host over mutual TLS.

The host runs in a network namespace of its own, joined to this one by a veth pair (the same
network test_netns.py makes), and listens on its address there, not on loopback, with
`[engine.tls]` and certificates from `ecma2 certs init --engine mim --host-name IP`. The engine is
the real `ecma2` CLI in this namespace, the "other machine". The test shows:

* with our CA's client certificate and the token, a full import through the host works;
* without a certificate (plain text), with a certificate of another CA, or without the right
  token, the engine is refused, and the error says why;
* a host configured to listen on that non-loopback address in plain text refuses to start.

Without root or iproute2 it says so and uses 127.0.0.2 (still mutual TLS, but loopback, so the
plain-text refusal is checked on a wildcard address instead). Run it with tests/netns/run.sh.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ecma2.testing import wait_until
from test_netns import DEADLINE, DEMO, ECMA2, HOST, Machine, make_network, run, say

PORT = 5800


@dataclass
class Site:
    work: Path
    machine: Machine
    mode: str
    listen: str
    host: subprocess.Popen[bytes]

    def engine(
        self, *args: str | Path, pki: Path | None = None, token: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The `ecma2` CLI in this namespace, with `pki`'s engine certificate (our CA trusted)."""
        tls: list[str | Path] = []
        if pki is not None:
            tls = [
                "--tls-ca",
                self.work / "pki/ca.pem",
                "--tls-cert",
                pki / "engine-mim.pem",
                "--tls-key",
                pki / "engine-mim-key.pem",
            ]
        return run(
            ECMA2,
            "--host",
            self.listen,
            "--token-file",
            token or self.work / "state/engine.token",
            "--state",
            self.work / "space",
            *tls,
            *args,
            check=False,
        )


def host_config(work: Path, listen: str, tls: bool) -> Path:
    text = f'state_dir = "{work / "state"}"\n\n[engine]\nlisten = "{listen}"\n'
    if tls:
        pki = work / "pki"
        text += "[engine.tls]\n"
        text += f'cert = "{pki / "host-server.pem"}"\n'
        text += f'key = "{pki / "host-server-key.pem"}"\n'
        text += f'client_ca = "{pki / "ca.pem"}"\n'
    text += f'\n[[connector]]\nname = "demo"\ncommand = "{DEMO}"\n'
    config = work / ("host.toml" if tls else "host-plain.toml")
    config.write_text(text)
    return config


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    for binary in (ECMA2, HOST, DEMO):
        if not binary.exists():
            pytest.fail(f"{binary} is missing: run tests/netns/run.sh, which builds it")
    work = Path(tempfile.mkdtemp(prefix="ecma2-mtls-"))
    net = make_network(["host"])
    machine = net.machines["host"]
    if net.mode == "netns":
        say(f"host in {machine.netns} at {machine.address}, engine in this namespace")
    else:
        say(f"FALLBACK to {machine.address} ({net.reason}); still mutual TLS")
    host: subprocess.Popen[bytes] | None = None
    try:
        for out in ("pki", "foreign-pki"):
            run(
                ECMA2,
                "certs",
                "init",
                "--out",
                work / out,
                "--engine",
                "mim",
                "--host-name",
                machine.address,
            )
        listen = f"tcp:{machine.address}:{PORT}"
        config = host_config(work, listen, tls=True)
        log = (work / "host.log").open("wb")
        host = subprocess.Popen(
            machine.wrap([str(HOST), "--config", str(config), "--log-format", "json"]),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )

        def listening() -> str | None:
            assert host is not None and host.poll() is None, (work / "host.log").read_text()
            for line in (work / "host.log").read_text(errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    address = json.loads(line).get("address")
                    if isinstance(address, str) and address.startswith("tcp:"):
                        return address
            return None

        listen = wait_until(
            listening, timeout=DEADLINE, interval=0.1, what="the host's engine endpoint"
        )
        site = Site(work, machine, net.mode, listen, host)

        def demo_ready() -> bool:
            listed = site.engine("--json", "list", pki=work / "pki")
            return listed.returncode == 0 and '"READY"' in listed.stdout

        wait_until(demo_ready, timeout=DEADLINE, interval=0.2, what="the demo connector READY")
        yield site
    finally:
        if host is not None:
            host.send_signal(signal.SIGTERM)
            try:
                host.wait(timeout=30)
            except subprocess.TimeoutExpired:
                host.kill()
        net.close()
        shutil.rmtree(work, ignore_errors=True)


def test_an_engine_with_our_certificate_imports_through_a_non_loopback_host(site: Site) -> None:
    if site.mode == "netns":
        assert not site.listen.startswith("tcp:127."), site.listen
    db = site.work / "demo.db"
    result = site.engine(
        "--json",
        "import",
        "--connector",
        "demo",
        "--param",
        f"database={db}",
        "--param",
        "seed_users=30",
        pki=site.work / "pki",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["adds"] >= 30 and summary["errors"] == 0, summary
    say(f"engine with our certificate imported {summary['adds']} objects from {site.listen}")


def test_an_engine_without_a_certificate_is_refused(site: Site) -> None:
    result = site.engine("list")
    assert result.returncode != 0
    # Plain HTTP/2 against the TLS listener: the host answers in TLS, or drops the connection.
    # tonic calls that Unknown or Cancelled depending on timing; the hint is the same either way.
    assert "transport error" in result.stderr or "h2 protocol error" in result.stderr, result.stderr
    assert "hint: the host dropped the connection: a host with [engine.tls] needs --tls-ca" in result.stderr, (
        result.stderr
    )
    say(f"no certificate: {result.stderr.strip().splitlines()[-1]}")


def test_an_engine_with_another_cas_certificate_is_refused(site: Site) -> None:
    result = site.engine("list", pki=site.work / "foreign-pki")
    assert result.returncode != 0
    # TLS 1.3: the host checks the certificate after the client finished its handshake, so
    # the engine sees the alert (UnknownCA) or, when it wrote first, the connection closed.
    assert "transport error" in result.stderr, result.stderr
    assert "UnknownCA" in result.stderr or "closed" in result.stderr, result.stderr
    say(f"foreign certificate: {result.stderr.strip().splitlines()[-1]}")


def test_an_engine_without_the_token_is_refused(site: Site) -> None:
    wrong = site.work / "wrong.token"
    wrong.write_text("not-the-token\n")
    result = site.engine("list", pki=site.work / "pki", token=wrong)
    assert result.returncode != 0
    assert "ecma2: Unauthenticated: wrong engine token" in result.stderr, result.stderr
    say(f"wrong token: {result.stderr.strip().splitlines()[-1]}")


def test_a_plain_text_non_loopback_listen_is_refused_at_start(site: Site) -> None:
    # Off loopback without [engine.tls]: in the namespace its own address; on the fallback, the
    # wildcard address (127.0.0.2 is loopback and would be allowed).
    address = site.machine.address if site.mode == "netns" else "0.0.0.0"
    config = host_config(site.work, f"tcp:{address}:{PORT + 1}", tls=False)
    result = subprocess.run(
        site.machine.wrap([str(HOST), "--config", str(config)]),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    assert result.returncode == 64, (result.returncode, result.stderr)
    assert "engine.listen" in result.stderr and "tls" in result.stderr.lower(), result.stderr
    say(f"plain-text listen refused: {result.stderr.strip()}")
