"""The generated stubs are exactly what scripts/gen_protos.py produces from the protos."""

import subprocess
import sys
from pathlib import Path

SDK = Path(__file__).resolve().parent.parent


def test_generated_code_has_not_drifted():
    result = subprocess.run(
        [sys.executable, str(SDK / "scripts" / "gen_protos.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_notices_a_changed_file(tmp_path):
    import shutil

    copy = tmp_path / "_pb"
    shutil.copytree(
        SDK / "src" / "ecma2" / "_pb", copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    (copy / "fault_pb2.py").write_text("# edited by hand\n")
    (copy / "stale_pb2.py").write_text("")
    result = subprocess.run(
        [sys.executable, str(SDK / "scripts" / "gen_protos.py"), "--check", "--out", str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "differs: fault_pb2.py" in result.stderr
    assert "stale_pb2.py" in result.stderr
