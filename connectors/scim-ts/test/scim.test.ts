// The SCIM connector against the real scim2-server, driven over the ECMA2 protocol as the host
// drives it: schema discovery and flattening, paged full import with members as references,
// export (POST, PATCH per changed value, DELETE) checked on the server, per-entry errors, delta by
// meta.lastModified, retries on 429/503 honouring Retry-After, the request timeout, basic auth.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { type CSEntryChange, Entry, FaultKind, faultFromError, MAExportError, ObjectModificationType, ref, type Schema, attrValue, AttributeType } from "ecma2-sdk";
import { ConnectorProcess, params } from "ecma2-sdk/testing";

import { rateLimitProxy, scim, seed, startScimServer, TOKEN, type ScimServer } from "./support/scim.js";

const main = fileURLToPath(new URL("../src/main.js", import.meta.url));
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
let server: ScimServer;
let c: ConnectorProcess;
let ids: { userIds: string[]; groupIds: string[] };

const config = (url = server.url, extra: Record<string, string> = {}) => params({ "Base URL": url, "Bearer token": TOKEN, ...extra }, ["Bearer token", "Password"]);

before(async () => {
  server = await startScimServer();
  ids = await seed(server.url, 25, 3, 4);
  c = await ConnectorProcess.start({ command: process.execPath, args: [main], name: "scim" });
});

after(async () => {
  await c?.stop();
  await server?.stop();
});

async function schema(): Promise<Schema> {
  const r = await c.call<{ schema: Schema }>("getSchema", { $typeName: "ecma2.v1.GetSchemaRequest", configParameters: config() });
  return r.schema;
}

function byDn(entries: CSEntryChange[], dn: string): CSEntryChange {
  const e = entries.find((x) => x.dn.toLowerCase() === dn.toLowerCase());
  assert.ok(e, `${dn} was imported`);
  return e;
}

function values(e: CSEntryChange, name: string): unknown[] {
  return (e.attributeChanges.find((a) => a.name === name)?.valueChanges ?? []).map((v) => v.value?.kind.value);
}

test("the schema comes from /Schemas and /ResourceTypes, flattened", async () => {
  const s = await schema();
  const user = s.types.find((t) => t.name === "User")!;
  const group = s.types.find((t) => t.name === "Group")!;
  const attr = (t: typeof user, n: string) => t.attributes.find((a) => a.name === n);
  assert.equal(attr(user, "id")?.isAnchor, true);
  assert.equal(attr(user, 'emails[type eq "work"].value')?.dataType, AttributeType.STRING);
  assert.equal(attr(user, 'addresses[type eq "home"].locality')?.isMultiValued, false);
  assert.equal(attr(user, "name.givenName")?.dataType, AttributeType.STRING);
  assert.equal(attr(user, "active")?.dataType, AttributeType.BOOLEAN);
  assert.equal(attr(user, `${ENT}:employeeNumber`)?.dataType, AttributeType.STRING);
  assert.equal(attr(user, `${ENT}:manager`)?.dataType, AttributeType.REFERENCE);
  assert.equal(attr(user, "x509Certificates")?.dataType, AttributeType.BINARY);
  assert.equal(attr(user, "password"), undefined, "writeOnly attributes are left out");
  assert.equal(attr(user, "groups"), undefined, "readOnly User.groups is left out");
  assert.equal(user.attributes.at(-1)?.name, "userName", "the naming attribute comes last");
  const members = attr(group, "members")!;
  assert.equal(members.dataType, AttributeType.REFERENCE);
  assert.equal(members.isMultiValued, true);
});

test("full import pages by startIndex/count; members come back as user DNs", async () => {
  const run = await c.importRun({ config: config(), pageSize: 7 });
  assert.ok(run.pages.every((n) => n <= 7), `pages ${run.pages}`);
  const users = run.entries.filter((e) => e.objectType === "User");
  const groups = run.entries.filter((e) => e.objectType === "Group");
  assert.equal(users.length, 25);
  assert.equal(groups.length, 3);
  assert.ok(run.entries.every((e) => e.objectModificationType === ObjectModificationType.ADD));
  const u3 = byDn(run.entries, "userName=user00003,OU=Users");
  assert.equal(attrValue(u3, 'emails[type eq "work"].value'), "user3@example.com");
  assert.equal(attrValue(u3, "name.familyName"), "Family3");
  assert.equal(attrValue(u3, `${ENT}:department`), "Sales");
  assert.equal(attrValue(u3, "id"), undefined);
  assert.equal(u3.anchorAttributes[0]!.value?.kind.value, ids.userIds[3]);
  const g1 = byDn(run.entries, "displayName=Group 001,OU=Groups");
  assert.deepEqual(values(g1, "members").sort(), ["userName=user00007,OU=Users", "userName=user00008,OU=Users", "userName=user00009,OU=Users", "userName=user00010,OU=Users"]);
  assert.match(run.watermark, /^\d{4}-\d{2}-\d{2}T/);
});

