// Regenerates src/gen from ../../proto with buf and protoc-gen-es (both pinned in package.json).
//   node scripts/gen.mjs          write src/gen
//   node scripts/gen.mjs --check  generate into a temp dir and fail on any difference (drift)
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const sdk = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
const out = mkdtempSync(join(tmpdir(), "ecma2-ts-gen-"));
const template = readFileSync(join(sdk, "buf.gen.yaml"), "utf8")
  .replace("local: node_modules/.bin/protoc-gen-es", `local: ${join(sdk, "node_modules/.bin/protoc-gen-es")}`)
  .replace("out: src/gen", `out: ${out}`);
const templateFile = join(out, "buf.gen.yaml");
writeFileSync(templateFile, template);
execFileSync(join(sdk, "node_modules/.bin/buf"), ["generate", join(sdk, "../../proto"), "--template", templateFile], {
  stdio: "inherit",
});
rmSync(templateFile);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const target = join(sdk, "src/gen");
try {
  if (check) {
    const fresh = new Map(files(out).map((f) => [relative(out, f), readFileSync(f, "utf8")]));
    let committed = new Map();
    try {
      committed = new Map(files(target).map((f) => [relative(target, f), readFileSync(f, "utf8")]));
    } catch {
      // no src/gen at all: every file is drift
    }
    const drift = [...new Set([...fresh.keys(), ...committed.keys()])]
      .filter((f) => fresh.get(f) !== committed.get(f))
      .sort();
    if (drift.length > 0) {
      console.error(`generated code drift in sdk/typescript/src/gen (run npm run gen): ${drift.join(", ")}`);
      process.exitCode = 1;
    } else {
      console.log(`generated code up to date (${fresh.size} files)`);
    }
  } else {
    rmSync(target, { recursive: true, force: true });
    cpSync(out, target, { recursive: true });
    console.log(`wrote ${files(target).length} files to src/gen`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
