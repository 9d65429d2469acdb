// Builders and readers over the generated messages, so connector code reads like ECMA2:
// entries (CSEntryChange.Create + attribute changes), attribute values, export results,
// configuration parameters (with EncryptedString values as Secret), schema and capabilities.
// The messages themselves are the generated protobuf-es types (src/gen), re-exported by index.ts.

import { create, type MessageInitShape } from "@bufbuild/protobuf";

import {
  type AnchorAttribute,
  type AttributeChange,
  AttributeModificationType,
  type AttributeValue,
  type CSEntryChange,
  type CSEntryChangeResult,
  CSEntryChangeResultSchema,
  MAExportError,
  MAImportError,
  ObjectModificationType,
  ValueModificationType,
} from "./gen/ecma2/v1/change_pb.js";
import { type MACapabilities, MACapabilitiesSchema } from "./gen/ecma2/v1/capabilities_pb.js";
import {
  type ConfigParameter,
  type ConfigParameterDefinition,
  ConfigParameterDefinitionSchema,
  ConfigParameterType,
  type ParameterValidationResult,
  ParameterValidationResultCode,
  ParameterValidationResultSchema,
} from "./gen/ecma2/v1/config_pb.js";
import { AttributeOperation, AttributeType, type SchemaAttribute, SchemaAttributeSchema } from "./gen/ecma2/v1/schema_pb.js";
import { Secret } from "./secret.js";

/** A reference value (a DN, or an anchor in the connector's reference syntax). */
export class Reference {
  constructor(readonly dn: string) {}
  toString(): string {
    return this.dn;
  }
}

/** A reference value. */
export function ref(dn: string): Reference {
  return new Reference(dn);
}

/** What an attribute value is in TypeScript: string, integer (number or bigint), boolean, bytes, Reference. */
export type Value = string | number | bigint | boolean | Uint8Array | Reference;

/** The ECMA2 attribute type of a TypeScript value. */
export function typeOf(value: Value): AttributeType {
  if (typeof value === "string") return AttributeType.STRING;
  if (typeof value === "number" || typeof value === "bigint") return AttributeType.INTEGER;
  if (typeof value === "boolean") return AttributeType.BOOLEAN;
  if (value instanceof Reference) return AttributeType.REFERENCE;
  return AttributeType.BINARY;
}

/** The wire AttributeValue of a TypeScript value. */
export function toWire(value: Value): AttributeValue {
  // Plain message objects (every field set), not create(): builders run once per value.
  const T = "ecma2.v1.AttributeValue" as const;
  if (typeof value === "string") return { $typeName: T, kind: { case: "stringValue", value } };
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError(`integer attribute value ${value} is not a safe integer`);
    return { $typeName: T, kind: { case: "integerValue", value: BigInt(value) } };
  }
  if (typeof value === "bigint") return { $typeName: T, kind: { case: "integerValue", value } };
  if (typeof value === "boolean") return { $typeName: T, kind: { case: "booleanValue", value } };
  if (value instanceof Reference) return { $typeName: T, kind: { case: "referenceValue", value: value.dn } };
  return { $typeName: T, kind: { case: "binaryValue", value } };
}

/** A wire value back as TypeScript (integers as bigint, references as Reference). */
export function fromWire(value: AttributeValue | undefined): Value | undefined {
  switch (value?.kind.case) {
    case "stringValue":
    case "integerValue":
    case "booleanValue":
    case "binaryValue":
      return value.kind.value;
    case "referenceValue":
      return new Reference(value.kind.value);
    default:
      return undefined;
  }
}

function valuesOf(v: Value | readonly Value[] | null | undefined): Value[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? [...(v as readonly Value[])] : [v as Value];
}

function change(
  name: string,
  modification: AttributeModificationType,
  values: Value[],
  valueModification: ValueModificationType = ValueModificationType.ADD,
  dataType?: AttributeType,
  multi?: boolean,
): AttributeChange {
  return {
    $typeName: "ecma2.v1.AttributeChange",
    name,
    dataType: dataType ?? (values[0] === undefined ? AttributeType.STRING : typeOf(values[0])),
    isMultiValued: multi ?? values.length > 1,
    modificationType: modification,
    valueChanges: values.map((v) => ({ $typeName: "ecma2.v1.ValueChange", value: toWire(v), modificationType: valueModification })),
  };
}

/** Attribute values by name; arrays are multi-valued; null/undefined values are left out. */
export type Attrs = Record<string, Value | readonly Value[] | null | undefined>;

export interface EntryInit {
  anchors?: Record<string, Value>;
  /** On Add and Replace: the object's values. On Update: values that replace the old ones. */
  attrs?: Attrs;
  /** Update only: values added to multi-valued attributes. */
  add?: Attrs;
  /** Update only: values removed from multi-valued attributes. */
  remove?: Attrs;
  /** Update only: attributes removed entirely. */
  clear?: string[];
  /** Names of attributes to mark multi-valued even with one value. */
  multiValued?: string[];
}

