// The runtime protocol (docs/runtime.md) against real connector processes started as the host
// starts them: ready line, launch secret, health, handshake, sessions, page sizes, fragments,
// cancellation, faults, logs, shutdown, host death, remote mode with mutual TLS.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

import { credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";

import { CloseReason, Ecma2Interface, Entry, FaultKind, faultFromError, OperationType } from "../src/index.js";
import { ConnectorProcess, params, waitUntil } from "../src/testing.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const lab = join(here, "fixtures/lab.js");
const people = join(here, "../examples/people/main.js");
const started: ConnectorProcess[] = [];
const dirs: string[] = [];
// stop() also removes the process's temp dir, so it runs for processes that exited on their own.
after(async () => {
  for (const p of started) await p.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(script: string, env: Record<string, string> = {}, extra: Partial<Parameters<typeof ConnectorProcess.start>[0]> = {}) {
  const p = await ConnectorProcess.start({ command: process.execPath, args: [script], env, ...extra });
  started.push(p);
  return p;
}

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), "ecma2-ts-"));
  dirs.push(dir);
  return dir;
}

function records(file: string): Record<string, unknown>[] {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}

async function rejects(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as ServiceError;
  }
  assert.fail("the call succeeded");
}

test("ready line, health without the secret, UNAUTHENTICATED without it, handshake", async () => {
  const c = await start(lab);
  assert.equal(c.ready.ecma2, "ready");
  assert.equal(c.ready.protocol, 1);
  assert.equal(c.ready.pid, c.child.pid);
  assert.match(String(c.ready.address), /^unix:\//);
  assert.equal(c.stdoutLines.length, 1, "nothing but the ready line on stdout");
  const health = await new Promise<{ status: number }>((res, rej) =>
    c.health.check!.call(c.health, { service: "ecma2.v1.ConnectorService" }, new Metadata(), (e, r) => (e ? rej(e) : res(r as { status: number }))),
  );
  assert.equal(health.status, 1);
  const hello = { $typeName: "ecma2.v1.HandshakeRequest", protocolVersions: [1], callerName: "t", callerVersion: "", features: [] };
  const denied = await rejects(c.call("handshake", hello, new Metadata()));
  assert.equal(denied.code, status.UNAUTHENTICATED);
  const wrong = await rejects(c.call("handshake", hello, c.metadata("not-the-secret")));
  assert.equal(wrong.code, status.UNAUTHENTICATED);
  const h = await c.call<{ protocolVersion: number; interfaces: number[]; importPageSizes: { defaultPageSize: number; maxPageSize: number }; connector: { name: string; sdkName: string } }>(
    "handshake",
    { $typeName: "ecma2.v1.HandshakeRequest", protocolVersions: [1, 7], callerName: "t", callerVersion: "", features: [] },
  );
  assert.equal(h.protocolVersion, 1);
  assert.deepEqual(h.interfaces.sort(), [Ecma2Interface.CALL_IMPORT, Ecma2Interface.CALL_EXPORT].sort());
  assert.deepEqual([h.importPageSizes.defaultPageSize, h.importPageSizes.maxPageSize], [2, 10]);
  assert.equal(h.connector.name, "subject");
  const none = await rejects(c.call("handshake", { $typeName: "ecma2.v1.HandshakeRequest", protocolVersions: [2, 3], callerName: "", callerVersion: "", features: [] }));
  assert.equal(none.code, status.FAILED_PRECONDITION);
  assert.match(none.details, /\[2, 3\].*\[1\]/);
  const unimplemented = await rejects(c.call("getSchema", { $typeName: "ecma2.v1.GetSchemaRequest", configParameters: [] }));
  assert.equal(unimplemented.code, status.UNIMPLEMENTED);
  assert.equal(faultFromError(unimplemented)?.kind, FaultKind.ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION);
  assert.match(unimplemented.details, /IMAExtensible2GetSchema/);
  assert.equal(await c.stop(), 0);
});

test("page sizes: 0 is the default, above the max is refused naming both, a page never exceeds the size", async () => {
  const c = await start(lab);
  const run = await c.importRun({ config: params({}), pageSize: 0 });
  assert.equal(run.pageSize, 2);
  assert.deepEqual(run.pages, [2, 2, 1]);
  assert.equal(run.watermark, "w5");
  const one = await c.importRun({ config: params({}), pageSize: 1 });
  assert.deepEqual(one.pages, [1, 1, 1, 1, 1]);
  const big = await rejects(c.importRun({ config: params({}), pageSize: 11 }));
  assert.equal(big.code, status.INVALID_ARGUMENT);
  assert.match(big.details, /11.*ImportMaxPageSize 10/);
  const overflow = await rejects(c.importRun({ config: params({ mode: "overflow" }), pageSize: 3 }));
  assert.equal(faultFromError(overflow)?.kind, FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION);
  assert.match(overflow.details, /4 entries, more than the page size 3/);
  const batch = await rejects(c.exportRun({ config: params({}), entries: Array.from({ length: 4 }, (_, i) => Entry.add("x", `CN=${i}`)), batchSize: 3 }));
  assert.equal(batch.code, status.INVALID_ARGUMENT);
  const tooBig = await rejects(c.exportRun({ config: params({}), entries: [], batchSize: 6 }));
  assert.match(tooBig.details, /6.*ExportMaxPageSize 5/);
});

test("entries over 1 MiB cross as fragments in both directions", async () => {
  const c = await start(lab);
  const open = await c.call<{ sessionId: string }>("openImportConnection", {
    $typeName: "ecma2.v1.OpenImportConnectionRequest",
    configParameters: params({ mode: "big" }),
    importRunStep: { $typeName: "ecma2.v1.OpenImportConnectionRunStep", customData: "", pageSize: 0, importType: OperationType.FULL, inclusionHierarchyNodes: [], exclusionHierarchyNodes: [] },
  });
  const page = await c.page(open.sessionId);
  assert.equal(page.entries.length, 1);
  assert.ok(page.frames >= 5, `4 fragments and the results, got ${page.frames} frames`);
  const data = page.entries[0]!.attributeChanges[0]!.valueChanges[0]!.value!.kind;
  assert.equal(data.case, "binaryValue");
  assert.equal((data.value as Uint8Array).length, 3 * 1024 * 1024 + 17);
  const results = await c.exportRun({ config: params({}), entries: [Entry.add("blob", "CN=up", { attrs: { data: new Uint8Array(2 * 1024 * 1024 + 3) } }), Entry.add("x", "CN=small")] });
  assert.match(results[0]!.errorDetail, /CN=up 1 values \[\[2097155\]\]/);
  assert.match(results[1]!.errorDetail, /CN=small 0 values/);
});

test("sessions: a fresh object each, NOT_FOUND after close, Close idempotent, failed open keeps the session", async () => {
  const c = await start(lab);
  const dir = tmp();
  const record = join(dir, "r.jsonl");
  const openReq = (mode: string) => ({
    $typeName: "ecma2.v1.OpenImportConnectionRequest",
    configParameters: params({ mode, record }),
    importRunStep: { $typeName: "ecma2.v1.OpenImportConnectionRunStep", customData: "", pageSize: 0, importType: OperationType.FULL, inclusionHierarchyNodes: [], exclusionHierarchyNodes: [] },
  });
  const close = (sessionId: string, reason: CloseReason) =>
    c.call("closeImportConnection", { $typeName: "ecma2.v1.CloseImportConnectionRequest", sessionId, importRunStep: { $typeName: "ecma2.v1.CloseImportConnectionRunStep", customData: "", reason } });
  const a = await c.call<{ sessionId: string }>("openImportConnection", openReq(""));
  const b = await c.call<{ sessionId: string }>("openImportConnection", openReq(""));
  assert.notEqual(a.sessionId, b.sessionId);
  assert.match(a.sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // Each session has its own object: both see the first page.
  assert.equal((await c.page(a.sessionId)).entries[0]!.dn, "CN=item0");
  assert.equal((await c.page(b.sessionId)).entries[0]!.dn, "CN=item0");
  await close(a.sessionId, CloseReason.NORMAL);
  await close(a.sessionId, CloseReason.NORMAL); // idempotent
  const gone = await rejects(c.page(a.sessionId));
  assert.equal(gone.code, status.NOT_FOUND);
  assert.equal(gone.details, `session ${a.sessionId} not found`);
  const failed = await rejects(c.call("openImportConnection", openReq("fail-open")));
  const fault = faultFromError(failed)!;
  assert.equal(failed.code, status.PERMISSION_DENIED);
  assert.equal(fault.kind, FaultKind.ACCESS_DENIED_EXCEPTION);
  assert.equal(fault.dn, "CN=x");
  assert.equal(fault.call, "OpenImportConnection");
  assert.match(fault.sessionId, /^[0-9a-f-]{36}$/);
  await close(fault.sessionId, CloseReason.OPEN_CONNECTION_FAILURE);
  const closes = records(record).filter((r) => r.close);
  assert.deepEqual(
    closes.map((r) => [r.session, r.reason]),
    [
      [a.sessionId, "NORMAL"],
      [fault.sessionId, "OPEN_CONNECTION_FAILURE"],
    ],
  );
  await close(b.sessionId, CloseReason.NORMAL);
});

test("a foreign exception is ExtensibleExtensionException and the process goes on", async () => {
  const c = await start(lab);
  const e = await rejects(c.importRun({ config: params({ mode: "foreign" }) }));
  const fault = faultFromError(e)!;
  assert.equal(fault.kind, FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION);
  assert.equal(fault.foreignTypeName, "RangeError");
  assert.equal(fault.connector, "subject");
  assert.equal(fault.call, "GetImportEntries");
  assert.equal((await c.importRun({ config: params({}) })).entries.length, 5);
  const warn = c.logRecords().find((r) => r.message === "call failed");
  assert.ok(warn, "the failure is logged as JSON");
  assert.equal(warn.level, "WARN");
  assert.equal(warn.call, "GetImportEntries");
  assert.equal(typeof warn.session_id, "string");
});

test("an encrypted parameter never reaches a fault or a log line", async () => {
  const c = await start(lab, { ECMA2_LOG_LEVEL: "DEBUG" });
  const e = await rejects(c.importRun({ config: params({ mode: "secret-error", password: "s3cr3t-Value-42" }, ["password"]) }));
  assert.ok(!e.details.includes("s3cr3t-Value-42"), e.details);
  assert.ok(!faultFromError(e)!.message.includes("s3cr3t-Value-42"));
  await c.stop();
  assert.ok(c.stderr.length > 0);
  assert.ok(!c.stderr.join("\n").includes("s3cr3t-Value-42"));
});

test("cancelling a call aborts its signal; the session stays for Close", async () => {
  const c = await start(lab);
  const record = join(tmp(), "r.jsonl");
  const open = await c.call<{ sessionId: string }>("openImportConnection", {
    $typeName: "ecma2.v1.OpenImportConnectionRequest",
    configParameters: params({ mode: "hang", record }),
    importRunStep: { $typeName: "ecma2.v1.OpenImportConnectionRunStep", customData: "", pageSize: 0, importType: OperationType.FULL, inclusionHierarchyNodes: [], exclusionHierarchyNodes: [] },
  });
  const controller = new AbortController();
  const page = c.page(open.sessionId, "", controller.signal);
  await waitUntil(() => c.logRecords().length >= 1, 5000, "the connector to log");
  setTimeout(() => controller.abort(), 100);
  const e = await rejects(page);
  assert.equal(e.code, status.CANCELLED);
  await waitUntil(() => records(record).some((r) => r.cancelled === open.sessionId && r.aborted === true), 5000, "the connector to see the cancellation");
  await c.call("closeImportConnection", {
    $typeName: "ecma2.v1.CloseImportConnectionRequest",
    sessionId: open.sessionId,
    importRunStep: { $typeName: "ecma2.v1.CloseImportConnectionRunStep", customData: "", reason: CloseReason.TERMINATED_BY_USER },
  });
  assert.ok(records(record).some((r) => r.close && r.reason === "TERMINATED_BY_USER"));
});

test("SIGTERM and the Shutdown RPC close every session with TerminatedShuttingDown and exit 0", async () => {
  for (const how of ["SIGTERM", "rpc"]) {
    const c = await start(lab);
    const record = join(tmp(), "r.jsonl");
    const cfg = params({ record });
    const imp = await c.call<{ sessionId: string }>("openImportConnection", {
      $typeName: "ecma2.v1.OpenImportConnectionRequest",
      configParameters: cfg,
      importRunStep: { $typeName: "ecma2.v1.OpenImportConnectionRunStep", customData: "", pageSize: 0, importType: OperationType.FULL, inclusionHierarchyNodes: [], exclusionHierarchyNodes: [] },
    });
    const exp = await c.call<{ sessionId: string }>("openExportConnection", {
      $typeName: "ecma2.v1.OpenExportConnectionRequest",
      configParameters: cfg,
      exportRunStep: { $typeName: "ecma2.v1.OpenExportConnectionRunStep", exportType: OperationType.FULL, batchSize: 0, inclusionHierarchyNodes: [], exclusionHierarchyNodes: [] },
    });
    if (how === "rpc") {
      const r = await c.call<{ closedSessions: number }>("shutdown", { $typeName: "ecma2.v1.ShutdownRequest", reason: "test" });
      assert.equal(r.closedSessions, 2);
    } else {
      c.child.kill("SIGTERM");
    }
    assert.equal(await c.waitExit(), 0, how);
    const closes = records(record).filter((r) => r.close);
    assert.deepEqual(
      closes.map((r) => [r.session, r.reason]).sort(),
      [
        [imp.sessionId, "TERMINATED_SHUTTING_DOWN"],
        [exp.sessionId, "TERMINATED_SHUTTING_DOWN"],
      ].sort(),
      how,
    );
  }
});

test("the connector exits when its host process is gone", async () => {
  const host = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  const c = await start(lab, { ECMA2_HOST_PID: String(host.pid) });
  host.kill("SIGKILL");
  assert.equal(await c.waitExit(5000), 0);
});

test("a bad launch variable exits 64 naming it", async () => {
  const out = spawn(process.execPath, [lab], { env: { ...process.env, ECMA2_LISTEN: "foo" }, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  out.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number>((r) => out.on("exit", (c) => r(c ?? -1)));
  assert.equal(code, 64);
  assert.match(err, /ECMA2_LISTEN=foo/);
});

test("the People example: full import, export round trip and delta", async () => {
  const c = await start(people);
  const dir = tmp();
  const config = params({ "Data file": join(dir, "people.json"), "Seed people": "7" });
  const full = await c.importRun({ config, pageSize: 3 });
  assert.deepEqual(full.pages, [3, 3, 1]);
  const results = await c.exportRun({ config, entries: [Entry.add("person", "CN=New,OU=People", { attrs: { name: "New", phones: ["1"] } })] });
  assert.equal(results[0]!.errorCode, 1);
  const delta = await c.importRun({ config, delta: true, watermark: full.watermark });
  assert.deepEqual(delta.entries.map((e) => e.dn), ["CN=New,OU=People"]);
});

test("remote mode: mutual TLS only, and a plain health port", async (t) => {
  let openssl = true;
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
  } catch {
    openssl = false;
  }
  if (!openssl) return t.skip("openssl is not installed");
  const dir = tmp();
  const sh = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  sh(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=test ca", "-days", "2"]);
  for (const who of ["server", "client"]) {
    sh(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${who}.key`, "-out", `${who}.csr`, "-subj", `/CN=${who}`]);
    const ext = join(dir, `${who}.ext`);
    execFileSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${ext}`]);
    sh(["x509", "-req", "-in", `${who}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${who}.pem`, "-days", "2", "-extfile", ext]);
  }
  const read = (f: string) => readFileSync(join(dir, f));
  const creds = credentials.createSsl(read("ca.pem"), read("client.key"), read("client.pem"));
  const c = await start(
    lab,
    {
      ECMA2_TLS_CERT: join(dir, "server.pem"),
      ECMA2_TLS_KEY: join(dir, "server.key"),
      ECMA2_TLS_CLIENT_CA: join(dir, "ca.pem"),
      ECMA2_HEALTH_LISTEN: "tcp:127.0.0.1:0",
    },
    { listen: "tcp:127.0.0.1:0", launchSecret: null, credentials: creds },
  );
  assert.match(String(c.ready.health_address), /^tcp:127\.0\.0\.1:\d+$/);
  const run = await c.importRun({ config: params({}) });
  assert.equal(run.entries.length, 5);
  // Without a client certificate the handshake fails.
  const anon = await ConnectorProcess.start({ command: process.execPath, args: ["-e", `process.stdout.write(${JSON.stringify(JSON.stringify(c.ready))} + "\\n"); setTimeout(() => {}, 5000)`], credentials: credentials.createSsl(read("ca.pem")), launchSecret: null });
  const refused = await rejects(anon.call("handshake", { $typeName: "ecma2.v1.HandshakeRequest", protocolVersions: [1], callerName: "", callerVersion: "", features: [] }));
  assert.equal(refused.code, status.UNAVAILABLE);
  await anon.stop();
  // The plain health port answers without TLS.
  const plain = await ConnectorProcess.start({ command: process.execPath, args: ["-e", `process.stdout.write(${JSON.stringify(JSON.stringify({ ...c.ready, address: c.ready.health_address }))} + "\\n"); setTimeout(() => {}, 5000)`], launchSecret: null });
  const h = await new Promise<{ status: number }>((res, rej) => plain.health.check!.call(plain.health, { service: "" }, new Metadata(), (e, r) => (e ? rej(e) : res(r as { status: number }))));
  assert.equal(h.status, 1);
  await plain.stop();
  // TLS without a client CA is refused at start.
  const bad = spawn(process.execPath, [lab], { env: { ...process.env, ECMA2_LISTEN: "tcp:127.0.0.1:0", ECMA2_TLS_CERT: join(dir, "server.pem"), ECMA2_TLS_KEY: join(dir, "server.key") }, stdio: "ignore" });
  assert.equal(await new Promise<number>((r) => bad.on("exit", (code) => r(code ?? -1))), 64);
  assert.equal(await c.stop(), 0);
});
