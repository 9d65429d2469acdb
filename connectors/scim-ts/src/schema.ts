// The ECMA2 schema from the service provider's /ResourceTypes and /Schemas, flattened:
//
//   simple attribute                  title, active                     (extension: <schema URN>:department)
//   complex, single-valued            name.givenName, name.familyName
//   complex, multi-valued, with       emails[type eq "work"].value      one single-valued attribute per
//     canonical `type` values           emails[type eq "home"].primary  canonical type and sub-attribute
//   complex with value + $ref         members (Group), <URN>:manager    Reference, multi-valued when SCIM's is
//   other complex multi-valued        roles, entitlements, x509Certificates   their `value`s, multi-valued
//
// `id` is the anchor; `externalId` is a plain string. writeOnly attributes (password) are left out
// (they are never returned, so they cannot be imported), readOnly ones (User.groups) are left out
// too: membership is owned by Group.members. Each flat attribute knows how to read itself from a
// resource and how to be written back (see mapping.ts).

import { AttributeOperation, AttributeType, Attr, type SchemaAttribute, type SchemaType } from "ecma2-sdk";

export interface ScimAttributeDef {
  name: string;
  type: string;
  multiValued?: boolean;
  mutability?: string;
  returned?: string;
  canonicalValues?: string[];
  subAttributes?: ScimAttributeDef[];
}

export interface ScimSchemaDoc {
  id: string;
  attributes: ScimAttributeDef[];
}

export interface ScimResourceType {
  name: string;
  endpoint: string;
  schema: string;
  schemaExtensions?: { schema: string; required?: boolean }[];
}

/** How a flat ECMA2 attribute sits in a SCIM resource. */
export type FlatKind =
  | { kind: "simple"; container: string | undefined; attr: string }
  | { kind: "sub"; container: string | undefined; attr: string; sub: string }
  | { kind: "typed"; container: string | undefined; attr: string; type: string; sub: string }
  | { kind: "refs"; container: string | undefined; attr: string; multi: boolean }
  | { kind: "values"; container: string | undefined; attr: string };

export interface FlatAttribute {
  /** The ECMA2 name. */
  name: string;
  dataType: AttributeType;
  multi: boolean;
  readOnly: boolean;
  shape: FlatKind;
}

/** One SCIM resource type as an ECMA2 object type. */
export interface ObjectClass {
  /** The resource type's name: "User", "Group". The ECMA2 object type. */
  name: string;
  endpoint: string;
  schemas: string[];
  /** The attribute that names the object in its DN: userName, displayName, or id. */
  naming: string;
  /** The DN's container RDN: OU=Users. */
  container: string;
  attributes: FlatAttribute[];
}

function ecmaType(t: string): AttributeType {
  switch (t) {
    case "integer":
      return AttributeType.INTEGER;
    case "boolean":
      return AttributeType.BOOLEAN;
    case "binary":
      return AttributeType.BINARY;
    default:
      return AttributeType.STRING; // string, reference, dateTime, decimal
  }
}

function flatten(defs: ScimAttributeDef[], container: string | undefined): FlatAttribute[] {
  const out: FlatAttribute[] = [];
  const prefix = container ? `${container}:` : "";
  for (const a of defs) {
    if (a.name === "id" || a.mutability === "writeOnly" || a.returned === "never") continue;
    if (a.mutability === "readOnly" && a.type === "complex") continue; // User.groups: owned by Group.members
    const readOnly = a.mutability === "readOnly";
    const subs = a.subAttributes ?? [];
    if (a.type !== "complex") {
      out.push({
        name: prefix + a.name,
        dataType: ecmaType(a.type),
        multi: a.multiValued === true,
        readOnly,
        shape: a.multiValued ? { kind: "values", container, attr: a.name } : { kind: "simple", container, attr: a.name },
      });
      continue;
    }
    const has = (n: string): ScimAttributeDef | undefined => subs.find((s) => s.name === n);
    const typeSub = has("type");
    if (has("value") && has("$ref")) {
      out.push({ name: prefix + a.name, dataType: AttributeType.REFERENCE, multi: a.multiValued === true, readOnly, shape: { kind: "refs", container, attr: a.name, multi: a.multiValued === true } });
    } else if (a.multiValued && typeSub?.canonicalValues?.length) {
      for (const t of typeSub.canonicalValues) {
        for (const s of subs) {
          if (s.name === "type" || s.name === "display" || s.name === "primary" || s.name === "$ref" || s.mutability === "readOnly") continue;
          out.push({
            name: `${prefix}${a.name}[type eq "${t}"].${s.name}`,
            dataType: ecmaType(s.type),
            multi: false,
            readOnly,
            shape: { kind: "typed", container, attr: a.name, type: t, sub: s.name },
          });
        }
      }
    } else if (a.multiValued) {
      const value = has("value");
      if (value) out.push({ name: prefix + a.name, dataType: ecmaType(value.type), multi: true, readOnly, shape: { kind: "values", container, attr: a.name } });
    } else {
      for (const s of subs) {
        if (s.mutability === "readOnly") continue;
        out.push({ name: `${prefix}${a.name}.${s.name}`, dataType: ecmaType(s.type), multi: s.multiValued === true, readOnly, shape: { kind: "sub", container, attr: a.name, sub: s.name } });
      }
    }
  }
  return out;
}