function anchors(init: Record<string, Value> | undefined): AnchorAttribute[] {
  return Object.entries(init ?? {}).map(([name, v]) => ({ $typeName: "ecma2.v1.AnchorAttribute", name, dataType: typeOf(v), value: toWire(v) }));
}

function build(kind: ObjectModificationType, objectType: string, dn: string, init: EntryInit = {}): CSEntryChange {
  const multi = new Set(init.multiValued ?? []);
  const changes: AttributeChange[] = [];
  const seen = new Set<string>();
  const push = (c: AttributeChange): void => {
    const key = c.name.toLowerCase();
    if (seen.has(key)) throw new TypeError(`attribute ${c.name} appears twice in the change of ${dn}`);
    seen.add(key);
    changes.push(c);
  };
  const isAdd = kind === ObjectModificationType.ADD || kind === ObjectModificationType.REPLACE;
  for (const [name, v] of Object.entries(init.attrs ?? {})) {
    const values = valuesOf(v);
    const m = multi.has(name) || Array.isArray(v) || undefined;
    if (values.length === 0) {
      if (!isAdd) push(change(name, AttributeModificationType.DELETE, [], ValueModificationType.ADD, AttributeType.STRING, m));
      continue;
    }
    push(change(name, isAdd ? AttributeModificationType.ADD : AttributeModificationType.REPLACE, values, undefined, undefined, m));
  }
  if (!isAdd) {
    const names = new Set([...Object.keys(init.add ?? {}), ...Object.keys(init.remove ?? {})]);
    for (const name of names) {
      const added = valuesOf(init.add?.[name]);
      const removed = valuesOf(init.remove?.[name]);
      const first = added[0] ?? removed[0];
      const c = change(name, AttributeModificationType.UPDATE, added, ValueModificationType.ADD, first === undefined ? undefined : typeOf(first), true);
      for (const r of removed) c.valueChanges.push({ $typeName: "ecma2.v1.ValueChange", value: toWire(r), modificationType: ValueModificationType.DELETE });
      push(c);
    }
    for (const name of init.clear ?? []) push(change(name, AttributeModificationType.DELETE, []));
  } else if (init.add || init.remove || init.clear) {
    throw new TypeError(`an Add or Replace of ${dn} takes only attrs`);
  }
  return {
    $typeName: "ecma2.v1.CSEntryChange",
    identifier: crypto.randomUUID(),
    objectModificationType: kind,
    objectType,
    dn,
    anchorAttributes: anchors(init.anchors),
    attributeChanges: changes,
    errorCodeImport: MAImportError.MA_IMPORT_ERROR_UNSPECIFIED,
    errorName: "",
    errorDetail: "",
  };
}

/** Builders for CSEntryChange, ECMA2's CSEntryChange.Create() and its attribute changes. */
export const Entry = {
  add: (objectType: string, dn: string, init?: EntryInit): CSEntryChange => build(ObjectModificationType.ADD, objectType, dn, init),
  replace: (objectType: string, dn: string, init?: EntryInit): CSEntryChange =>
    build(ObjectModificationType.REPLACE, objectType, dn, init),
  update: (objectType: string, dn: string, init?: EntryInit): CSEntryChange =>
    build(ObjectModificationType.UPDATE, objectType, dn, init),
  delete: (objectType: string, dn: string, anchorValues?: Record<string, Value>): CSEntryChange =>
    build(ObjectModificationType.DELETE, objectType, dn, { anchors: anchorValues ?? {} }),
};

/** The values an attribute change adds (for Add/Replace objects: all of its values). */
export function added(c: AttributeChange): Value[] {
  return c.valueChanges
    .filter((v) => v.modificationType !== ValueModificationType.DELETE)
    .map((v) => fromWire(v.value))
    .filter((v): v is Value => v !== undefined);
}

/** The values an attribute change removes. */
export function removed(c: AttributeChange): Value[] {
  return c.valueChanges
    .filter((v) => v.modificationType === ValueModificationType.DELETE)
    .map((v) => fromWire(v.value))
    .filter((v): v is Value => v !== undefined);
}

/** The attribute change named `name` (case-insensitive), if any. */
export function attributeChange(entry: CSEntryChange, name: string): AttributeChange | undefined {
  const key = name.toLowerCase();
  return entry.attributeChanges.find((c) => c.name.toLowerCase() === key);
}

/** The first added value of an attribute. */
export function attrValue(entry: CSEntryChange, name: string): Value | undefined {
  const c = attributeChange(entry, name);
  return c === undefined ? undefined : added(c)[0];
}

/** An anchor value by name. */
export function anchorValue(entry: CSEntryChange, name: string): Value | undefined {
  const key = name.toLowerCase();
  return fromWire(entry.anchorAttributes.find((a) => a.name.toLowerCase() === key)?.value);
}

