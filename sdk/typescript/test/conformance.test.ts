// The People example passes `ecma2 conformance` through the host: the CLI starts ecma2-host from a
// config file, the host launches the example as a child process (node), the kit runs its checks.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const people = fileURLToPath(new URL("../examples/people/main.js", import.meta.url));

test("the People example passes ecma2 conformance through the host", (t) => {
  const bin = process.env.ECMA2_BIN ?? join(repo, "target/debug/ecma2");
  assert.ok(existsSync(bin), `${bin} is missing: cargo build -p ecma2-cli (sdk/typescript/scripts/check.sh does)`);
  const dir = mkdtempSync(join(tmpdir(), "ecma2-ts-conformance-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "host.toml");
  writeFileSync(
    config,
    `[engine]\nlisten = "unix:${join(dir, "engine.sock")}"\n[[connector]]\nname = "people"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(people)}]\n[connector.limits]\nclose_grace = "3s"\n`,
  );
  const r = spawnSync(bin, ["--config", config, "--state", join(dir, "state"), "conformance", "--connector", "people", "--param", `Data file=${join(dir, "people.json")}`, "--param", "Seed people=30"], {
    encoding: "utf8",
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /conformance: \d+ passed, 0 failed, \d+ skipped/);
  for (const check of ["export-add-confirmed", "export-update-confirmed", "export-delete-confirmed", "cancel-closes-session", "failed-open-is-closed"]) {
    assert.match(r.stdout, new RegExp(`^${check}\\s+PASS`, "m"), check);
  }
});