test("export: POST, PATCH per changed value, DELETE, confirmed on the server", async () => {
  const add = Entry.add("User", "userName=newbie,OU=Users", {
    attrs: { 'emails[type eq "work"].value': "newbie@example.com", "name.givenName": "New", [`${ENT}:department`]: "Ops", active: true, [`${ENT}:manager`]: ref("userName=user00001,OU=Users") },
  });
  const group = Entry.add("Group", "displayName=Newbies,OU=Groups", { attrs: { members: [ref("userName=user00002,OU=Users"), ref("userName=user00003,OU=Users")] } });
  const [r1, r2] = await c.exportRun({ config: config(), entries: [add, group] });
  assert.equal(r1!.errorCode, MAExportError.MA_EXPORT_ERROR_SUCCESS, r1!.errorDetail);
  assert.equal(r2!.errorCode, MAExportError.MA_EXPORT_ERROR_SUCCESS, r2!.errorDetail);
  const userId = String(r1!.anchorAttributes[0]!.valueChanges[0]!.value!.kind.value);
  const groupId = String(r2!.anchorAttributes[0]!.valueChanges[0]!.value!.kind.value);
  const onServer = (await scim<Record<string, unknown>>(server.url, "GET", `/Users/${userId}`)).body;
  assert.equal(onServer.userName, "newbie");
  assert.deepEqual(onServer.emails, [{ type: "work", value: "newbie@example.com" }]);
  assert.equal((onServer[ENT] as { department: string; manager: { value: string } }).department, "Ops");
  assert.equal((onServer[ENT] as { manager: { value: string } }).manager.value, ids.userIds[1]);

  // Update: one member added, one removed; a typed email added, the work one replaced; a name part removed.
  const update = Entry.update("Group", "displayName=Newbies,OU=Groups", { anchors: { id: groupId }, add: { members: ref("userName=newbie,OU=Users") }, remove: { members: ref("userName=user00002,OU=Users") } });
  const userUpdate = Entry.update("User", "userName=newbie,OU=Users", {
    anchors: { id: userId },
    attrs: { 'emails[type eq "work"].value': "newbie@work.example.com", 'emails[type eq "home"].value': "newbie@home.example.com", "name.givenName": null },
  });
  const results = await c.exportRun({ config: config(), entries: [update, userUpdate] });
  assert.deepEqual(results.map((r) => [r.errorCode, r.errorDetail]), [[MAExportError.MA_EXPORT_ERROR_SUCCESS, ""], [MAExportError.MA_EXPORT_ERROR_SUCCESS, ""]]);
  const g = (await scim<{ members: { value: string }[] }>(server.url, "GET", `/Groups/${groupId}`)).body;
  assert.deepEqual(g.members.map((m) => m.value).sort(), [ids.userIds[3], userId].sort());
  const u = (await scim<{ emails: { type: string; value: string }[]; name?: { givenName?: string } }>(server.url, "GET", `/Users/${userId}`)).body;
  assert.deepEqual(u.emails.map((e) => `${e.type}:${e.value}`).sort(), ["home:newbie@home.example.com", "work:newbie@work.example.com"]);
  assert.equal(u.name?.givenName, undefined);

  // An import sees the same.
  const run = await c.importRun({ config: config() });
  assert.deepEqual(values(byDn(run.entries, "displayName=Newbies,OU=Groups"), "members").sort(), ["userName=newbie,OU=Users", "userName=user00003,OU=Users"]);

  const [del] = await c.exportRun({ config: config(), entries: [Entry.delete("Group", "displayName=Newbies,OU=Groups", { id: groupId })] });
  assert.equal(del!.errorCode, MAExportError.MA_EXPORT_ERROR_SUCCESS);
  assert.equal((await scim(server.url, "GET", `/Groups/${groupId}`)).status, 404);
});

test("per-entry errors: 409 ExistingObject, 404 MissingObject, 400 invalidValue InvalidAttributeValue, unknown reference", async () => {
  const entries = [
    Entry.add("User", "userName=user00004,OU=Users", { attrs: { displayName: "again" } }),
    Entry.update("User", "userName=ghost,OU=Users", { anchors: { id: "no-such-id" }, attrs: { title: "x" } }),
    Entry.add("User", "userName=badurl,OU=Users", { attrs: { profileUrl: "not a uri" } }),
    Entry.add("Group", "displayName=Dangling,OU=Groups", { attrs: { members: [ref("userName=nobody,OU=Users")] } }),
    Entry.add("User", "userName=fine,OU=Users", { attrs: { displayName: "Fine" } }),
  ];
  const r = await c.exportRun({ config: config(), entries });
  assert.deepEqual(
    r.map((x) => [x.errorCode, x.errorName]),
    [
      [MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT, "ExportErrorConnectedDirectoryExistingObject"],
      [MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT, "ExportErrorConnectedDirectoryMissingObject"],
      [MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE, "ExportErrorInvalidAttributeValue"],
      [MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE, "ExportErrorReferenceAttributeFailure"],
      [MAExportError.MA_EXPORT_ERROR_SUCCESS, ""],
    ],
  );
  assert.match(r[0]!.errorDetail, /409 uniqueness/);
});

