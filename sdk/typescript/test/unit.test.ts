// Unit tests: the error classes against the contract's table in docs/protocol.md, the model
// builders, Secret redaction, addresses, and faults encoded and read back.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { test } from "node:test";

import { status } from "@grpc/grpc-js";

import {
  AttributeModificationType,
  AttributeType,
  codeFor,
  ConfigParameters,
  Ecma2Error,
  ecma2Name,
  Entry,
  errorClass,
  FaultKind,
  faultFromError,
  Logger,
  NoSuchAttributeException,
  ObjectModificationType,
  parseAddress,
  ref,
  Reference,
  Secret,
  ServerDownException,
  ValueModificationType,
  added,
  attrValue,
  configureLogging,
  removed,
} from "../src/index.js";
import { toStatus } from "../src/faults.js";

const repo = new URL("../../../../", import.meta.url);

test("every FaultKind maps to the exception and gRPC code of docs/protocol.md", () => {
  const doc = readFileSync(new URL("docs/protocol.md", repo), "utf8");
  const rows = [...doc.matchAll(/^\| (\d+) \| `FAULT_KIND_\w+` \| `(\w+)` \| `(\w+)` \((\d+)\) \|$/gm)];
  assert.equal(rows.length, 42, "the table lists the 42 ECMA2 exceptions");
  for (const [, value, name, , code] of rows) {
    const kind = Number(value) as FaultKind;
    assert.equal(ecma2Name(kind), name, `kind ${value}`);
    assert.equal(codeFor(kind), Number(code), `${name} code`);
    const e = new (errorClass(kind))("boom");
    assert.ok(e instanceof Ecma2Error, `${name} is an Ecma2Error`);
    assert.equal(e.kind, kind);
    assert.equal(e.name, name);
  }
  assert.equal(ecma2Name(FaultKind.UNSPECIFIED), "ExtensibleExtensionException");
});

test("errors are instanceof-friendly and carry their properties into the fault", () => {
  const e = new NoSuchAttributeException("unknown column", { attributeName: "badge", cause: new ServerDownException("db gone") });
  assert.ok(e instanceof NoSuchAttributeException);
  assert.ok(e instanceof Ecma2Error);
  assert.ok(e instanceof Error);
  assert.ok(!(e instanceof ServerDownException));
  const s = toStatus(e, { connector: "c", call: "GetSchema" });
  assert.equal(s.code, status.NOT_FOUND);
  const fault = faultFromError(s as never)!;
  assert.equal(fault.kind, FaultKind.NO_SUCH_ATTRIBUTE_EXCEPTION);
  assert.equal(fault.attributeName, "badge");
  assert.equal(fault.connector, "c");
  assert.equal(fault.call, "GetSchema");
  assert.equal(fault.inner?.kind, FaultKind.SERVER_DOWN_EXCEPTION);
});

test("a foreign error becomes ExtensibleExtensionException naming its type", () => {
  const s = toStatus(new TypeError("x is not a function"), { connector: "c", call: "GetSchema" });
  assert.equal(s.code, status.INTERNAL);
  const fault = faultFromError(s as never)!;
  assert.equal(fault.kind, FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION);
  assert.equal(fault.foreignTypeName, "TypeError");
});

test("secrets print as *** and are scrubbed from faults and logs", () => {
  const config = new ConfigParameters([
    { $typeName: "ecma2.v1.ConfigParameter", name: "password", value: "", isEncrypted: true, secureValue: { $typeName: "ecma2.v1.Secret", value: "hunter2-very-secret" } },
  ]);
  const secret = config.secret("password")!;
  assert.equal(secret.expose(), "hunter2-very-secret");
  assert.equal(String(secret), "***");
  assert.equal(JSON.stringify({ secret }), '{"secret":"***"}');
  assert.ok(!inspect(secret).includes("hunter2"));
  assert.equal(config.value("password"), "", "an encrypted parameter is not readable as plain text");
  const s = toStatus(new Error("login hunter2-very-secret refused"), { connector: "c", call: "x" });
  assert.ok(!String(s.details).includes("hunter2"), String(s.details));
  assert.ok(!faultFromError(s as never)!.message.includes("hunter2"));
  const lines: string[] = [];
  configureLogging("json", "INFO", (l) => lines.push(l));
  new Logger("t").info("connecting", { password: secret, note: "pw hunter2-very-secret" });
  configureLogging("text", "INFO", (l) => process.stderr.write(l));
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes("hunter2"), lines[0]);
  const record = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(record.level, "INFO");
  assert.equal(record.message, "connecting");
  assert.equal(record.password, "***");
  assert.ok(new Secret("x") instanceof Secret);
});

test("entry builders follow ECMA2's rules", () => {
  const add = Entry.add("person", "CN=a", { anchors: { id: 7 }, attrs: { name: "Ada", age: 36, manager: ref("CN=b"), phones: ["1", "2"], gone: null } });
  assert.equal(add.objectModificationType, ObjectModificationType.ADD);
  assert.equal(add.anchorAttributes[0]!.dataType, AttributeType.INTEGER);
  assert.deepEqual(add.attributeChanges.map((c) => c.name), ["name", "age", "manager", "phones"]);
  assert.ok(add.attributeChanges.every((c) => c.modificationType === AttributeModificationType.ADD));
  assert.equal(attrValue(add, "AGE"), 36n);
  assert.ok(attrValue(add, "manager") instanceof Reference);
  assert.equal(add.attributeChanges[3]!.isMultiValued, true);
  const upd = Entry.update("person", "CN=a", { attrs: { name: "Ada L", gone: null }, add: { phones: "3" }, remove: { phones: "1" }, clear: ["age"] });
  const byName = new Map(upd.attributeChanges.map((c) => [c.name, c]));
  assert.equal(byName.get("name")!.modificationType, AttributeModificationType.REPLACE);
  assert.equal(byName.get("gone")!.modificationType, AttributeModificationType.DELETE);
  assert.equal(byName.get("age")!.modificationType, AttributeModificationType.DELETE);
  const phones = byName.get("phones")!;
  assert.equal(phones.modificationType, AttributeModificationType.UPDATE);
  assert.deepEqual(added(phones), ["3"]);
  assert.deepEqual(removed(phones), ["1"]);
  assert.equal(phones.valueChanges[1]!.modificationType, ValueModificationType.DELETE);
  assert.throws(() => Entry.add("p", "CN=x", { attrs: { a: "1", A: "2" } }), /appears twice/);
  assert.throws(() => Entry.add("p", "CN=x", { add: { a: "1" } }), /takes only attrs/);
  assert.throws(() => Entry.add("p", "CN=x", { attrs: { n: 1.5 } }), /not a safe integer/);
});

test("addresses parse or are refused by name", () => {
  assert.deepEqual(parseAddress("unix:/tmp/a.sock", "ECMA2_LISTEN"), { kind: "unix", host: "/tmp/a.sock", port: 0 });
  assert.deepEqual(parseAddress("tcp:127.0.0.1:0", "ECMA2_LISTEN"), { kind: "tcp", host: "127.0.0.1", port: 0 });
  assert.deepEqual(parseAddress("tcp:[::1]:7000", "ECMA2_LISTEN"), { kind: "tcp", host: "[::1]", port: 7000 });
  assert.throws(() => parseAddress("foo", "ECMA2_LISTEN"), /ECMA2_LISTEN=foo/);
  assert.throws(() => parseAddress("unix:rel.sock", "ECMA2_LISTEN"), /absolute/);
  assert.throws(() => parseAddress("tcp:h:99999", "ECMA2_LISTEN"), /tcp:HOST:PORT/);
});
