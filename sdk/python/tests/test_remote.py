"""Remote mode (runtime.md "Remote mode"): TCP with mutual TLS, the client certificate as identity.

Every test makes its own CAs: the connector's CA signs its server certificate and the host's
client certificate; another CA signs a client certificate that must be refused.
"""

import os
import signal
import subprocess
import sys
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from support.harness import RECORDER, recorder_process
from support.pki import Ca

from ecma2._launch import LaunchConfig, LaunchError
from ecma2._pb import connector_pb2_grpc, handshake_pb2
from ecma2.runtime import EXIT_CONFIG, HOST_POLL_SECONDS


@pytest.fixture
def pki(tmp_path):
    ca = Ca(tmp_path / "ca", "ecma2 test CA")
    other = Ca(tmp_path / "other", "another CA")
    return {
        "ca": ca,
        "server": ca.issue("connector", server=True, names=("localhost", "127.0.0.1")),
        "client": ca.issue("ecma2-host", server=False),
        "stranger": other.issue("ecma2-host", server=False),
    }


def tls_env(pki):
    return {
        "ECMA2_TLS_CERT": str(pki["server"].cert_path),
        "ECMA2_TLS_KEY": str(pki["server"].key_path),
        "ECMA2_TLS_CLIENT_CA": str(pki["ca"].path),
    }


def client_credentials(pki, who="client"):
    issued = pki[who]
    return grpc.ssl_channel_credentials(
        root_certificates=pki["ca"].pem, private_key=issued.key, certificate_chain=issued.cert
    )


def remote(pki, **kwargs):
    """The recorder in remote mode; the harness connects with the host's client certificate."""
    kwargs.setdefault("env", tls_env(pki))
    return recorder_process(
        listen="tcp:127.0.0.1:0",
        launch_secret=None,
        credentials=client_credentials(pki),
        **kwargs,
    )


def handshake(channel, timeout=10):
    stub = connector_pb2_grpc.ConnectorServiceStub(channel)
    return stub.Handshake(handshake_pb2.HandshakeRequest(protocol_versions=[1]), timeout=timeout)


def target(proc):
    return str(proc.ready["address"]).removeprefix("tcp:")


def test_a_client_with_a_certificate_from_the_ca_is_served_without_a_launch_secret(pki):
    with remote(pki) as proc:
        assert proc.ready["address"].startswith("tcp:127.0.0.1:")
        response = proc.call("Handshake", handshake_pb2.HandshakeRequest(protocol_versions=[1]))
        assert response.protocol_version == 1
        assert proc.health() == health_pb2.HealthCheckResponse.SERVING
        ready = [r for r in proc.log_records() if r.get("message") == "connector ready"]
        assert ready and ready[0]["mutual_tls"] is True