test("delta import returns what changed since the watermark (meta.lastModified), as Replace", async () => {
  const full = await c.importRun({ config: config() });
  const none = await c.importRun({ config: config(), delta: true, watermark: full.watermark });
  assert.equal(none.entries.length, 0);
  const patched = await scim(server.url, "PATCH", `/Users/${ids.userIds[5]}`, {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [{ op: "replace", path: "title", value: "Chief" }],
  });
  assert.equal(patched.status < 300, true);
  const delta = await c.importRun({ config: config(), delta: true, watermark: full.watermark });
  assert.deepEqual(delta.entries.map((e) => [e.dn, e.objectModificationType]), [["userName=user00005,OU=Users", ObjectModificationType.REPLACE]]);
  assert.equal(attrValue(delta.entries[0]!, "title"), "Chief");
  assert.ok(delta.watermark > full.watermark);
});

test("a server answering 429 twice (Retry-After: 1) is retried and the import completes", async () => {
  const proxy = await rateLimitProxy(server.url, { reject: 2, retryAfter: "1", when: (req) => (req.url ?? "").startsWith("/v2/Users?") });
  try {
    const started = Date.now();
    const run = await c.importRun({ config: config(proxy.url) });
    assert.equal(proxy.rejected, 2);
    assert.ok(run.entries.length >= 25);
    assert.ok(Date.now() - started >= 2000, "Retry-After was honoured");
    const warnings = c.logRecords().filter((r) => r.message === "scim server asked to retry" && r.status === 429);
    assert.ok(warnings.length >= 2);
    assert.ok(warnings.every((w) => w.retry_in_ms === 1000));
  } finally {
    await proxy.close();
  }
});

test("503 without Retry-After backs off; when retries run out the call fails with ServerDownException", async () => {
  const proxy = await rateLimitProxy(server.url, { reject: 100, status: 503, when: (req) => (req.url ?? "").startsWith("/v2/Users?") });
  try {
    const e = await c.importRun({ config: config(proxy.url, { "Max retries": "2" }) }).then(
      () => assert.fail("the import succeeded"),
      (err: unknown) => err as Parameters<typeof faultFromError>[0],
    );
    assert.equal(proxy.rejected, 3, "the first attempt and two retries");
    assert.equal(faultFromError(e)?.kind, FaultKind.SERVER_DOWN_EXCEPTION);
  } finally {
    await proxy.close();
  }
});

test("a request that gets no answer fails after the request timeout", async () => {
  const proxy = await rateLimitProxy(server.url, { reject: 0, hang: true });
  try {
    const started = Date.now();
    const e = await c.importRun({ config: config(proxy.url, { "Request timeout (s)": "1" }) }).then(
      () => assert.fail("the import succeeded"),
      (err: unknown) => err as Parameters<typeof faultFromError>[0],
    );
    assert.equal(faultFromError(e)?.kind, FaultKind.FAILED_CONNECTION_EXCEPTION);
    assert.match(faultFromError(e)!.message, /no answer within 1000 ms/);
    assert.ok(Date.now() - started < 10_000);
  } finally {
    await proxy.close();
  }
});

test("basic authentication sends user:password; a refused credential is BadServerCredentialsException and never logged", async () => {
  const proxy = await rateLimitProxy(server.url, { reject: 0 });
  try {
    const cfg = params({ "Base URL": proxy.url, Authentication: "basic", "User name": "admin", Password: "pw-Very-Secret-9" }, ["Password"]);
    const e = await c.importRun({ config: cfg }).then(
      () => assert.fail("the import succeeded"),
      (err: unknown) => err as Parameters<typeof faultFromError>[0],
    );
    assert.equal(proxy.authorizations[0], `Basic ${Buffer.from("admin:pw-Very-Secret-9").toString("base64")}`);
    assert.equal(faultFromError(e)?.kind, FaultKind.BAD_SERVER_CREDENTIALS_EXCEPTION);
    assert.ok(!c.stderr.join("\n").includes("pw-Very-Secret-9"));
    assert.ok(!c.stderr.join("\n").includes(TOKEN));
  } finally {
    await proxy.close();
  }
});

test("configuration validation names the parameter", async () => {
  const v = await c.call<{ result: { code: number; errorParameter: string } }>("validateConfigParameters", {
    $typeName: "ecma2.v1.ValidateConfigParametersRequest",
    configParameters: params({ "Base URL": "ftp://x", "Bearer token": "t" }, ["Bearer token"]),
    page: 1,
  });
  assert.equal(v.result.code, 2);
  assert.equal(v.result.errorParameter, "Base URL");
  const v2 = await c.call<{ result: { code: number; errorParameter: string } }>("validateConfigParameters", {
    $typeName: "ecma2.v1.ValidateConfigParametersRequest",
    configParameters: params({ "Base URL": server.url }),
    page: 1,
  });
  assert.equal(v2.result.errorParameter, "Bearer token");
});
