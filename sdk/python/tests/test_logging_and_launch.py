"""JSON logs as runtime.md specifies them, and the launch environment."""

import io
import json
import logging

import pytest

from ecma2 import Secret
from ecma2._launch import LaunchConfig, LaunchError, ListenAddress
from ecma2._logging import JsonFormatter, SecretFilter, level_name


def make_logger(fmt=JsonFormatter, secrets=()):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(fmt())
    scrubber = SecretFilter()
    for secret in secrets:
        scrubber.add(secret)
    handler.addFilter(scrubber)
    logger = logging.getLogger(f"test.{id(stream)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(1)
    return logger, stream


def lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_have_the_runtime_fields():
    logger, stream = make_logger()
    logger.info("page sent", extra={"session_id": "s-1", "entries": 500})
    logger.warning("slow")
    [first, second] = lines(stream)
    assert first["level"] == "INFO" and first["message"] == "page sent"
    assert first["target"] == logger.name
    assert first["session_id"] == "s-1" and first["entries"] == 500
    assert first["timestamp"].endswith("Z") and len(first["timestamp"]) == 24
    assert second["level"] == "WARN"


def test_level_names():
    assert [level_name(n) for n in (5, 10, 20, 30, 40, 50)] == [
        "TRACE",
        "DEBUG",
        "INFO",
        "WARN",
        "ERROR",
        "ERROR",
    ]


def test_secrets_never_reach_the_log():
    logger, stream = make_logger(secrets=["Pa55w0rd!"])
    logger.info("login %s", "Pa55w0rd!", extra={"password": Secret("x" * 8), "raw": "Pa55w0rd!"})
    try:
        raise RuntimeError("bad password Pa55w0rd!")
    except RuntimeError:
        logger.exception("failed")
    text = stream.getvalue()
    assert "Pa55w0rd!" not in text and "xxxxxxxx" not in text
    assert "<redacted>" in text
    assert lines(stream)[1]["error_type"] == "RuntimeError"


def test_launch_environment():
    config = LaunchConfig.from_env(
        "demo",
        {
            "ECMA2_LISTEN": "unix:/tmp/x/demo.sock",
            "ECMA2_LAUNCH_SECRET": "s3cr3t",
            "ECMA2_HOST_PID": "42",
        },
    )
    assert config.listen.grpc_target == "unix:/tmp/x/demo.sock"
    assert config.log_format == "json" and config.host_pid == 42
    assert config.connector_name == "demo"
    assert "s3cr3t" not in repr(config)
    plain = LaunchConfig.from_env("demo", {})
    assert plain.listen == ListenAddress("tcp", host="127.0.0.1", port=0)
    assert plain.log_format == "text" and plain.launch_secret is None
    assert ListenAddress.parse("tcp:[::1]:0").grpc_target == "[::1]:0"
    assert ListenAddress.parse("tcp:127.0.0.1:0").announced(5555) == "tcp:127.0.0.1:5555"


@pytest.mark.parametrize(
    "env",
    [
        {"ECMA2_LISTEN": "pipe:x"},
        {"ECMA2_LISTEN": "unix:relative.sock"},
        {"ECMA2_LISTEN": "tcp:127.0.0.1"},
        {"ECMA2_HOST_PID": "abc"},
        {"ECMA2_LOG_FORMAT": "xml"},
    ],
)
def test_bad_launch_values_are_refused(env):
    with pytest.raises(LaunchError, match=next(iter(env))):
        LaunchConfig.from_env("demo", env)