def test_the_server_name_is_checked_by_the_client(pki):
    with remote(pki, server_name="localhost") as proc:
        assert proc.health() == health_pb2.HealthCheckResponse.SERVING
        options = [("grpc.ssl_target_name_override", "somewhere-else")]
        with grpc.secure_channel(target(proc), client_credentials(pki), options=options) as ch:
            with pytest.raises(grpc.RpcError) as refused:
                handshake(ch, timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_a_client_certificate_from_another_ca_is_refused(pki):
    with remote(pki) as proc:
        stranger = client_credentials(pki, "stranger")
        with grpc.secure_channel(target(proc), stranger) as channel:
            with pytest.raises(grpc.RpcError) as refused:
                handshake(channel, timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        # Refused at the handshake: health is not served to it either.
        with (
            grpc.secure_channel(target(proc), stranger) as channel,
            pytest.raises(grpc.RpcError),
        ):
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        # The connector is unharmed and still serves the host.
        assert proc.health() == health_pb2.HealthCheckResponse.SERVING


def test_a_client_without_a_certificate_is_refused(pki):
    with remote(pki) as proc:
        anonymous = grpc.ssl_channel_credentials(root_certificates=pki["ca"].pem)
        with grpc.secure_channel(target(proc), anonymous) as channel:
            with pytest.raises(grpc.RpcError) as refused:
                handshake(channel, timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        with grpc.insecure_channel(target(proc)) as plaintext:
            with pytest.raises(grpc.RpcError) as refused:
                handshake(plaintext, timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert proc.health() == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize("scheme", ["tcp", "unix"])
def test_the_health_listener_serves_health_alone_without_tls(pki, tmp_path, scheme):
    asked = "tcp:127.0.0.1:0" if scheme == "tcp" else f"unix:{tmp_path}/h.sock"
    env = {**tls_env(pki), "ECMA2_HEALTH_LISTEN": asked}
    with remote(pki, env=env) as proc:
        # The ready line says where, with the real port when 0 was asked for.
        health = proc.ready["health_address"]
        if scheme == "tcp":
            assert health.startswith("tcp:127.0.0.1:") and not health.endswith(":0")
        else:
            assert health == asked
        with grpc.insecure_channel(health.removeprefix("tcp:")) as plain:
            check = health_pb2_grpc.HealthStub(plain).Check
            assert check(health_pb2.HealthCheckRequest(), timeout=5).status == (
                health_pb2.HealthCheckResponse.SERVING
            )
            with pytest.raises(grpc.RpcError) as refused:
                handshake(plain, timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
            # After shutdown the probe port is gone too, so a liveness probe sees the stop.
            proc.process.send_signal(signal.SIGTERM)
            assert proc.wait() == 0
            with pytest.raises(grpc.RpcError):
                check(health_pb2.HealthCheckRequest(), timeout=2)


def test_remote_mode_does_not_watch_a_host(pki):
    # A pid that no longer exists: a launched connector would stop within a poll interval.
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with remote(pki, host_pid=gone.pid) as proc:
        # Nothing to poll for: the check is that nothing happens within a few watch intervals.
        time.sleep(HOST_POLL_SECONDS * 4)
        assert proc.process.poll() is None
        assert proc.health() == health_pb2.HealthCheckResponse.SERVING


def run_to_exit(env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("ECMA2_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, str(RECORDER)],
        env=full,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_tls_without_a_client_ca_is_refused_at_start(pki):
    env = tls_env(pki)
    del env["ECMA2_TLS_CLIENT_CA"]
    result = run_to_exit({"ECMA2_LISTEN": "tcp:127.0.0.1:0", **env})
    assert result.returncode == EXIT_CONFIG
    assert "ECMA2_TLS_CLIENT_CA" in result.stderr
    assert result.stdout == ""


def test_remote_launch_values(pki, tmp_path):
    env = {"ECMA2_LISTEN": "tcp:0.0.0.0:7000", **tls_env(pki)}
    config = LaunchConfig.from_env(
        "demo", {**env, "ECMA2_LAUNCH_SECRET": "s3cr3t", "ECMA2_HOST_PID": "1"}
    )
    assert config.tls is not None and config.tls.cert == pki["server"].cert
    assert config.launch_secret is None and config.host_pid is None
    assert pki["server"].key.decode() not in repr(config)

    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    for changes, variable in [
        ({"ECMA2_TLS_KEY": ""}, "ECMA2_TLS_KEY"),
        ({"ECMA2_TLS_CERT": ""}, "ECMA2_TLS_CERT"),
        ({"ECMA2_TLS_CLIENT_CA": ""}, "ECMA2_TLS_CLIENT_CA"),
        ({"ECMA2_TLS_CERT": str(tmp_path / "missing.pem")}, "ECMA2_TLS_CERT"),
        ({"ECMA2_TLS_CLIENT_CA": str(not_pem)}, "ECMA2_TLS_CLIENT_CA"),
        ({"ECMA2_TLS_KEY": str(pki["server"].cert_path)}, "ECMA2_TLS_KEY"),
        ({"ECMA2_LISTEN": "unix:/tmp/x.sock"}, "ECMA2_LISTEN"),
        ({"ECMA2_HEALTH_LISTEN": "0.0.0.0:7001"}, "ECMA2_HEALTH_LISTEN"),
    ]:
        with pytest.raises(LaunchError, match=variable):
            LaunchConfig.from_env("demo", {**env, **changes})
    only_ca = {"ECMA2_TLS_CLIENT_CA": str(pki["ca"].path)}
    with pytest.raises(LaunchError, match="ECMA2_TLS_CERT"):
        LaunchConfig.from_env("demo", only_ca)
