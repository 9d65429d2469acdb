"""Issue #8, "Done when": the host and two remote connectors on separate "machines".

Each connector (demo in Rust, hr in Python) runs in its own network namespace, joined to this
one by a veth pair with addresses in a private /30 the test makes (10.200.N.0/30 and
10.200.N.4/30, N picked so that nothing on the machine uses 10.200.N.0/24), and is reached by
IP address over mutual TLS with certificates from `ecma2 certs init`. The test shows:

* imports through the host work (demo and hr);
* a connector presenting a certificate from another CA is refused by the host;
* a client without a certificate, or with one from another CA, is refused by the connectors;
* the host survives its connectors being killed (SIGKILL) and started again: they show as
  UNAVAILABLE meanwhile, runs fail with ServerDown, and the next run after the restart succeeds,
  with the same host process throughout.

Where namespaces cannot be made (not root, no iproute2, no CAP_NET_ADMIN), it says so and uses
loopback addresses (127.0.0.2 and 127.0.0.3) instead, still over mutual TLS. Traffic only ever
goes to addresses this test created (or loopback). Run it with tests/netns/run.sh.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from ecma2._pb import connector_pb2_grpc, handshake_pb2
from ecma2.testing import ConnectorProcess, wait_until

REPO = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug"
ECMA2 = TARGET / "ecma2"
HOST = TARGET / "ecma2-host"
DEMO = TARGET / "ecma2-demo"
PROBE = TARGET / "ecma2-probe"
PORT = 7000
HEALTH_PORT = 7001
DEADLINE = 60.0


def say(text: str) -> None:
    """Progress the reader should see even without -s (pytest shows stderr of failures)."""
    print(f"netns: {text}", file=sys.stderr, flush=True)


def run(*argv: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=DEADLINE, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, argv))} failed:\n{result.stdout}{result.stderr}")
    return result


# --- the network ------------------------------------------------------------------------------


@dataclass
class Machine:
    """Where one connector runs: a namespace and its address, or a loopback address."""

    name: str
    address: str
    netns: str | None = None
    host_veth: str | None = None

    def wrap(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.netns, *argv] if self.netns else argv


@dataclass
class Network:
    mode: str
    machines: dict[str, Machine] = field(default_factory=dict)
    reason: str = ""

    def close(self) -> None:
        for m in self.machines.values():
            if m.netns:
                # Anything still running in our namespace is one of ours.
                pids = run("ip", "netns", "pids", m.netns, check=False).stdout.split()
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)
                run("ip", "netns", "del", m.netns, check=False)
            if m.host_veth:
                run("ip", "link", "del", m.host_veth, check=False)


def free_subnet() -> int:
    """An N such that no address or route of this machine is in 10.200.N.0/24."""
    used = run("ip", "-o", "-4", "addr", "show", check=False).stdout
    used += run("ip", "-4", "route", "show", check=False).stdout
    nets = {
        ipaddress.ip_network(m, strict=False) for m in re.findall(r"\d+\.\d+\.\d+\.\d+/\d+", used)
    }
    addrs = {ipaddress.ip_address(a) for a in re.findall(r"\b10\.200\.\d+\.\d+\b", used)}
    start = os.getpid() % 200 + 20
    for n in [*range(start, 250), *range(20, start)]:
        block = ipaddress.ip_network(f"10.200.{n}.0/24")
        if not any(block.overlaps(x) for x in nets) and not any(a in block for a in addrs):
            return n
    raise RuntimeError("no free 10.200.N.0/24")


def make_network(names: list[str]) -> Network:
    why = ""
    if os.environ.get("ECMA2_NETNS") == "off":
        why = "ECMA2_NETNS=off"
    elif os.geteuid() != 0:
        why = "not running as root"
    elif shutil.which("ip") is None:
        why = "iproute2 (`ip`) is not installed"
    if not why:
        net = Network("netns")
        tag = os.getpid() % 100000
        n = free_subnet()
        try:
            for i, name in enumerate(names):
                ns = f"ecma2-t{tag}-{name}"
                host_if, peer_if = f"e2h{i}n{tag}", f"e2c{i}n{tag}"
                base = 4 * i
                host_ip, peer_ip = f"10.200.{n}.{base + 1}", f"10.200.{n}.{base + 2}"
                net.machines[name] = Machine(name, peer_ip, netns=ns)
                run("ip", "netns", "add", ns)
                run("ip", "link", "add", host_if, "type", "veth", "peer", "name", peer_if)
                net.machines[name].host_veth = host_if
                run("ip", "link", "set", peer_if, "netns", ns)
                run("ip", "addr", "add", f"{host_ip}/30", "dev", host_if)
                run("ip", "link", "set", host_if, "up")
                run("ip", "-n", ns, "addr", "add", f"{peer_ip}/30", "dev", peer_if)
                run("ip", "-n", ns, "link", "set", peer_if, "up")
                run("ip", "-n", ns, "link", "set", "lo", "up")
            return net
        except AssertionError as error:
            net.close()
            why = f"cannot create network namespaces: {str(error).splitlines()[-1]}"
    net = Network("loopback", reason=why)
    for i, name in enumerate(names):
        net.machines[name] = Machine(name, f"127.0.0.{i + 2}")
    return net


def free_port(address: str) -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        port: int = s.getsockname()[1]
        return port


# --- processes --------------------------------------------------------------------------------


def tls_env(pki: Path, cert: str, key: str) -> dict[str, str]:
    return {
        "ECMA2_TLS_CERT": str(pki / cert),
        "ECMA2_TLS_KEY": str(pki / key),
        "ECMA2_TLS_CLIENT_CA": str(pki / "ca.pem"),
    }


def host_credentials(pki: Path) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(
        root_certificates=(pki / "ca.pem").read_bytes(),
        private_key=(pki / "host-key.pem").read_bytes(),
        certificate_chain=(pki / "host.pem").read_bytes(),
    )


@dataclass
class Lab:
    work: Path
    net: Network
    pki: Path
    rogue_pki: Path
    ports: dict[str, int]
    connectors: dict[str, ConnectorProcess] = field(default_factory=dict)
    host: subprocess.Popen[bytes] | None = None
    host_log: Path | None = None

    # -- connectors ----------------------------------------------------------------------------

    def start(self, name: str) -> ConnectorProcess:
        """Starts (or starts again) connector `name` on its machine, at its fixed address."""
        if name in ("demo", "rogue"):
            argv = [str(DEMO)]
            machine = self.net.machines["demo"]
        else:
            argv = [str(REPO / "sdk/python/.venv/bin/python"), "-m", "hr_connector"]
            machine = self.net.machines["hr"]
        pki = self.rogue_pki if name == "rogue" else self.pki
        cert = "demo" if name == "rogue" else name
        env = tls_env(pki, f"{cert}.pem", f"{cert}-key.pem")
        # The rogue presents a certificate from another CA but would accept the host's.
        env["ECMA2_TLS_CLIENT_CA"] = str(self.pki / "ca.pem")
        env["ECMA2_DEMO_DATABASE"] = str(self.work / f"{name}.db")
        if name in ("demo", "hr"):
            # Own namespace: the fixed port of the images. Loopback: any free port.
            port = HEALTH_PORT if self.net.mode == "netns" else 0
            env["ECMA2_HEALTH_LISTEN"] = f"tcp:{machine.address}:{port}"
        proc = ConnectorProcess(
            machine.wrap(argv),
            name=name,
            listen=f"tcp:{machine.address}:{self.ports[name]}",
            launch_secret=None,
            env=env,
            # The test itself checks the connector with the host's certificate; the rogue's
            # certificate is not from this CA, so its channel trusts the rogue CA instead.
            credentials=host_credentials(self.pki)
            if name != "rogue"
            else grpc.ssl_channel_credentials(
                root_certificates=(self.rogue_pki / "ca.pem").read_bytes(),
                private_key=(self.pki / "host-key.pem").read_bytes(),
                certificate_chain=(self.pki / "host.pem").read_bytes(),
            ),
            cwd=self.work,
        )
        proc.start()
        self.connectors[name] = proc
        return proc

    # -- the host and the engine ---------------------------------------------------------------

    def ecma2(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(
            ECMA2,
            "--host",
            f"unix:{self.work / 'engine.sock'}",
            "--token-file",
            str(self.work / "state/engine.token"),
            "--state",
            str(self.work / "space"),
            *args,
            check=check,
        )

    def states(self) -> dict[str, dict[str, object]]:
        # One JSON document; when every connector is FAILED it is an error (exit 3) that
        # carries the connectors too.
        doc = json.loads(self.ecma2("--json", "list", check=False).stdout)
        listed = doc["connectors"] if "connectors" in doc else doc["error"].get("connectors", [])
        return {c["name"]: c for c in listed}

    def wait_states(self, wanted: dict[str, str]) -> dict[str, dict[str, object]]:
        def reached() -> dict[str, dict[str, object]] | None:
            states = self.states()
            ok = all(states[n]["state"] == s for n, s in wanted.items())
            return states if ok else None

        return wait_until(
            reached, timeout=DEADLINE, interval=0.1, what=f"connector states {wanted}"
        )

    def host_log_text(self) -> str:
        return self.host_log.read_text(errors="replace") if self.host_log else ""


def write_host_config(lab: Lab) -> Path:
    pki = lab.pki
    blocks = []
    for name, machine in [
        ("demo", lab.net.machines["demo"]),
        ("hr", lab.net.machines["hr"]),
        ("rogue", lab.net.machines["demo"]),
    ]:
        blocks.append(f"""
