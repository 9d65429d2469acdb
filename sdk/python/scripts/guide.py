"""Runs the Python guide (sdk/python/README.md) as a newcomer would, so that it cannot rot.

In a fresh empty directory it writes every file the guide shows (a fenced block after
``<!-- guide:file NAME -->``), runs every command block marked ``<!-- guide:run -->`` with bash
(``ECMA2`` set to this checkout and its built binaries first on ``PATH``, as section 1 says),
and starts the one marked ``<!-- guide:background -->`` (the host) in the background until it
logs ``connector ready``. The conformance run must pass with export and delta checks passing. Prints
``python guide: N passed, N failed``; the exit status is non-zero on any failure.

    sdk/python/scripts/guide.py [--bin target/debug]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BLOCK = re.compile(r"<!-- guide:(file|run|background) ?([^ ]*) -->\n```[a-z]*\n(.*?)```", re.S)
READY = "connector ready"
# What the kit must report as passed for the guide to count as reaching a passing kit.
MUST_PASS = (
    "config-validation",
    "full-import-page-size-1",
    "delta-after-no-change",
    "export-add-confirmed",
    "export-update-confirmed",
    "export-delete-confirmed",
    "object-level-errors",
)


def conformance_problems(stdout: str) -> list[str]:
    """What is wrong with a conformance report (nothing when every required check passed)."""
    problems = []
    if not re.search(r"conformance: \d+ passed, 0 failed", stdout):
        problems.append("the kit reports failures")
    for check in MUST_PASS:
        line = next((x for x in stdout.splitlines() if x.split()[:1] == [check]), "")
        if " PASS " not in f"{line} ":
            problems.append(f"{check} did not pass: {line!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=str(REPO / "target/debug"), help="ecma2-host and ecma2")
    args = parser.parse_args()
    bin_dir = Path(args.bin).resolve()
    for program in ("ecma2-host", "ecma2"):
        if not (bin_dir / program).exists():
            print(f"guide.py: {bin_dir / program} is missing: cargo build first", file=sys.stderr)
            return 2
    readme = (REPO / "sdk/python/README.md").read_text()
    blocks = BLOCK.findall(readme)
    if not blocks:
        print("guide.py: no guide blocks in sdk/python/README.md", file=sys.stderr)
        return 2
    top = Path(tempfile.mkdtemp(prefix="ecma2-python-guide-"))
    work = top / "people"
    work.mkdir()
    env = {
        **os.environ,
        "ECMA2": str(REPO),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    passed = failed = 0
    host: subprocess.Popen[bytes] | None = None
    try:
        for kind, arg, body in blocks:
            if kind == "file":
                (work / arg).write_text(body)
                continue
            title = body.strip().splitlines()[0]
            if kind == "background":
                with (work / "host.log").open("wb") as log:
                    host = subprocess.Popen(
                        ["bash", "-c", f"exec {body.strip()}"],
                        cwd=work,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                deadline = time.monotonic() + 60
                log_file = work / "host.log"
                while READY not in log_file.read_text(errors="replace") and host.poll() is None:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                ok = READY in log_file.read_text(errors="replace")
                print(f"{'PASS' if ok else 'FAIL'}  {title}")
                if not ok:
                    print((work / "host.log").read_text(errors="replace"))
                    failed += 1
                    break
                passed += 1
                continue
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", body],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            problems = [] if result.returncode == 0 else [f"exit status {result.returncode}"]
            if " conformance" in body:
                problems += conformance_problems(result.stdout)
            print(f"{'FAIL' if problems else 'PASS'}  {title}")
            if problems:
                print("\n".join(problems))
                print(result.stdout[-6000:], result.stderr[-6000:], sep="\n")
                failed += 1
            else:
                passed += 1
    finally:
        if host is not None:
            host.terminate()
            try:
                host.wait(30)
            except subprocess.TimeoutExpired:
                host.kill()
    if failed == 0:
        shutil.rmtree(top, ignore_errors=True)
    else:
        print(f"left {work} for a look")
    print(f"python guide: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
