// Through ecma2-host and the `ecma2` CLI, against the real scim2-server: the conformance kit, a
// full import of 5,000 users and 200 groups with members, an export round trip (create, patch a
// multi-valued attribute, delete) confirmed by imports, a 409 as that entry's ExistingObject, and a
// server that answers 429 twice.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { Host } from "./support/host.js";
import { rateLimitProxy, scim, seed, startScimServer, TOKEN, type ScimServer } from "./support/scim.js";

const main = fileURLToPath(new URL("../src/main.js", import.meta.url));
let server: ScimServer;
let host: Host;
const USERS = 5000;
const GROUPS = 200;
const PER_GROUP = 25;
const p = (url = server.url) => ["--connector", "scim", "--param", `Base URL=${url}`, "--param", `Bearer token=${TOKEN}`];

interface Run {
  adds: number;
  updates: number;
  deletes: number;
  errors: number;
  objects: number;
  objects_per_second: number;
}

before(async () => {
  server = await startScimServer();
  host = new Host("scim", process.execPath, [main]);
});

after(async () => {
  await server?.stop();
  host?.remove();
});

test("ecma2 conformance passes through the host", async () => {
  await seed(server.url, 20, 2, 3);
  // The kit fills every string attribute with plain text; SCIM's URI-typed ones (profileUrl,
  // photos) would rightly refuse it, so this configuration leaves them out.
  const r = await host.run(["conformance", ...p(), "--param", "Excluded attributes=profileUrl,photos*"]);
  assert.equal(r.code, 0, r.stdout + r.stderr.slice(-3000));
  assert.match(r.stdout, /conformance: \d+ passed, 0 failed, \d+ skipped/);
  // Leave the server as the next test expects it: clear what the seed and the kit made.
  for (const type of ["Groups", "Users"]) {
    for (;;) {
      const list = await scim<{ Resources?: { id: string }[] }>(server.url, "GET", `/${type}?count=1000&attributes=id`);
      if (!list.body.Resources?.length) break;
      for (const x of list.body.Resources) await scim(server.url, "DELETE", `/${type}/${x.id}`);
    }
  }
});

test(`full import of ${USERS} users and ${GROUPS} groups with members`, async () => {
  await seed(server.url, USERS, GROUPS, PER_GROUP);
  const run = await host.json<Run>(["import", ...p()]);
  assert.equal(run.adds, USERS + GROUPS);
  assert.equal(run.errors, 0);
  const g = await host.json<{ attributes: { name: string; values: { value: { ref: string } }[] }[] }>(["show", "--connector", "scim", "--dn", "displayName=Group 007,OU=Groups"]);
  const members = g.attributes.find((a) => a.name === "members")!.values.map((v) => v.value.ref);
  assert.equal(members.length, PER_GROUP);
  assert.ok(members.includes("userName=user00049,OU=Users"), members.join(";"));
  process.stderr.write(`# imported ${run.objects} objects at ${Math.round(run.objects_per_second)} objects/s through the host\n`);
});

test("export round trip: create, patch a multi-valued attribute, delete, each confirmed by an import", async () => {
  const stageAndExport = async (changes: unknown[]) => {
    const file = host.file("changes.jsonl", changes.map((c) => JSON.stringify(c)).join("\n") + "\n");
    await host.json(["stage", ...p(), "--changes", file]);
    return host.json<Run & { results?: unknown }>(["export", ...p()]);
  };
  const show = (dn: string) => host.run(["--json", "show", "--connector", "scim", "--dn", dn]);
  const exported = await stageAndExport([
    { op: "add", type: "User", dn: "userName=roundtrip,OU=Users", attrs: { displayName: "Round Trip", 'emails[type eq "work"].value': "rt@example.com" } },
  ]);
  assert.equal(exported.errors, 0, JSON.stringify(exported));
  await host.json(["import", "--delta", ...p()]);
  const created = JSON.parse((await show("userName=roundtrip,OU=Users")).stdout) as { anchors: { value: string }[] };
  const id = created.anchors[0]!.value;
  assert.equal((await scim<{ userName: string }>(server.url, "GET", `/Users/${id}`)).body.userName, "roundtrip");

  const patched = await stageAndExport([
    { op: "update", dn: "displayName=Group 000,OU=Groups", add: { members: ["userName=roundtrip,OU=Users"] }, remove: { members: ["userName=user00000,OU=Users"] } },
  ]);
  assert.equal(patched.errors, 0, JSON.stringify(patched));
  await host.json(["import", "--delta", ...p()]);
  const group = JSON.parse((await show("displayName=Group 000,OU=Groups")).stdout) as { attributes: { name: string; values: { value: { ref: string } }[] }[] };
  const members = group.attributes.find((a) => a.name === "members")!.values.map((v) => v.value.ref);
  assert.ok(members.includes("userName=roundtrip,OU=Users"));
  assert.ok(!members.includes("userName=user00000,OU=Users"));
  assert.equal(members.length, PER_GROUP);

  const deleted = await stageAndExport([{ op: "delete", dn: "userName=roundtrip,OU=Users" }]);
  assert.equal(deleted.errors, 0, JSON.stringify(deleted));
  assert.equal((await scim(server.url, "GET", `/Users/${id}`)).status, 404);
  const full = await host.json<Run>(["import", ...p()]);
  assert.equal(full.errors, 0);
  assert.notEqual((await show("userName=roundtrip,OU=Users")).code, 0, "the deleted user is gone from the connector space after a full import");
});

test("a 409 comes back as that entry's ExistingObject error; the other entry is exported", async () => {
  // Made behind the engine's back, so the connector space does not know it.
  const made = await scim(server.url, "POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "outofband" });
  assert.equal(made.status, 201);
  const file = host.file(
    "conflict.jsonl",
    [
      { op: "add", type: "User", dn: "userName=outofband,OU=Users", attrs: { displayName: "Clash" } },
      { op: "add", type: "User", dn: "userName=innocent,OU=Users", attrs: { displayName: "Fine" } },
    ]
      .map((c) => JSON.stringify(c))
      .join("\n"),
  );
  await host.json(["stage", ...p(), "--changes", file]);
  const r = await host.run(["--json", "export", ...p()]);
  const summary = JSON.parse(r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop()!) as Run;
  assert.equal(summary.errors, 1, r.stdout + r.stderr.slice(-2000));
  // The CLI names each failed object with its result: code, name, detail.
  assert.match(r.stderr, /userName=outofband,OU=Users: ExportErrorConnectedDirectoryExistingObject ExportErrorConnectedDirectoryExistingObject .*409 uniqueness/);
  assert.doesNotMatch(r.stderr, /userName=innocent,OU=Users: /);
  const innocent = await scim<{ totalResults: number }>(server.url, "GET", `/Users?filter=${encodeURIComponent('userName eq "innocent"')}`);
  assert.equal(innocent.body.totalResults, 1);
});

test("a server that answers 429 twice is retried and the run completes", async () => {
  const proxy = await rateLimitProxy(server.url, { reject: 2, retryAfter: "1", when: (req) => (req.url ?? "").startsWith("/v2/Users?") });
  try {
    // A delta import: every page request goes through the proxy, and it is quick.
    const run = await host.json<Run>(["import", "--delta", ...p(proxy.url)]);
    assert.equal(proxy.rejected, 2);
    assert.ok(proxy.forwarded >= 3, "the requests after the 429s reached the real server");
    assert.equal(run.errors, 0);
  } finally {
    await proxy.close();
  }
});