/** Export results: ECMA2's CSEntryChangeResult.Create. */
export const Result = {
  success(entry: CSEntryChange, anchorValues?: Record<string, Value>): CSEntryChangeResult {
    return create(CSEntryChangeResultSchema, {
      identifier: entry.identifier,
      errorCode: MAExportError.MA_EXPORT_ERROR_SUCCESS,
      anchorAttributes: Object.entries(anchorValues ?? {}).map(([name, v]) => change(name, AttributeModificationType.ADD, [v])),
    });
  },
  error(entry: CSEntryChange, code: MAExportError, name: string, detail = ""): CSEntryChangeResult {
    return create(CSEntryChangeResultSchema, { identifier: entry.identifier, errorCode: code, errorName: name, errorDetail: detail });
  },
};

/** ECMA2's ConfigParameterKeyedCollection: the values entered so far, by name. */
export class ConfigParameters {
  private readonly byName = new Map<string, ConfigParameter>();

  constructor(params: readonly ConfigParameter[] = []) {
    for (const p of params) {
      this.byName.set(p.name, p);
      if (p.isEncrypted && p.secureValue) new Secret(p.secureValue.value); // remembered for scrubbing
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** A plain value; `fallback` when absent. An encrypted parameter is not readable here. */
  value(name: string, fallback = ""): string {
    const p = this.byName.get(name);
    if (p === undefined || p.isEncrypted) return fallback;
    return p.value;
  }

  /** A check box (`1` or `true`). */
  flag(name: string): boolean {
    const v = this.value(name).trim().toLowerCase();
    return v === "1" || v === "true";
  }

  /** An EncryptedString value as a Secret; undefined when absent or empty. */
  secret(name: string): Secret | undefined {
    const p = this.byName.get(name);
    if (p === undefined) return undefined;
    const clear = p.isEncrypted ? (p.secureValue?.value ?? "") : p.value;
    return clear === "" ? undefined : new Secret(clear);
  }
}

/** ECMA2's ConfigParameterDefinition.Create*Parameter. */
export const Param = {
  string: (name: string, defaultValue = "", validation = ""): ConfigParameterDefinition =>
    create(ConfigParameterDefinitionSchema, { name, type: ConfigParameterType.STRING, defaultValue, validation }),
  encryptedString: (name: string): ConfigParameterDefinition =>
    create(ConfigParameterDefinitionSchema, { name, type: ConfigParameterType.ENCRYPTED_STRING }),
  checkBox: (name: string, defaultValue = false): ConfigParameterDefinition =>
    create(ConfigParameterDefinitionSchema, { name, type: ConfigParameterType.CHECK_BOX, defaultValue: defaultValue ? "1" : "0" }),
  dropDown: (name: string, choices: string[], defaultValue = "", extensible = false): ConfigParameterDefinition =>
    create(ConfigParameterDefinitionSchema, {
      name,
      type: ConfigParameterType.DROP_DOWN,
      validation: choices.join(","),
      defaultValue,
      dropDownExtensible: extensible,
    }),
  label: (text: string): ConfigParameterDefinition => create(ConfigParameterDefinitionSchema, { type: ConfigParameterType.LABEL, text }),
  divider: (): ConfigParameterDefinition => create(ConfigParameterDefinitionSchema, { type: ConfigParameterType.DIVIDER }),
};

/** ECMA2's ParameterValidationResult. */
export const Validation = {
  success: (): ParameterValidationResult => create(ParameterValidationResultSchema, { code: ParameterValidationResultCode.SUCCESS }),
  failure: (parameter: string, message: string): ParameterValidationResult =>
    create(ParameterValidationResultSchema, {
      code: ParameterValidationResultCode.FAILURE,
      errorParameter: parameter,
      errorMessage: message,
    }),
};

/** Schema attributes: ECMA2's SchemaAttribute.Create*Attribute. */
export const Attr = {
  anchor: (name: string, dataType: AttributeType = AttributeType.STRING): SchemaAttribute =>
    create(SchemaAttributeSchema, { name, dataType, isAnchor: true, allowedAttributeOperation: AttributeOperation.IMPORT_ONLY }),
  single: (name: string, dataType: AttributeType = AttributeType.STRING, operation = AttributeOperation.IMPORT_EXPORT): SchemaAttribute =>
    create(SchemaAttributeSchema, { name, dataType, allowedAttributeOperation: operation }),
  multi: (name: string, dataType: AttributeType = AttributeType.STRING, operation = AttributeOperation.IMPORT_EXPORT): SchemaAttribute =>
    create(SchemaAttributeSchema, { name, dataType, isMultiValued: true, allowedAttributeOperation: operation }),
};

/** MACapabilities with ECMA2's constructor defaults; set only what differs. */
export function capabilities(init: MessageInitShape<typeof MACapabilitiesSchema> = {}): MACapabilities {
  return create(MACapabilitiesSchema, init);
}