[[connector]]
name = "{name}"
endpoint = "tcp:{machine.address}:{lab.ports[name]}"

[connector.tls]
ca = "{pki / "ca.pem"}"
cert = "{pki / "host.pem"}"
key = "{pki / "host-key.pem"}"

[connector.limits]
start_timeout = "10s"
restart_backoff = "100ms"
health_interval = "1s"
""")
    config = lab.work / "host.toml"
    head = f'state_dir = "{lab.work / "state"}"\n\n'
    head += f'[engine]\nlisten = "unix:{lab.work / "engine.sock"}"\n'
    config.write_text(head + "".join(blocks))
    return config


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    for binary in (ECMA2, HOST, DEMO, PROBE):
        if not binary.exists():
            pytest.fail(f"{binary} is missing: run tests/netns/run.sh, which builds it")
    work = Path(tempfile.mkdtemp(prefix="ecma2-netns-"))
    net = make_network(["demo", "hr"])
    if net.mode == "netns":
        where = ", ".join(f"{m.name} in {m.netns} at {m.address}" for m in net.machines.values())
        say(f"network namespaces: {where}")
    else:
        say(f"FALLBACK to loopback addresses ({net.reason}); still mutual TLS")
    lab = Lab(
        work=work,
        net=net,
        pki=work / "pki",
        rogue_pki=work / "rogue-pki",
        # Own namespaces: fixed ports. Loopback: free ports, kept across restarts.
        ports={"demo": PORT, "hr": PORT, "rogue": PORT + 10}
        if net.mode == "netns"
        else {
            "demo": free_port(net.machines["demo"].address),
            "hr": free_port(net.machines["hr"].address),
            "rogue": free_port(net.machines["demo"].address),
        },
    )
    try:
        demo_ip, hr_ip = net.machines["demo"].address, net.machines["hr"].address
        run(
            ECMA2,
            "certs",
            "init",
            "--out",
            lab.pki,
            "--connector",
            "demo",
            "--connector",
            "hr",
            "--san",
            f"demo={demo_ip}",
            "--san",
            f"hr={hr_ip}",
        )
        run(
            ECMA2,
            "certs",
            "init",
            "--out",
            lab.rogue_pki,
            "--connector",
            "demo",
            "--san",
            f"demo={demo_ip}",
        )
        config = write_host_config(lab)
        checked = run(HOST, "--check", "--config", config, check=False)
        assert checked.returncode == 0, checked.stderr
        for name in ("demo", "hr", "rogue"):
            lab.start(name)
        lab.host_log = work / "host.log"
        with lab.host_log.open("wb") as log:
            lab.host = subprocess.Popen(
                [str(HOST), "--config", str(config), "--log-format", "json"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        wait_until(
            lambda: (work / "state/engine.token").exists() and (work / "engine.sock").exists(),
            timeout=DEADLINE,
            what="the host's engine socket",
        )
        lab.wait_states({"demo": "READY", "hr": "READY"})
        yield lab
    finally:
        if lab.host is not None:
            lab.host.send_signal(signal.SIGTERM)
            try:
                lab.host.wait(timeout=30)
            except subprocess.TimeoutExpired:
                lab.host.kill()
        for proc in lab.connectors.values():
            proc.close()
        net.close()
        if os.environ.get("ECMA2_NETNS_KEEP"):
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --- the tests --------------------------------------------------------------------------------


def handshake(target: str, credentials: grpc.ChannelCredentials, server_name: str) -> None:
    options = [("grpc.ssl_target_name_override", server_name)]
    with grpc.secure_channel(target, credentials, options=options) as channel:
        stub = connector_pb2_grpc.ConnectorServiceStub(channel)
        stub.Handshake(handshake_pb2.HandshakeRequest(protocol_versions=[1]), timeout=10)


def import_summary(lab: Lab, connector: str) -> dict[str, object]:
    params = {
        "demo": ["--param", f"database={lab.work / 'demo.db'}", "--param", "seed_users=40"],
        "hr": [
            "--param",
            f"Database path={lab.work / 'hr.db'}",
            "--param",
            "Create if missing=1",
            "--param",
            "Seed employees=30",
        ],
    }[connector]
    out = lab.ecma2("--json", "import", "--connector", connector, *params).stdout
    summary: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return summary


def test_imports_cross_the_hop_over_mutual_tls_by_ip(lab: Lab) -> None:
    states = lab.states()
    assert states["demo"]["connector"] == "demo", states["demo"]
    assert states["hr"]["connector"] == "hr-python", states["hr"]
    for name in ("demo", "hr"):
        summary = import_summary(lab, name)
        say(f"import {name} through the host: {summary['objects']} objects")
        assert int(summary["objects"]) > 0 and int(summary["errors"]) == 0, summary


def test_a_connector_with_a_certificate_from_another_ca_is_refused(lab: Lab) -> None:
    # The rogue itself is up and serves with its own CA's certificate ...
    assert lab.connectors["rogue"].process.poll() is None
    # ... but the host does not accept it.
    rogue = lab.states()["rogue"]
    assert rogue["state"] == "UNAVAILABLE", rogue
    assert "certificate" in str(rogue["last_error"]).lower(), rogue
    failed = lab.ecma2(
        "import", "--connector", "rogue", "--param", "database=/nonexistent", check=False
    )
    assert failed.returncode != 0
    say(f"rogue connector refused: {rogue['last_error']}")


def test_connectors_refuse_clients_without_a_certificate_from_their_ca(lab: Lab) -> None:
    ca = (lab.pki / "ca.pem").read_bytes()
    no_cert = grpc.ssl_channel_credentials(root_certificates=ca)
    stranger = grpc.ssl_channel_credentials(
        root_certificates=ca,
        private_key=(lab.rogue_pki / "host-key.pem").read_bytes(),
        certificate_chain=(lab.rogue_pki / "host.pem").read_bytes(),
    )
    for name in ("demo", "hr"):
        target = f"{lab.net.machines[name].address}:{lab.ports[name]}"
        handshake(target, host_credentials(lab.pki), name)
        for label, credentials in (("no certificate", no_cert), ("another CA", stranger)):
            with pytest.raises(grpc.RpcError) as refused:
                handshake(target, credentials, name)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE, (name, label)
        with grpc.insecure_channel(target) as plain, pytest.raises(grpc.RpcError):
            connector_pb2_grpc.ConnectorServiceStub(plain).Handshake(
                handshake_pb2.HandshakeRequest(protocol_versions=[1]), timeout=10
            )
        # ecma2-probe, as an operator would check the hop: with the host's certificate only.
        endpoint = f"tcp:{target}"
        base = [PROBE, "--ca", lab.pki / "ca.pem", "--server-name", name]
        run(*base, "--cert", lab.pki / "host.pem", "--key", lab.pki / "host-key.pem", endpoint)
        assert run(*base, endpoint, check=False).returncode == 1
    say("connectors refuse clients without a certificate and with one from another CA")


@pytest.mark.parametrize("name", ["hr", "demo"])
def test_the_plain_health_port_serves_probes(lab: Lab, name: str) -> None:
    # What Docker HEALTHCHECK and kubelet `grpc:` probes use (ECMA2_HEALTH_LISTEN): no client
    # certificate, grpc.health.v1 only.
    address = lab.connectors[name].ready["health_address"]
    assert address.startswith(f"tcp:{lab.net.machines[name].address}:"), address
    run(PROBE, address)
    with (
        grpc.insecure_channel(address.removeprefix("tcp:")) as plain,
        pytest.raises(grpc.RpcError) as e,
    ):
        connector_pb2_grpc.ConnectorServiceStub(plain).Handshake(
            handshake_pb2.HandshakeRequest(protocol_versions=[1]), timeout=10
        )
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_the_host_survives_its_connectors_killed_and_started_again(lab: Lab) -> None:
    host_pid = lab.host.pid
    before = lab.states()
    for name in ("demo", "hr"):
        lab.connectors[name].process.send_signal(signal.SIGKILL)
        lab.connectors[name].wait(10)
    states = lab.wait_states({"demo": "UNAVAILABLE", "hr": "UNAVAILABLE"})
    say(f"killed demo and hr: demo {states['demo']['last_error']!r}")
    down = lab.ecma2(
        "import", "--connector", "demo", "--param", "database=/nonexistent", check=False
    )
    assert down.returncode != 0
    assert "ServerDown" in down.stderr or "UNAVAILABLE" in down.stderr.upper(), down.stderr

    for name in ("demo", "hr"):
        lab.connectors[name].close()
        lab.start(name)
    states = lab.wait_states({"demo": "READY", "hr": "READY"})
    for name in ("demo", "hr"):
        assert int(states[name]["restarts"]) > int(before[name]["restarts"]), states[name]
        summary = import_summary(lab, name)
        assert int(summary["objects"]) > 0 and int(summary["errors"]) == 0, summary
    assert lab.host.poll() is None and lab.host.pid == host_pid
    say("host survived: connectors killed, started again, next runs succeeded")
