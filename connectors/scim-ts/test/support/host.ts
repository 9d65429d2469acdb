// Runs the `ecma2` engine CLI with a host config that launches a connector, as the conformance
// tests of cli/ do: `ecma2 --config host.toml --state DIR ...`. The binaries come from the Rust
// workspace (target/debug, built by scripts/check.sh) or ECMA2_BIN.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../../../../", import.meta.url));

export function ecma2Bin(): string {
  const bin = process.env.ECMA2_BIN ?? join(repo, "target/debug/ecma2");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it with cargo build -p ecma2-cli (scripts/check.sh does)`);
  return bin;
}

export class Host {
  readonly dir = mkdtempSync(join(tmpdir(), "ecma2-ts-host-"));
  readonly config = join(this.dir, "host.toml");

  constructor(name: string, command: string, args: string[]) {
    writeFileSync(
      this.config,
      `[engine]\nlisten = "unix:${join(this.dir, "engine.sock")}"\n[[connector]]\nname = ${JSON.stringify(name)}\ncommand = ${JSON.stringify(command)}\nargs = ${JSON.stringify(args)}\n[connector.limits]\nclose_grace = "3s"\n`,
    );
  }

  /** Runs `ecma2 --config … --state … <args>`; resolves with the exit status and output. */
  run(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(ecma2Bin(), ["--config", this.config, "--state", join(this.dir, "state"), ...args], { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      // A command that does not read stdin may exit before it is closed: EPIPE is no failure
      // of the run (its exit status and output say how it went).
      child.stdin.on("error", () => {});
      child.stdin.end(input ?? "");
    });
  }

  /** Like run, but fails unless the exit status is 0; parses the last JSON line of stdout. */
  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await this.run(["--json", ...args]);
    if (r.code !== 0) throw new Error(`ecma2 ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr.slice(-4000)}`);
    const text = r.stdout.trim();
    try {
      return JSON.parse(text) as T;
    } catch {
      return JSON.parse(text.split("\n").filter((l) => l.startsWith("{")).pop() ?? "null") as T;
    }
  }

  /** Removes the temp dir (config, state, files); call it when the tests are done. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }
}