/** The object classes of a service provider. */
export function objectClasses(types: ScimResourceType[], schemas: ScimSchemaDoc[]): ObjectClass[] {
  const byId = new Map(schemas.map((s) => [s.id, s]));
  return types.map((t) => {
    const core = byId.get(t.schema);
    if (core === undefined) throw new Error(`resource type ${t.name} names schema ${t.schema}, which /Schemas does not list`);
    const attributes = [
      { name: "externalId", dataType: AttributeType.STRING, multi: false, readOnly: false, shape: { kind: "simple", container: undefined, attr: "externalId" } } as FlatAttribute,
      ...flatten(core.attributes, undefined),
    ];
    const schemasUsed = [t.schema];
    for (const ext of t.schemaExtensions ?? []) {
      const doc = byId.get(ext.schema);
      if (doc === undefined) continue;
      attributes.push(...flatten(doc.attributes, ext.schema));
      schemasUsed.push(ext.schema);
    }
    const names = new Set(attributes.map((a) => a.name));
    const naming = names.has("userName") ? "userName" : names.has("displayName") ? "displayName" : "id";
    // Alphabetical, the naming attribute last: it is also the DN, so tools that pick "the first
    // string attribute" to change do not rename the object.
    attributes.sort((x, y) => (x.name === naming ? 1 : y.name === naming ? -1 : x.name.localeCompare(y.name, "en", { sensitivity: "base" })));
    return { name: t.name, endpoint: t.endpoint, schemas: schemasUsed, naming, container: `OU=${t.endpoint.replace(/^\//, "")}`, attributes };
  });
}

/** The ECMA2 schema type of an object class. */
export function schemaType(c: ObjectClass): SchemaType {
  const attrs: SchemaAttribute[] = [Attr.anchor("id")];
  for (const a of c.attributes) {
    const op = a.readOnly ? AttributeOperation.IMPORT_ONLY : AttributeOperation.IMPORT_EXPORT;
    attrs.push(a.multi ? Attr.multi(a.name, a.dataType, op) : Attr.single(a.name, a.dataType, op));
  }
  return { $typeName: "ecma2.v1.SchemaType", name: c.name, locked: false, attributes: attrs, possibleDnComponentsForProvisioning: [c.naming] };
}

const SPECIAL = /[,+"\\<>;=]/g;

/** `userName=bjensen,OU=Users`: the naming attribute's value, escaped (RFC 4514 style). */
export function dnOf(c: ObjectClass, value: string): string {
  const escaped = value.replace(SPECIAL, (m) => `\\${m}`).replace(/^ | $/g, (m) => `\\${m}`).replace(/^#/, "\\#");
  return `${c.naming}=${escaped},${c.container}`;
}

/** The naming value and container of a DN made by dnOf, or undefined when it is not one. */
export function parseDn(dn: string): { naming: string; value: string; container: string } | undefined {
  const eq = dn.indexOf("=");
  if (eq < 1) return undefined;
  let value = "";
  let i = eq + 1;
  for (; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === "\\" && i + 1 < dn.length) {
      value += dn[++i];
    } else if (ch === ",") {
      break;
    } else {
      value += ch;
    }
  }
  return { naming: dn.slice(0, eq).trim(), value, container: dn.slice(i + 1).trim() };
}
