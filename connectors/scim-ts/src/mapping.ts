// SCIM resources <-> ECMA2 entries, following the flattening of schema.ts. References (members,
// manager) are SCIM ids on the wire and DNs in ECMA2; a Resolver translates both ways.
// Export updates become RFC 7644 PATCH operations, one per changed value: a value added to members is
// an `add` of that member, a removed one a `remove` with a `members[value eq "…"]` filter, a typed
// item that does not exist yet is an `add` of the whole item.

import {
  AttributeModificationType,
  AttributeType,
  type AttributeChange,
  type CSEntryChange,
  Entry,
  Reference,
  type Value,
  added,
  removed,
} from "ecma2-sdk";

import { dnOf, parseDn, type FlatAttribute, type ObjectClass } from "./schema.js";

export type Resource = Record<string, unknown> & { id?: string; meta?: { lastModified?: string; version?: string } };

/** Translates references: SCIM id -> DN on import, DN -> SCIM id on export. */
export interface Resolver {
  dnOfId(id: string, type: string | undefined): Promise<string | undefined>;
  idOfDn(dn: string): Promise<string | undefined>;
}

/** A value that cannot be exported; becomes that entry's error. */
export class MappingError extends Error {
  constructor(
    message: string,
    readonly reference = false,
  ) {
    super(message);
    this.name = "MappingError";
  }
}

function containerOf(r: Resource, container: string | undefined): Record<string, unknown> | undefined {
  const c = container === undefined ? r : r[container];
  return typeof c === "object" && c !== null ? (c as Record<string, unknown>) : undefined;
}

function scalar(v: unknown, a: FlatAttribute): Value | undefined {
  if (v === null || v === undefined) return undefined;
  switch (a.dataType) {
    case AttributeType.BOOLEAN:
      return typeof v === "boolean" ? v : String(v).toLowerCase() === "true";
    case AttributeType.INTEGER:
      return typeof v === "number" ? BigInt(Math.trunc(v)) : BigInt(String(v));
    case AttributeType.BINARY:
      return Buffer.from(String(v), "base64");
    default:
      return String(v);
  }
}

function items(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((i): i is Record<string, unknown> => typeof i === "object" && i !== null) : [];
}

/** The ECMA2 values of one flat attribute of a resource. */
export async function readValues(r: Resource, a: FlatAttribute, resolver: Resolver): Promise<Value[]> {
  const c = containerOf(r, a.shape.container);
  if (c === undefined) return [];
  const raw = c[a.shape.attr];
  switch (a.shape.kind) {
    case "simple": {
      const v = scalar(raw, a);
      return v === undefined ? [] : [v];
    }
    case "sub": {
      const v = typeof raw === "object" && raw !== null ? scalar((raw as Record<string, unknown>)[a.shape.sub], a) : undefined;
      return v === undefined ? [] : [v];
    }
    case "typed": {
      const shape = a.shape;
      const item = items(raw).find((i) => i.type === shape.type);
      const v = item === undefined ? undefined : scalar(item[shape.sub], a);
      return v === undefined ? [] : [v];
    }
    case "values":
      return (Array.isArray(raw) ? raw : []).map((i) => scalar(typeof i === "object" && i !== null ? (i as Record<string, unknown>).value : i, a)).filter((v): v is Value => v !== undefined);
    case "refs": {
      const list = a.shape.multi ? items(raw) : typeof raw === "object" && raw !== null ? [raw as Record<string, unknown>] : [];
      const out: Value[] = [];
      for (const i of list) {
        if (typeof i.value !== "string") continue;
        const dn = await resolver.dnOfId(i.value, typeof i.type === "string" ? i.type : undefined);
        if (dn !== undefined) out.push(new Reference(dn));
      }
      return out;
    }
  }
}

/** The naming value of a resource (userName, displayName or id). */
export function namingValue(c: ObjectClass, r: Resource): string {
  const v = r[c.naming];
  return typeof v === "string" && v !== "" ? v : String(r.id ?? "");
}

/** A resource as an ECMA2 entry (Add on a full import, Replace on a delta). */
export async function entryOf(c: ObjectClass, r: Resource, kind: "add" | "replace", resolver: Resolver): Promise<CSEntryChange> {
  const attrs: Record<string, Value[]> = {};
  const multi: string[] = [];
  for (const a of c.attributes) {
    const values = await readValues(r, a, resolver);
    if (values.length === 0) continue;
    attrs[a.name] = values;
    if (a.multi) multi.push(a.name);
  }
  const single: Record<string, Value | Value[]> = {};
  for (const [k, v] of Object.entries(attrs)) single[k] = multi.includes(k) ? v : v[0]!;
  return Entry[kind](c.name, dnOf(c, namingValue(c, r)), { anchors: { id: String(r.id) }, attrs: single, multiValued: multi });
}

function wireScalar(v: Value, a: FlatAttribute): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Reference) return v.dn;
  if (a.dataType === AttributeType.BOOLEAN && typeof v === "string") return v.toLowerCase() === "true";
  return v;
}

async function refItem(v: Value, resolver: Resolver): Promise<Record<string, unknown>> {
  const dn = v instanceof Reference ? v.dn : String(v);
  const id = await resolver.idOfDn(dn);
  if (id === undefined) throw new MappingError(`the reference ${dn} names no object of the SCIM server`, true);
  return { value: id };
}

export function findAttr(c: ObjectClass, name: string): FlatAttribute {
  const key = name.toLowerCase();
  const a = c.attributes.find((x) => x.name.toLowerCase() === key);
  if (a === undefined) throw new MappingError(`${c.name} has no attribute ${name}`);
  if (a.readOnly) throw new MappingError(`${name} is read-only on the SCIM server`);
  return a;
}

/** The body of a POST (or PUT) for an Add or Replace entry. */
export async function resourceOf(c: ObjectClass, e: CSEntryChange, resolver: Resolver): Promise<Resource> {
  const body: Resource = { schemas: [c.schemas[0]] };
  const target = (container: string | undefined): Record<string, unknown> => {
    if (container === undefined) return body;
    if (!(body.schemas as string[]).includes(container)) (body.schemas as string[]).push(container);
    return (body[container] ??= {}) as Record<string, unknown>;
  };
  for (const ch of e.attributeChanges) {
    if (ch.modificationType === AttributeModificationType.DELETE) continue;
    const a = findAttr(c, ch.name);
    const values = added(ch);
    if (values.length === 0) continue;
    const t = target(a.shape.container);
    const s = a.shape;
    switch (s.kind) {
      case "simple":
        t[s.attr] = wireScalar(values[0]!, a);
        break;
      case "sub":
        ((t[s.attr] ??= {}) as Record<string, unknown>)[s.sub] = wireScalar(values[0]!, a);
        break;
      case "typed": {
        const list = (t[s.attr] ??= []) as Record<string, unknown>[];
        let item = list.find((i) => i.type === s.type);
        if (item === undefined) list.push((item = { type: s.type }));
        item[s.sub] = wireScalar(values[0]!, a);
        break;
      }
      case "values":
        t[s.attr] = values.map((v) => ({ value: wireScalar(v, a) }));
        break;
      case "refs": {
        const refs = [];
        for (const v of values) refs.push(await refItem(v, resolver));
        t[s.attr] = s.multi ? refs : refs[0];
        break;
      }
    }
  }
  const rdn = parseDn(e.dn);
  if (c.naming !== "id" && body[c.naming] === undefined && rdn !== undefined) body[c.naming] = rdn.value;
  return body;
}

export interface PatchOp {
  op: "add" | "replace" | "remove";
  path: string;
  value?: unknown;
}

function path(a: FlatAttribute, tail = ""): string {
  const base = a.shape.container === undefined ? a.shape.attr : `${a.shape.container}:${a.shape.attr}`;
  return base + tail;
}

const quote = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** PATCH operations for an Update entry, given the resource as it is now. */
export async function patchOf(c: ObjectClass, e: CSEntryChange, current: Resource, resolver: Resolver): Promise<PatchOp[]> {
  const ops: PatchOp[] = [];
  const newItems = new Map<string, Record<string, unknown>>(); // typed items that do not exist yet
  for (const ch of e.attributeChanges) {
    const a = findAttr(c, ch.name);
    ops.push(...(await opsOf(a, ch, current, resolver, newItems)));
  }
  for (const [key, item] of newItems) ops.push({ op: "add", path: key.split("\u0000")[0]!, value: [item] });
  const rdn = parseDn(e.dn);
  const named = e.attributeChanges.some((ch) => ch.name.toLowerCase() === c.naming.toLowerCase());
  if (e.dn && rdn && !named && c.naming !== "id" && current[c.naming] !== rdn.value) {
    ops.push({ op: "replace", path: c.naming, value: rdn.value }); // a rename: the DN names the object
  }
  return ops;
}

async function opsOf(
  a: FlatAttribute,
  ch: AttributeChange,
  current: Resource,
  resolver: Resolver,
  newItems: Map<string, Record<string, unknown>>,
): Promise<PatchOp[]> {
  const values = added(ch);
  const gone = removed(ch);
  const m = ch.modificationType;
  const s = a.shape;
  if (s.kind === "typed") {
    const list = items(containerOf(current, s.container)?.[s.attr]);
    const exists = list.some((i) => i.type === s.type);
    const filtered = path(a, `[type eq ${quote(s.type)}].${s.sub}`);
    if (m === AttributeModificationType.DELETE || values.length === 0) return exists ? [{ op: "remove", path: filtered }] : [];
    if (exists) return [{ op: "replace", path: filtered, value: wireScalar(values[0]!, a) }];
    const key = path(a);
    const item = newItems.get(`${key}\u0000${s.type}`) ?? { type: s.type };
    item[s.sub] = wireScalar(values[0]!, a);
    newItems.set(`${key}\u0000${s.type}`, item); // one add per new item, after the loop
    return [];
  }
  if (s.kind === "values" || (s.kind === "refs" && s.multi)) {
    const wire = async (v: Value): Promise<Record<string, unknown>> => (s.kind === "refs" ? refItem(v, resolver) : { value: wireScalar(v, a) });
    if (m === AttributeModificationType.DELETE) return [{ op: "remove", path: path(a) }];
    if (m === AttributeModificationType.REPLACE || m === AttributeModificationType.ADD) {
      const all = [];
      for (const v of values) all.push(await wire(v));
      return [{ op: "replace", path: path(a), value: all }];
    }
    const ops: PatchOp[] = [];
    for (const v of values) ops.push({ op: "add", path: path(a), value: [await wire(v)] });
    for (const v of gone) {
      const item = await wire(v);
      ops.push({ op: "remove", path: path(a, `[value eq ${quote(String(item.value))}]`) });
    }
    return ops;
  }
  const p = s.kind === "sub" ? path(a, `.${s.sub}`) : path(a);
  if (m === AttributeModificationType.DELETE || values.length === 0) return [{ op: "remove", path: p }];
  const value = s.kind === "refs" ? await refItem(values[0]!, resolver) : wireScalar(values[0]!, a);
  return [{ op: "replace", path: p, value }];
}
